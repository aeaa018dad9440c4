// What a call's IVR needs beyond prompts and digits: tickets keyed by number, one-time codes,
// business hours, voicemail. Built once and handed to every CallSession.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { isOpen, nextOpen, type BusinessHours } from '../lines/business-hours.js';
import { callerTimeZone, openingAnnouncement } from '../lines/opening-announcement.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { VerificationService } from '../verification/verification.service.js';
import { insertCall, updateCall } from './call.repository.js';
import type { CallRow } from './call.table.js';
import { CallerGoneError, type CallSession, type CallSessionDeps } from './call-session.js';
import type { CallTickets } from './call-tickets.js';
import type { CallEvents } from './call-events.js';
import type { InboundChannel, PbxPort } from './pbx.port.js';
import type { IvrFlow } from '../ivr/ivr-flow.js';
import { runFlow } from '../ivr/ivr-runner.js';
import type { Language } from '../ivr/ivr-context.js';
import type { Line } from '../operators/operator.table.js';

/** What running a new caller's IVR needs from the call service. */
export interface InboundTarget {
  track(call: CallRow): CallSession;
  enqueue(s: CallSession, line: Line): Promise<void>;
}

export class CallIvr {
  constructor(
    private readonly d: {
      db: Kysely<Database>;
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
    },
  ) {}

  /** A new caller: a call row, answer, the IVR flow, then the line's queue (or the flow ends the call). */
  async inbound(ch: InboundChannel, t: InboundTarget): Promise<void> {
    // The dialled number decides first (an English DID), then the channel's language, then the default.
    const byNumber = ch.dialledNumber ? this.d.flow().languages[ch.dialledNumber] : undefined;
    const lang = byNumber ?? (ch.language === 'en' || ch.language === 'ru' ? ch.language : this.d.settings.defaultLanguage);
    // Answered while the row is written: the caller's 200 OK need not wait for the database.
    const answered = this.d.pbx.answer(ch.channelId);
    answered.catch(() => undefined); // awaited below; only keeps it from counting as unhandled meanwhile
    // The ticket comes later: the caller may key an existing one in the IVR (CallTickets).
    const call = await insertCall(this.d.db, {
      caller_number: ch.callerNumber,
      dialled_number: ch.dialledNumber,
      language: lang,
      status: 'ivr',
      caller_channel_id: ch.channelId,
      pbx_node: this.d.settings.node,
    });
    if (ch.stasisAt) this.d.onCallRow?.(Date.now() - ch.stasisAt);
    const log = this.d.log.child({ callId: call.id });
    log.info({ caller: ch.callerNumber, dialled: ch.dialledNumber }, 'call entered');
    this.d.callEvents.emit('call.started', call);
    const s = t.track(call);
    await answered;
    let line: Line | 'hangup';
    try {
      line = await runFlow(this.d.flow(), s);
    } catch (err) {
      if (err instanceof CallerGoneError) return; // the caller's hangup ends the call
      throw err;
    }
    log.info({ line, ivrPath: s.ivrPath }, 'IVR done');
    if (line === 'hangup') {
      s.handled = true;
      // The caller's channel going away ends the call (and gives it its ticket) as usual.
      await this.d.pbx.hangup(s.callerChannelId);
      return;
    }
    await t.enqueue(s, line);
  }

  sessionDeps(): CallSessionDeps {
    return {
      db: this.d.db,
      pbx: this.d.pbx,
      promptsDir: this.d.settings.promptsDir,
      onIvrStep: this.d.onIvrStep,
      onPathWriteFailed: (callId, err) => this.d.log.warn({ callId, err: err.message }, 'IVR path not written'),
      attachTicket: (s, keyed) => this.d.callTickets.attach(s, keyed),
      verifyCode: (s, code) => this.verifyCode(s, code),
      verifyTriesLeft: (s) => this.d.verification.triesLeft(s.callId),
      isLineOpen: (line) => isOpen(this.d.businessHours()[line], new Date()),
      lineOpening: (s, line) => {
        const hours = this.d.businessHours();
        const now = new Date();
        return openingAnnouncement({
          opensAt: nextOpen(hours[line], now),
          now,
          lineTimeZone: hours[line].timeZone,
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
    if (r.outcome === 'verified') s.verifiedAccountId = r.accountId;
    return r;
  }

  /** A voicemail: a recording of the caller's channel, on the call (and so on its ticket). */
  private async startVoicemail(s: CallSession, maxSec: number): Promise<string> {
    const name = `voicemail-${s.callId}`;
    await this.d.callTickets.ensure(s);
    const rec = await this.d.recordings.started(this.d.db, s.callId, name, 'voicemail');
    s.recordingId = rec.id;
    await updateCall(this.d.db, s.callId, { recording_id: rec.id });
    await this.d.pbx.recordChannel(s.callerChannelId, name, maxSec);
    this.d.log.info({ callId: s.callId, recordingId: rec.id }, 'voicemail recording');
    return name;
  }
}
