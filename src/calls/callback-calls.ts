// The call side of callbacks. A caller in the queue presses the callback key, confirms their
// number (or keys another) and hangs up; their entry in the waiting list becomes a placeholder
// at the same place. When the placeholder reaches the head and an operator is free, the
// operator is rung first (agent-first), then the customer is dialled into the same bridge.
// While the caller is in the menu the call's phase is `callback-menu` (its row stays `queued`);
// once a callback is booked the phase says the call ends 'callback' however the caller leaves.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { Language, Line } from '../vocabulary.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import { estimateWaitSec, HEAD_RANK, placeholderId, queueAnnouncement, type WaitingLists } from '../queues/waiting-list.js';
import { waitView, type WaitingCaller, type WaitView } from '../queues/skill-match.js';
import { needsSkills, NO_SKILLS } from '../queues/skills.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { newCallRow, type CallLedger } from './call-ledger.js';
import type { CallRow, HangupBy } from './call.table.js';
import type { CallPhase } from './call-phase.js';
import type { FinalStatus } from './call-state-machine.js';
import { CallerGoneError, type CallSession } from './call-session.js';
import { customerJoinsBridge, operatorWaitsInBridge } from './outbound-calls-bridge.js';
import type { CallbackPort, ClaimedCallback, DialOutcome } from './callback.port.js';
import type { HangupCause, PbxPort } from './pbx.port.js';

/** The parts of the call service this needs; CallService implements it. */
export interface CallCore {
  readonly waiting: WaitingLists;
  session(callId: string): CallSession | undefined;
  track(call: CallRow): CallSession;
  move(s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<unknown>;
  end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void>;
  ring(s: CallSession, op: OperatorRow): Promise<void>;
  ensureTicket(s: CallSession): Promise<string>;
  dispatch(line: Line): void;
  joinQueue(s: CallSession, line: Line, rank: number): void;
}

export interface CallbackCallSettings {
  /** agent-first: the operator is rung, then the customer dialled; customer-first: the other way round. */
  mode: 'agent-first' | 'customer-first';
  key: string;
  offerAfterSec: number;
  /** How often a waiting caller hears their place, the wait and the callback offer (0: never). */
  announceSec: number;
  ringSec: number;
  dialTemplate: string;
  defaultLanguage: Language;
  /** This instance's node: the callback's call is dialled from it. */
  node: string;
}

export class CallbackCalls {
  /** Claimed callbacks by the call that dials them. */
  private readonly claimed = new Map<string, ClaimedCallback>();
  private readonly offerTimers = new Map<string, NodeJS.Timeout>();
  /** Average talk time of calls here, for the wait estimate (5 minutes until calls say otherwise). */
  private avgHandleSec = 300;

  constructor(
    private readonly core: CallCore,
    private readonly port: CallbackPort,
    private readonly d: { db: Db; ledger: CallLedger; pbx: PbxPort; recordings: RecordingService; operators: OperatorService; log: Logger; s: CallbackCallSettings; staffed: (line: Line) => Promise<number>; lines: LineCatalog },
  ) {}

  private handleSamples = 0;

  handleTime(sec: number): void {
    // The first calls set the average; later ones move it gently (an exponential average).
    this.handleSamples++;
    const w = Math.max(0.1, 1 / this.handleSamples);
    this.avgHandleSec = Math.round(this.avgHandleSec * (1 - w) + sec * w);
  }

  // ---- the queued caller's side ----

