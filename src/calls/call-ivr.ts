// What a call's IVR needs beyond prompts and digits: tickets keyed by number, one-time codes,
// business hours, voicemail. Built once and handed to every CallSession.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { hoursOf, isOpen, nextOpen, type BusinessHours } from '../lines/business-hours.js';
import { callerTimeZone, openingAnnouncement } from '../lines/opening-announcement.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { VerificationService } from '../verification/verification.service.js';
import { newCallRow, type CallLedger } from './call-ledger.js';
import type { CallRow, HangupBy } from './call.table.js';
import type { FinalStatus } from './call-state-machine.js';
import { CallerGoneError, type CallSession, type CallSessionDeps } from './call-session.js';
import type { CallTickets } from './call-tickets.js';
import type { CallSticky } from './call-sticky.js';
import type { CallEvents } from './call-events.js';
import type { HangupCause, InboundChannel, PbxPort } from './pbx.port.js';
import type { IvrFlow } from '../ivr/ivr-flow.js';
import { runFlow } from '../ivr/ivr-runner.js';
import type { Language } from '../vocabulary.js';
import type { Line } from '../vocabulary.js';

/** What running a new caller's IVR needs from the call service. */
export interface InboundTarget {
  track(call: CallRow): CallSession;
  enqueue(s: CallSession, line: Line): Promise<void>;
  end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void>;
}

export class CallIvr {
  /** New callers not answered yet: an overload signal (overload-guard.ts). */
  unanswered = 0;

  constructor(
    private readonly d: {
      db: Kysely<Database>;
      ledger: CallLedger;
      pbx: PbxPort;
      recordings: RecordingService;
      verification: VerificationService;
      businessHours: () => BusinessHours;
      callTickets: CallTickets;
      callEvents: CallEvents;
      log: Logger;
      settings: { node: string; promptsDir: string; defaultLanguage: Language };
      flow: () => IvrFlow;
      onIvrStep: (ms: number) => void;
      onCallRow?: (ms: number) => void;
      /** Told of a caller verified in the IVR: their account's ticket's assignee may be rung first. */
      sticky?: Pick<CallSticky, 'verified'>;
    },
  ) {}

  /** A new caller: a call row, answer, the IVR flow, then the line's queue (or the flow ends the call). */
  async inbound(ch: InboundChannel, t: InboundTarget): Promise<void> {
    // The dialled number decides first (an English DID), then the channel's language, then the default.
    const byNumber = ch.dialledNumber ? this.d.flow().languages[ch.dialledNumber] : undefined;
    const lang = byNumber ?? (ch.language === 'en' || ch.language === 'ru' ? ch.language : this.d.settings.defaultLanguage);
    this.unanswered++;
    const answered = this.d.pbx.answer(ch.channelId).finally(() => this.unanswered--);
    answered.catch(() => undefined); // awaited below; only keeps it from counting as unhandled meanwhile
    // The id is minted here and the row written behind (the call ledger): the caller never waits
    // on the database, and a Postgres outage does not keep the call from starting.
    // The ticket comes later: the caller may key an existing one in the IVR (CallTickets).
    const call = this.d.ledger.insert(
      newCallRow({
        caller_number: ch.callerNumber,
        dialled_number: ch.dialledNumber,
        language: lang,
        status: 'ivr',
        caller_channel_id: ch.channelId,
        pbx_node: this.d.settings.node,
      }),
    );
    if (ch.stasisAt) this.d.onCallRow?.(Date.now() - ch.stasisAt);
    const log = this.d.log.child({ callId: call.id });
    log.info({ caller: ch.callerNumber, dialled: ch.dialledNumber }, 'call entered');
    this.d.callEvents.emit('call.started', call);
    const s = t.track(call);
    const notAnswered = await answered.then(() => null, (err: Error) => err);
    if (notAnswered) return this.notAnswered(s, t, notAnswered);
    let line: Line | 'hangup';
    try {
      line = await runFlow(this.d.flow(), s);
    } catch (err) {
      if (err instanceof CallerGoneError) return; // the caller's hangup ends the call
      throw err;
    }
    log.info({ line, ivrPath: s.ivrPath }, 'IVR done');
    if (line === 'hangup') {
      s.ivrEnds();
      // The caller's channel going away ends the call (and gives it its ticket) as usual.
      await this.d.pbx.hangup(s.callerChannelId);
      return;
    }
    await t.enqueue(s, line);
  }

