// The ACD: which free operator gets which waiting caller. The longest-idle available operator
// of the line takes the line's head entry (a caller, or a callback placeholder); an operator
// who does not pick up is paused as missed (OperatorService) and the caller keeps their rank,
// so they are back in front. Dispatch is serialised per line so nobody is rung twice.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { listAvailableOperators } from '../operators/operator.repository.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { Line, OperatorRow } from '../operators/operator.table.js';
import { callbackIdOf, HEAD_RANK, type WaitingLists } from '../queues/waiting-list.js';
import type { CallObserver } from './call-observer.js';
import type { CallSession } from './call-session.js';
import type { CallStatus } from './call-state-machine.js';
import type { CallbackCalls } from './callback-calls.js';
import type { PbxPort } from './pbx.port.js';
import type { PanelPort } from './panel.port.js';

/** The parts of the call service the ACD works on; CallService implements it. */
export interface DispatchCore {
  readonly waiting: WaitingLists;
  readonly busy: Set<string>;
  readonly callbackCalls: CallbackCalls | undefined;
  session(callId: string): CallSession | undefined;
  setLeg(channelId: string, callId: string, leg: 'operator'): void;
  forgetLeg(channelId: string): void;
  move(s: CallSession, to: CallStatus, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<unknown>;
}

export class CallDispatch {
  /**
   * Per line: whether a dispatch pass runs, and since when another one is wanted. Triggers are
   * coalesced: under load callers join and operators come free dozens of times a second, and a
   * pass queued per trigger (each a DB read) made a backlog that grew faster than it drained
   * (the load bench measured the ACD's own delay at over a second). One pass serves them all.
   */
  private readonly lines = new Map<Line, { running: boolean; wantedSince: number | null }>();

  constructor(
    private readonly core: DispatchCore,
    private readonly d: { db: Db; pbx: PbxPort; operators: OperatorService; log: Logger; observer: CallObserver; panels: PanelPort; ringTimeoutSec: number },
  ) {}

  /**
   * Puts a caller in a line's waiting list at `rank` (when they took their place: now for a
   * new caller, their old rank for one whose operator missed, HEAD_RANK for a transfer) and
   * offers the line's callers to operators.
   */
  joinQueue(s: CallSession, line: Line, rank: number): void {
    s.queuedAt = performance.now();
    this.core.waiting.insert(line, s.callId, rank);
    this.dispatch(line);
  }

  /** Offers waiting callers to free operators. */
  dispatch(line: Line): void {
    let st = this.lines.get(line);
    if (!st) this.lines.set(line, (st = { running: false, wantedSince: null }));
    // What made this dispatch worth running (a caller joined, an operator came free) happened now:
    // a match it finds was possible from then on (or from the caller's joining, if later).
    st.wantedSince ??= performance.now();
    if (st.running) return;
    st.running = true;
    void this.passes(line, st);
  }

  private async passes(line: Line, st: { running: boolean; wantedSince: number | null }): Promise<void> {
    try {
      while (st.wantedSince !== null) {
        const triggeredAt = st.wantedSince;
        st.wantedSince = null;
        await this.dispatchOnce(line, triggeredAt).catch((err: Error) => this.d.log.error({ err: err.message, line }, 'dispatch failed'));
      }
    } finally {
      st.running = false;
    }
  }

  private async dispatchOnce(line: Line, triggeredAt: number): Promise<void> {
    while (this.core.waiting.size(line) > 0) {
      const free = (await listAvailableOperators(this.d.db, line)).filter((o) => !this.core.busy.has(o.id));
      const op = free[0];
      if (!op) return;
      const entry = this.core.waiting.shift(line) as { id: string; rank: number };
      const callbackId = callbackIdOf(entry.id);
      if (callbackId) {
        await this.core.callbackCalls?.dispatch(callbackId, op, line);
        continue;
      }
      const s = this.core.session(entry.id);
      if (!s || s.gone || s.status !== 'queued') continue;
      s.rank = entry.rank;
      await this.ring(s, op, triggeredAt);
    }
  }

  /** Rings an operator for a queued call. */
  async ring(s: CallSession, op: OperatorRow, triggeredAt?: number): Promise<void> {
    const callId = s.callId;
    const line = s.line ?? 'first';
    const channelId = randomUUID();
    this.core.busy.add(op.id);
    s.operatorId = op.id;
    s.operatorChannelId = channelId;
    this.core.setLeg(channelId, callId, 'operator');
    await this.core.move(s, 'ringing', { operator_id: op.id, operator_channel_id: channelId }, { operatorId: op.id });
    this.d.log.info({ callId, operatorId: op.id, line }, 'ringing operator');
    this.d.panels.ringing(op.id, callId); // the screen pop, before the phone is picked up
    if (s.queuedAt !== undefined) {
      this.d.observer.queueToRing(performance.now() - s.queuedAt, line);
      if (triggeredAt !== undefined) this.d.observer.dispatched?.(performance.now() - Math.max(triggeredAt, s.queuedAt), line);
    }
    // Not awaited: the originate's round trip to Asterisk (tens of ms under load) would
    // otherwise hold up the line's next caller, as dispatch is serialised per line.
    this.d.pbx
      .dial({ endpoint: op.sip_username, channelId, callId, callerId: s.callerNumber ?? 'unknown', timeoutSec: this.d.ringTimeoutSec })
      .catch(async (err: Error) => {
        this.d.log.warn({ callId, operatorId: op.id, err: err.message }, 'operator could not be dialled');
        this.core.forgetLeg(channelId);
        await this.operatorMissed(s, 'unreachable');
      })
      .catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'missed operator not handled'));
  }

  /** The rung operator did not pick up: the caller goes back to the head of the line. */
  async operatorMissed(s: CallSession, reason: string): Promise<void> {
    const opId = s.operatorId;
    if (opId) {
      this.core.busy.delete(opId);
      this.d.panels.callOver(opId, s.callId, 'missed');
      await this.d.operators.missed(opId);
    }
    s.operatorId = null;
    s.operatorChannelId = null;
    if (s.gone || s.status !== 'ringing') return;
    await this.core.move(s, 'queued', { operator_id: null, operator_channel_id: null }, { missedBy: opId, reason });
    if (s.line) this.joinQueue(s, s.line, s.rank ?? HEAD_RANK);
  }
}
