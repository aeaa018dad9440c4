// How a call ends. A leg going away (caller, operator, colleague, a callback's customer) is
// routed to what it means in the call's phase; end() then decides the outcome at once (the phase
// becomes `ending`, so nothing else acts on the call meanwhile), writes the final transition and
// lets go of everything the call held: its legs, bridge and recording, the operator, a colleague
// rung in, the timers of its helpers. Apart from call.service.ts, which owns the live calls and
// reaches this through end() and channelGone().
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallRow, CallUpdate, HangupBy } from './call.table.js';
import type { CallConsult } from './call-consult.js';
import type { CallObserver } from './call-observer.js';
import { endedByOnCallerHangup, isOver, outcomeOnCallerHangup, type CallPhase } from './call-phase.js';
import type { CallSession } from './call-session.js';
import type { FinalStatus } from './call-state-machine.js';
import { runSurvey } from './call-survey.js';
import type { CallbackCalls } from './callback-calls.js';
import type { LiveCalls } from './live-calls.js';
import type { PanelPort } from './panel.port.js';
import type { HangupCause, PbxPort } from './pbx.port.js';
import type { WriteBehind } from './write-behind.js';

/** What ending a call needs from the call service. */
export interface HangupTarget {
  readonly live: LiveCalls;
  readonly consults: CallConsult;
  readonly callbackCalls: CallbackCalls | undefined;
  move(s: CallSession, next: CallPhase, patch?: CallUpdate, detail?: Record<string, unknown>): Promise<CallRow>;
  ensureTicket(s: CallSession): Promise<string>;
  operatorMissed(s: CallSession, reason: string, pause?: boolean, cause?: HangupCause): Promise<void>;
  operatorWrite(operatorId: string | null, what: string, fn: (id: string) => Promise<unknown>): void;
  /** The call's timers in other helpers (callback offers, the overflow rule) stop. */
  stopTimers(callId: string): void;
  dispatch(line: NonNullable<CallSession['line']>): void;
}

export class CallHangup {
  constructor(
    private readonly t: HangupTarget,
    private readonly d: {
      db: Db;
      ledger: CallLedger;
      pbx: PbxPort;
      recordings: RecordingService;
      operators: OperatorService;
      panels: PanelPort | undefined;
      log: Logger;
      observer: CallObserver;
      behind: WriteBehind;
      surveyTimeoutSec: number;
    },
  ) {}

  /** A leg of a live call went away: what that means depends on the leg and the call's phase. */
  async channelGone(channelId: string, cause: HangupCause): Promise<void> {
    const live = this.t.live;
    const leg = live.legOf(channelId);
    if (!leg) return;
    live.forgetLeg(channelId);
    const s = live.session(leg.callId);
    if (!s) return;
    const p = s.phase;
    if (isOver(p)) return;
    if (leg.leg === 'consult') return this.t.consults.colleagueGone(s);
    if (leg.leg === 'operator') {
      // Picked up and being put through: the answer (call-answer.ts) finds the leg gone and settles it.
      if (p.kind === 'ringing') return p.answered ? undefined : this.t.operatorMissed(s, 'no-answer', true, cause);
      // The colleague is on: they keep the caller. Still ringing: they are let go with the call.
      if (p.kind === 'consulting' && p.colleague.answered) return this.t.consults.handOver(s, 'operator hung up');
      if (p.kind === 'consulting') await this.t.consults.release(s, 'the operator hung up');
      if (s.phase.kind === 'dialling' && this.t.callbackCalls) return this.t.callbackCalls.operatorLeft(s, cause);
      return this.operatorLeft(s, cause);
    }
    if (p.kind === 'dialling' && this.t.callbackCalls) return this.t.callbackCalls.customerGone(s, cause);
    live.waiting.remove(s.callId);
    // How and by whom the phase says the call ends (a voicemail taken, a callback booked: not
    // abandoned; the IVR ended it: the system; the survey: the operator ended the conversation).
    await this.end(s, outcomeOnCallerHangup(p), cause, endedByOnCallerHangup(p));
  }