  /**
   * Asterisk refused to answer the caller: our fault, so the call ends `failed` (decided at once,
   * before any await, so the caller's channel leaving is no `abandoned`). The caller is handed to
   * the dialplan's fallback (Answer, MixMonitor, the first line's queue with the same operators,
   * which fallback-calls.ts accounts for in a row of its own) rather than hung up: a refused
   * answer is most often Asterisk busy, and the channel is still there. If it is not (the caller
   * left, or the continue is refused too), it is hung up; a channel gone already ignores that.
   */
  private async notAnswered(s: CallSession, t: InboundTarget, err: Error): Promise<void> {
    if (s.over) return; // the caller hung up first: that ended the call
    this.d.log.error({ callId: s.callId, err: err.message }, 'caller not answered; handed to the dialplan fallback');
    const ended = t.end(s, 'failed', { code: 0, text: `answer refused: ${err.message}` }, 'system');
    await this.d.pbx.continueToFallback(s.callerChannelId).catch(() => this.d.pbx.hangup(s.callerChannelId).catch(() => undefined));
    await ended;
  }

  sessionDeps(): CallSessionDeps {
    return {
      pbx: this.d.pbx,
      patchRow: (callId, patch) => this.d.ledger.update(callId, patch),
      promptsDir: this.d.settings.promptsDir,
      onIvrStep: this.d.onIvrStep,
      // The keyed ticket may still ask Postgres; while it is away the caller goes on as if the
      // number were unknown (a new ticket later), and the log says why.
      attachTicket: (s, keyed) =>
        this.d.callTickets.attach(s, keyed).catch((err: Error) => {
          this.d.log.warn({ callId: s.callId, err: err.message }, 'keyed ticket could not be looked up');
          return { found: false, line: null };
        }),
      // The code check asks Postgres. While it is away the step ends 'verify:unavailable' (in
      // the IVR path, so the operator's screen pop says the caller could not be checked) and the
      // caller goes on to a human, unverified.
      verifyCode: (s, code) =>
        this.verifyCode(s, code).catch((err: Error) => {
          this.d.log.warn({ callId: s.callId, err: err.message }, 'verification code could not be checked');
          return { outcome: 'unavailable', triesLeft: 0 };
        }),
      verifyTriesLeft: (s) => this.d.verification.triesLeft(s.callId).catch(() => 1),
      isLineOpen: (line) => isOpen(hoursOf(this.d.businessHours(), line), new Date()),
      lineOpening: (s, line) => {
        const hours = this.d.businessHours();
        const now = new Date();
        return openingAnnouncement({
          opensAt: nextOpen(hoursOf(hours, line), now),
          now,
          lineTimeZone: hoursOf(hours, line).timeZone,
          callerTimeZone: callerTimeZone(s.callerNumber, hours.callerRegions ?? []),
        });
      },
      startVoicemail: (s, maxSec) => this.startVoicemail(s, maxSec),
    };
  }

  private async verifyCode(s: CallSession, code: string): Promise<{ outcome: string; triesLeft: number }> {
    const r = await this.d.verification.check({
      callId: s.callId,
      ticketId: s.ticketId,
      callerNumber: s.callerNumber,
      code,
      method: s.verification.method,
      operatorId: s.verification.operatorId,
    });
    if (r.outcome === 'verified') {
      s.verifiedAccountId = r.accountId;
      if (r.accountId) this.d.sticky?.verified(s, r.accountId);
      // The verification service writes it to Postgres itself; the live row (what call.* events
      // and the API read while the call is up) gets it too.
      this.d.ledger.update(s.callId, { verification_status: 'verified', verified_account_id: r.accountId, verification_method: s.verification.method, verified_at: new Date() });
    } else if (this.d.ledger.row(s.callId)?.verification_status === 'none') {
      // As the verification service wrote it (any other outcome, and only over 'none'): the
      // live row says so too, so the screen pop made from memory shows the failed attempt.
      this.d.ledger.update(s.callId, { verification_status: 'failed' });
    }
    return r;
  }

  /** A voicemail: a recording of the caller's channel, on the call (and so on its ticket). */
  private async startVoicemail(s: CallSession, maxSec: number): Promise<string> {
    const name = `voicemail-${s.callId}`;
    await this.d.callTickets.ensure(s).catch((err: Error) => this.d.log.warn({ callId: s.callId, err: err.message }, 'no ticket yet for the voicemail'));
    const rec = this.d.recordings.planned(s.callId, name, 'voicemail');
    this.d.ledger.recording(s.callId, rec);
    s.recordingId = rec.id;
    this.d.ledger.update(s.callId, { recording_id: rec.id });
    await this.d.pbx.recordChannel(s.callerChannelId, name, maxSec);
    this.d.log.info({ callId: s.callId, recordingId: rec.id }, 'voicemail recording');
    return name;
  }
}