  /**
   * While a caller waits, every interval: their place (not for the head caller), the estimated
   * wait when it is reliable, and the callback offer when the wait is long. Not at once: a
   * caller who is about to be answered must not be talked over.
   */
  startOffers(s: CallSession, line: Line): void {
    this.stopOffers(s.callId);
    const announce = async () => {
      if (s.phase.kind !== 'queued') return;
      const { position, staffed, ewtSec } = needsSkills(s.requiredSkills) ? this.skilledView(s, line) : await this.plainView(s, line);
      const prompts = queueAnnouncement({ position, ewtSec, reliable: staffed > 0 && this.handleSamples >= 5 });
      if (staffed > 0 && ewtSec >= this.d.s.offerAfterSec && !s.callbackId) prompts.push('callback-offer');
      if (!prompts.length) return;
      this.d.log.info({ callId: s.callId, prompts, position, ewtSec }, 'queue announcement');
      await this.d.pbx.stopMoh(s.callerChannelId);
      for (const p of prompts) {
        if (s.phase.kind !== 'queued') return;
        await s.play(p, { interruptible: true });
      }
      if (s.phase.kind === 'queued') await this.d.pbx.startMoh(s.callerChannelId);
    };
    const run = () => void announce().catch((err: Error) => {
      if (!(err instanceof CallerGoneError)) this.d.log.warn({ callId: s.callId, err: err.message }, 'queue announcement failed');
    });
    if (this.d.s.announceSec === 0) return;
    const t = setInterval(run, this.d.s.announceSec * 1000);
    t.unref();
    this.offerTimers.set(s.callId, t);
  }

  /** Everyone ahead, every logged-in operator of the line (Postgres's count): a caller who needs no skills. */
  private async plainView(s: CallSession, line: Line): Promise<WaitView> {
    const staffed = await this.d.staffed(line);
    const position = this.core.waiting.position(line, s.callId);
    return { position, staffed, ewtSec: estimateWaitSec(position, this.avgHandleSec, staffed) };
  }

  /** A caller who needs skills: the operators who can take them, the callers ahead who compete for those (skill-match.ts). */
  private skilledView(s: CallSession, line: Line): WaitView {
    const entries = this.core.waiting.entries(line);
    const at = entries.findIndex((e) => e.id === s.callId);
    if (at < 0) return { position: 0, staffed: 0, ewtSec: 0 };
    const now = Date.now();
    const waitingOf = (id: string): WaitingCaller => {
      const other = this.core.session(id);
      return { id, requires: other?.requiredSkills ?? NO_SKILLS, waitingSince: other?.skillsWait?.since ?? now };
    };
    return waitView({
      me: waitingOf(s.callId),
      ahead: entries.slice(0, at).map((e) => waitingOf(e.id)),
      staffed: this.d.operators.staffedSkills(line),
      widenAfterSec: this.d.lines.get(line)?.widenAfterSec ?? 0,
      now,
      avgHandleSec: this.avgHandleSec,
    });
  }

  stopOffers(callId: string): void {
    const t = this.offerTimers.get(callId);
    if (t) clearInterval(t);
    this.offerTimers.delete(callId);
  }