  /** The operator of a bridged call hung up: the survey, or the call ends and the caller is let go. */
  async operatorLeft(s: CallSession, cause: HangupCause): Promise<void> {
    if (s.phase.kind !== 'bridged') return;
    // The survey rates the service a caller got; a customer the operator called is not asked.
    if (this.d.surveyTimeoutSec > 0 && this.d.ledger.row(s.callId)?.direction !== 'outbound') {
      return runSurvey({ busy: this.t.live.busy, end: (x, to, c, by) => this.end(x, to, c, by) }, { ...this.d, timeoutSec: this.d.surveyTimeoutSec }, s, cause);
    }
    await this.end(s, 'completed', cause, 'operator');
    await this.d.pbx.hangup(s.callerChannelId);
  }

  async end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void> {
    const was = s.phase;
    if (isOver(was)) return;
    // Decided now, before any await: whatever comes in meanwhile finds the call ending.
    s.to({ kind: 'ending', was, outcome: to, by });
    const live = this.t.live;
    live.forgetLeg(s.callerChannelId);
    // The operator's leg is hung up at once, while the rows are written: an ARI round trip is
    // slow when Asterisk is busy, and the operator is offered the next call only after it.
    // From the survey, neither it nor the bridge is left: the operator's hangup began the survey,
    // which ended the bridge.
    const surveyed = was.kind === 'surveying';
    if (s.operatorChannelId) live.forgetLeg(s.operatorChannelId);
    const operatorLegGone = s.operatorChannelId && !surveyed ? this.d.pbx.hangup(s.operatorChannelId).catch(() => undefined) : undefined;
    const ticketed = await this.t.ensureTicket(s).then(
      () => true,
      (err: Error) => (this.d.log.warn({ callId: s.callId, err: err.message }, 'no ticket for the call yet: made behind it'), false),
    );
    const at = new Date();
    await this.t.move(s, { kind: 'ended', outcome: to }, { ended_at: at, hangup_cause: cause.text, hangup_cause_code: cause.code, hangup_by: by }, { by });
    live.remove(s);
    // Ending the bridge ends its recording: RecordingFinished then archives it (and if that
    // event never comes, the recording service's safety net does).
    const bridgeGone = s.bridgeId && !surveyed ? this.d.pbx.destroyBridge(s.bridgeId, s.recordingName).catch(() => undefined) : undefined;
    if (s.recordingId) this.d.recordings.callEnded(s.recordingId);
    await operatorLegGone;
    this.t.stopTimers(s.callId);
    if (was.kind === 'consulting') await this.t.consults.letGo(s.callId, was.colleague, 'the call ended');
    // Ended from the survey: the operator was let go when it began.
    if (s.operatorId && !surveyed) {
      live.busy.delete(s.operatorId);
      this.d.panels?.callOver(s.operatorId, s.callId, 'ended');
      // Only an operator who picked up gets wrap-up; one rung but not answered was handled as missed
      // (a click-to-call its operator did not pick up ends unanswered from ringing: not theirs either).
      if (to === 'completed' || (to === 'unanswered' && was.kind !== 'ringing')) this.t.operatorWrite(s.operatorId, 'call ended', (id) => this.d.operators.callEnded(id, at, s.callId));
    }
    if (to === 'completed' && s.answeredAt) this.t.callbackCalls?.handleTime((Date.now() - s.answeredAt) / 1000);
    if (!ticketed) this.ticketBehind(s);
    this.d.log.info({ callId: s.callId, status: to, by, cause: cause.text }, 'call ended');
    this.d.observer.callEnded(to, s.line);
    if (s.line) this.t.dispatch(s.line);
    await bridgeGone;
  }

  /** Every call ends on a ticket: one that ended while Postgres was away gets it once Postgres is back. */
  private ticketBehind(s: CallSession): void {
    this.d.behind.run(`call-${s.callId}`, 'ticket of an ended call', async () => {
      await this.d.ledger.written(); // the row exists before it is pointed at its ticket
      const ticketId = await this.t.ensureTicket(s);
      this.d.log.info({ callId: s.callId, ticketId }, 'ticket made after the call');
    });
  }
}