  /** The caller pressed the callback key while queued. */
  async callerAsked(s: CallSession): Promise<void> {
    if (s.phase.kind !== 'queued' || !s.line) return;
    s.to({ kind: 'callback-menu', endsAs: 'abandoned' });
    const line = s.line;
    // Still in the menu: not gone, and not taken by an operator who came free meanwhile.
    const still = () => s.phase.kind === 'callback-menu';
    try {
      await this.d.pbx.stopMoh(s.callerChannelId);
      s.clearDigits();
      await s.play('callback-confirm', { interruptible: true });
      const choice = still() ? await s.readDigit(8000) : null;
      let number = choice === '1' ? s.callerNumber : null;
      if (choice === '2' && still()) {
        await s.play('callback-number', { interruptible: true });
        number = await s.readDigits({ max: 18, terminator: '#', timeoutMs: 10_000, interDigitMs: 4000 });
      }
      if (!still()) return;
      if (!number || this.port.refusal(number)) {
        await s.recordStep(`callback:refused`);
        await s.play('callback-refused', { interruptible: true });
        return;
      }
      const ticketId = await this.core.ensureTicket(s);
      const rank = this.core.waiting.rankOf(s.callId) ?? Date.now();
      let id: string;
      try {
        id = await this.port.bookFromQueue({ callId: s.callId, number, line, ticketId, accountId: s.verifiedAccountId, rank: new Date(rank) });
      } catch (err) {
        this.d.log.info({ callId: s.callId, err: (err as Error).message }, 'callback refused');
        await s.recordStep('callback:refused');
        await s.play('callback-refused', { interruptible: true });
        return;
      }
      // An operator took the caller while the ticket and the callback were written (the ACD rings
      // menu callers too): they are served now, so the callback goes, or they would be twice.
      if (!still()) {
        await this.port.withdraw(id).catch((err: Error) => this.d.log.error({ callId: s.callId, callbackId: id, err: err.message }, 'callback booked for a caller put through not withdrawn'));
        return;
      }
      // The caller's own entry becomes the placeholder, at the very same place.
      if (!this.core.waiting.replace(s.callId, placeholderId(id))) this.core.waiting.insert(line, placeholderId(id), rank);
      if (still()) s.to({ kind: 'callback-menu', endsAs: 'callback' }); // from here on, however the caller leaves, the call ends as 'callback'
      this.stopOffers(s.callId);
      await s.recordStep('callback:booked');
      await s.play('callback-booked', { interruptible: false }).catch(() => undefined);
      await this.core.end(s, 'callback', { code: 16, text: 'Callback booked; place kept in the queue' }, 'system');
      await this.d.pbx.hangup(s.callerChannelId);
    } finally {
      // Out of the menu without a callback (or its end failed): waiting again, with music.
      if (still()) {
        s.to({ kind: 'queued' });
        await this.d.pbx.startMoh(s.callerChannelId).catch(() => undefined);
      }
    }
  }

  // ---- the placeholder's side ----

  /** A placeholder reached the head and `op` is free: ring the operator first. */
  /** 'ringing': `op` is being rung for it; 'dialling': the customer is (customer-first); false: nothing to do (claimed elsewhere, cancelled). */
  async dispatch(callbackId: string, op: OperatorRow, line: Line): Promise<'ringing' | 'dialling' | false> {
    const cb = await this.port.claim(callbackId);
    if (!cb) return false;
    // The customer's channel id is chosen now: it is the call's caller leg once dialled.
    const call = this.d.ledger.insert(newCallRow({
      caller_number: cb.number,
      dialled_number: null,
      language: this.d.s.defaultLanguage,
      status: 'queued',
      caller_channel_id: randomUUID(),
      line,
      ticket_id: cb.ticketId,
      callback_id: cb.id,
      queued_at: new Date(),
      pbx_node: this.d.s.node,
    }));
    const s = this.core.track(call);
    s.callbackId = cb.id;
    s.verifiedAccountId = cb.accountId;
    this.claimed.set(call.id, cb);
    if (this.d.s.mode === 'customer-first') {
      // The customer first; once they answer they are a caller at the head of the line.
      this.d.log.info({ callId: call.id, callbackId: cb.id, attemptNo: cb.attemptNo }, 'callback: dialling the customer first');
      await this.dialCustomer(s, cb, {});
      return 'dialling';
    }
    this.d.log.info({ callId: call.id, callbackId: cb.id, attemptNo: cb.attemptNo }, 'callback: ringing the operator first');
    await this.core.ring(s, op);
    return 'ringing';
  }

  /** Is this call a callback whose customer is not on the line yet? */
  isDialling(callId: string): boolean {
    return this.claimed.has(callId);
  }

  /** The operator picked up: now the customer is dialled, the operator waiting in the bridge. */
  async operatorAnswered(s: CallSession, operatorChannelId: string): Promise<void> {
    const cb = this.claimed.get(s.callId);
    if (!cb) throw new Error(`callback call ${s.callId} has no claimed callback`);
    const bridgeId = await operatorWaitsInBridge(this.d, s, operatorChannelId);
    await this.dialCustomer(s, cb, { bridge_id: bridgeId });
  }

  /** One dial of the customer, keyed by (callback, attempt): never twice for the same attempt. */
  private async dialCustomer(s: CallSession, cb: ClaimedCallback, patch: Record<string, unknown>): Promise<void> {
    await this.d.ledger.written(s.callId); // the attempt row names the call: its row first
    if (!(await this.port.beginAttempt(cb, s.callId, s.operatorId))) {
      this.claimed.delete(s.callId);
      await this.core.move(s, { kind: 'dialling' }, patch);
      return this.core.end(s, 'unanswered', { code: 0, text: 'Attempt dialled before a restart; not dialled twice' }, 'system');
    }
    await this.core.move(s, { kind: 'dialling' }, patch, { callbackId: cb.id, attemptNo: cb.attemptNo });
    try {
      await this.d.pbx.dialOut({
        dialString: this.d.s.dialTemplate.replace('{number}', cb.number),
        channelId: s.callerChannelId,
        callId: s.callId,
        callerId: '',
        timeoutSec: this.d.s.ringSec,
      });
    } catch (err) {
      this.d.log.warn({ callId: s.callId, err: (err as Error).message }, 'callback dial failed');
      await this.customerGone(s, { code: 0, text: `dial failed: ${(err as Error).message}` }, 'failed');
    }
  }

  async customerAnswered(s: CallSession): Promise<void> {
    const cb = this.claimed.get(s.callId);
    if (s.phase.kind !== 'dialling' || !cb) return;
    if (!s.bridgeId) {
      // customer-first: now a caller like any other, first in the line.
      this.claimed.delete(s.callId);
      await this.port.attemptEnded(cb, 'answered');
      await this.core.move(s, { kind: 'queued' }, { queued_at: new Date() }, { customerAnswered: true });
      await this.d.pbx.startMoh(s.callerChannelId);
      this.core.joinQueue(s, s.line ?? cb.line, HEAD_RANK);
      return;
    }
    await customerJoinsBridge(this.d, (...a) => this.core.move(...a), s, s.bridgeId);
    this.claimed.delete(s.callId);
    await this.port.attemptEnded(cb, 'answered');
    this.d.log.info({ callId: s.callId, callbackId: cb.id }, 'callback answered, bridged and recording');
  }

  /** The customer's leg ended before answering (or could not be dialled): the attempt's outcome. */
  async customerGone(s: CallSession, cause: HangupCause, outcome?: DialOutcome): Promise<void> {
    const cb = this.claimed.get(s.callId);
    this.claimed.delete(s.callId);
    await this.core.end(s, 'unanswered', cause, 'caller');
    if (cb) await this.port.attemptEnded(cb, outcome ?? outcomeOf(cause.code));
  }

  /** The operator hung up while the customer's phone rang: the attempt ends as failed. */
  async operatorLeft(s: CallSession, cause: HangupCause): Promise<void> {
    const cb = this.claimed.get(s.callId);
    this.claimed.delete(s.callId);
    await this.d.pbx.hangup(s.callerChannelId);
    await this.core.end(s, 'unanswered', cause, 'operator');
    if (cb) await this.port.attemptEnded(cb, 'failed');
  }

  /**
   * After a restart. A callback call not yet dialling never reached the customer: the call is
   * closed and the callback goes back to its place. One dialling may have rung the customer:
   * the attempt counts (interrupted) and the next is scheduled; it is never redialled at once.
   */
  async reclaim(call: CallRow, s: CallSession, channels: Set<string>): Promise<void> {
    const claimedCb = call.callback_id;
    if (!claimedCb) return;
    if (s.operatorChannelId && channels.has(s.operatorChannelId)) await this.d.pbx.hangup(s.operatorChannelId);
    if (channels.has(call.caller_channel_id)) await this.d.pbx.hangup(call.caller_channel_id);
    const dialling = call.status === 'dialling';
    await this.core.end(s, dialling ? 'unanswered' : 'failed', { code: 0, text: 'Service restarted during the callback' }, 'system');
    if (!dialling) return this.port.release(claimedCb);
    await this.port.attemptInterrupted(claimedCb, call.id);
  }
}

function outcomeOf(code: number): DialOutcome {
  if (code === 17) return 'busy';
  if (code === 19 || code === 18 || code === 0 || code === 16) return 'no-answer';
  return 'failed';
}
