// The ACD: which free operator gets which waiting caller. The longest-idle available operator
// of the line takes the line's head entry (a caller, or a callback placeholder), unless the
// caller needs skills (queues/skill-match.ts: the skilled first, anyone after a wait); an operator
// who does not pick up is paused as missed (OperatorService) and the caller keeps their rank,
// so they are back in front. Dispatch is serialised per line so nobody is rung twice.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorService } from '../operators/operator.service.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import { callbackIdOf, HEAD_RANK, type WaitingLists } from '../queues/waiting-list.js';
import { matchCallers, type WaitingCaller } from '../queues/skill-match.js';
import { NO_SKILLS } from '../queues/skills.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { CallObserver } from './call-observer.js';
import type { AssigneeRing, CallPhase } from './call-phase.js';
import type { CallSession } from './call-session.js';
import { rungAsAssignee, type CallSticky } from './call-sticky.js';
import type { CallbackCalls } from './callback-calls.js';
import type { HangupCause, PbxPort } from './pbx.port.js';
import type { PanelPort } from './panel.port.js';

/** The parts of the call service the ACD works on; CallService implements it. */
export interface DispatchCore {
  readonly waiting: WaitingLists;
  readonly busy: Set<string>;
  readonly callbackCalls: CallbackCalls | undefined;
  session(callId: string): CallSession | undefined;
  setLeg(channelId: string, callId: string, leg: 'operator'): void;
  forgetLeg(channelId: string): void;
  move(s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<unknown>;
  /** The core's own handling of a missed ring: a click-to-call's differs (nobody to put back in a line). */
  operatorMissed(s: CallSession, reason: string): Promise<void>;
}

export class CallDispatch {
  /**
   * Per line: whether a dispatch pass runs, and since when another one is wanted. Triggers are
   * coalesced: under load callers join and operators come free dozens of times a second, and a
   * pass queued per trigger (each a DB read) made a backlog that grew faster than it drained
   * (the load bench measured the ACD's own delay at over a second). One pass serves them all.
   */
  private readonly lines = new Map<Line, { running: boolean; wanted: boolean }>();
  /** Per line: the pass due when the next narrowed caller's wait widens (skills routing). */
  private readonly widenTimers = new Map<Line, NodeJS.Timeout>();
  /**
   * Operators resting after a miss that paused nobody (ring-miss.ts), until when (ms). Unpaused
   * and longest idle, they would otherwise be rung again at once for the same caller: a phone
   * that does not answer the INVITE would be rung in a tight loop.
   */
  private readonly resting = new Map<string, number>();

  constructor(
    private readonly core: DispatchCore,
    private readonly d: { pbx: PbxPort; operators: OperatorService; log: Logger; observer: CallObserver; panels: PanelPort; ringTimeoutSec: number; sticky?: CallSticky; lines: LineCatalog },
  ) {}

  /**
   * Puts a caller in a line's waiting list at `rank` (when they took their place: now for a
   * new caller, their old rank for one whose operator missed, HEAD_RANK for a transfer) and
   * offers the line's callers to operators.
   */
  joinQueue(s: CallSession, line: Line, rank: number): void {
    s.queuedAt = performance.now();
    // Skills routing's widening counts from joining the line, not from the first pass that found
    // an operator free: a caller who waited through a busy spell is not narrowed all over again.
    // A missed ring keeps it (same line), a transfer restarts it.
    if (s.skillsWait?.line !== line) s.skillsWait = { line, since: Date.now() };
    // Sticky routing (call-sticky.ts): first, their ticket's assignee may be rung; a miss brings them back here at `rank`.
    if (this.d.sticky?.ringFirst(this, s, line, rank)) return;
    this.core.waiting.insert(line, s.callId, rank);
    this.dispatch(line);
  }

  /** Offers waiting callers to free operators. */
  dispatch(line: Line): void {
    let st = this.lines.get(line);
    if (!st) this.lines.set(line, (st = { running: false, wanted: false }));
    st.wanted = true;
    if (st.running) return;
    st.running = true;
    void this.passes(line, st);
  }

  /**
   * A pass for every line with someone waiting. Run every 2 s, after the operators' states are
   * read again: an operator made available through another instance's API (several nodes) tells
   * only that instance. A pass itself reads memory only.
   */
  recheck(): void {
    for (const line of this.core.waiting.linesWaiting()) this.dispatch(line);
  }

  private async passes(line: Line, st: { running: boolean; wanted: boolean }): Promise<void> {
    try {
      while (st.wanted) {
        st.wanted = false;
        await this.dispatchOnce(line).catch((err: Error) => this.d.log.error({ err: err.message, line }, 'dispatch failed'));
      }
    } finally {
      st.running = false;
    }
  }

  private async dispatchOnce(line: Line): Promise<void> {
    while (this.core.waiting.size(line) > 0) {
      // From memory (OperatorService keeps it): no database round trip between a free operator and a waiting caller.
      const now = Date.now();
      const free = this.d.operators.available(line).filter((o) => !this.core.busy.has(o.id) && !this.isResting(o.id, now));
      if (free.length === 0) return;
      // The free operators are paired with the waiting callers at once (skills routing,
      // queues/skill-match.ts) and rung together: one at a time, a burst of callers waited for
      // each other's database writes (tens of ms each under load).
      const waiting = this.waitingEntries(line, now);
      const { pairs, nextWidenAt } = matchCallers({
        waiting: waiting.map((w) => w.caller),
        free: free.map((o) => ({ id: o.id, skills: o.skills, idleSince: o.last_call_ended_at?.getTime() ?? Number.NEGATIVE_INFINITY })),
        // A line gone from the configuration narrows nobody.
        widenAfterSec: this.d.lines.get(line)?.widenAfterSec ?? 0,
        now,
        staffed: this.d.operators.staffedSkills(line),
      });
      this.widenLater(line, nextWidenAt, now);
      const entries = new Map(waiting.map((w) => [w.caller.id, w]));
      const ops = new Map(free.map((o) => [o.id, o]));
      const rings: Promise<void>[] = [];
      let callbackFor: { callbackId: string; op: OperatorRow } | undefined;
      for (const p of pairs) {
        const next = entries.get(p.callerId);
        const op = ops.get(p.operatorId);
        if (!next || !op) continue;
        this.core.waiting.remove(p.callerId);
        if ('callbackId' in next) {
          callbackFor = { callbackId: next.callbackId, op };
          break;
        }
        next.s.rank = next.rank;
        if (p.by === 'widened') this.d.log.info({ callId: next.s.callId, operatorId: op.id, line, requiredSkills: next.s.requiredSkills }, 'skills: wait widened, offered to anyone of the line');
        rings.push(this.ring(next.s, op, true));
      }
      const failed = (await Promise.allSettled(rings)).find((r) => r.status === 'rejected');
      if (failed) this.d.log.error({ err: (failed.reason as Error).message, line }, 'ringing an operator failed');
      // A callback's placeholder claims its operator in the database; the operator list is read again after it.
      if (callbackFor) await this.callbackTakes(callbackFor.callbackId, callbackFor.op, line);
      else if (rings.length === 0) return;
    }
  }

  /**
   * The operator is held while the placeholder's claim goes to Postgres: operators serve several
   * lines, and another line's pass (or a sticky ring) would otherwise ring them meanwhile, then
   * the callback's ring again. Let go unless the callback rings them now.
   */
  private async callbackTakes(callbackId: string, op: OperatorRow, line: Line): Promise<void> {
    this.core.busy.add(op.id);
    let outcome: 'ringing' | 'dialling' | false = false;
    try {
      outcome = (await this.core.callbackCalls?.dispatch(callbackId, op, line)) ?? false;
    } finally {
      if (outcome !== 'ringing') this.core.busy.delete(op.id);
    }
  }

  /**
   * The line's entries still worth an operator, in rank order: queued callers (or in the callback
   * menu: a free operator beats a callback being booked) with the skills they need and since when
   * they wait for them on this line, and callback placeholders (anyone may take those). Entries
   * of callers who are gone or elsewhere are dropped, as they were when they reached the head.
   */
  private waitingEntries(line: Line, now: number): ({ caller: WaitingCaller; rank: number } & ({ s: CallSession } | { callbackId: string }))[] {
    const out: ({ caller: WaitingCaller; rank: number } & ({ s: CallSession } | { callbackId: string }))[] = [];
    for (const entry of [...this.core.waiting.entries(line)]) {
      const callbackId = callbackIdOf(entry.id);
      if (callbackId) {
        out.push({ caller: { id: entry.id, requires: NO_SKILLS, waitingSince: now }, rank: entry.rank, callbackId });
        continue;
      }
      const s = this.core.session(entry.id);
      if (!s || (s.phase.kind !== 'queued' && s.phase.kind !== 'callback-menu')) {
        this.core.waiting.remove(entry.id);
        continue;
      }
      // Widening counts from the caller's first pass on this line: a missed ring does not restart it, a transfer does.
      if (s.skillsWait?.line !== line) s.skillsWait = { line, since: now };
      // Not the assignee whose sticky ring they just missed, while somebody else can take them (call-sticky.ts).
      const avoid = this.d.sticky?.avoided(s, now) ?? [];
      out.push({ caller: { id: entry.id, requires: s.requiredSkills, waitingSince: s.skillsWait.since, ...(avoid.length > 0 && { avoid }) }, rank: entry.rank, s });
    }
    return out;
  }

  /**
   * A caller narrowed to skilled operators must be offered to anyone once their wait widens, even
   * if nothing else happens on the line then: one timer per line, for the next widening due.
   */
  private widenLater(line: Line, at: number | null, now: number): void {
    clearTimeout(this.widenTimers.get(line));
    this.widenTimers.delete(line);
    if (at === null) return;
    const t = setTimeout(() => {
      this.widenTimers.delete(line);
      this.dispatch(line);
    }, Math.max(0, at - now));
    t.unref();
    this.widenTimers.set(line, t);
  }

  /** Rings an operator for a queued call (`assignee`: as its ticket's assignee, for their own time: call-sticky.ts). */
  async ring(s: CallSession, op: OperatorRow, fromQueue = false, assignee?: AssigneeRing): Promise<void> {
    const callId = s.callId;
    const line = s.line ?? this.d.lines.front();
    const channelId = randomUUID();
    this.core.busy.add(op.id);
    s.operatorId = op.id;
    s.operatorChannelId = channelId;
    this.core.setLeg(channelId, callId, 'operator');
    await this.core.move(s, { kind: 'ringing', answered: false, ...(assignee && { assignee }) }, { operator_id: op.id, operator_channel_id: channelId }, { operatorId: op.id, ...(assignee && { assignee }) });
    this.d.log.info({ callId, operatorId: op.id, line }, 'ringing operator');
    this.d.panels.ringing(op.id, callId, assignee); // the screen pop, before the phone is picked up (and why them)
    if (s.queuedAt !== undefined) {
      this.d.observer.queueToRing(performance.now() - s.queuedAt, line);
      // The ACD's own delay: since both the caller and this operator were there (the later of
      // the caller joining and the operator becoming available), not the caller's whole wait.
      if (fromQueue) this.d.observer.dispatched?.(Math.min(performance.now() - s.queuedAt, Date.now() - op.state_changed_at.getTime()), line);
    }
    // Not awaited: the originate's round trip to Asterisk (tens of ms under load) would
    // otherwise hold up the line's next caller, as dispatch is serialised per line.
    this.d.pbx
      .dial({ endpoint: op.sip_username, channelId, callId, callerId: s.callerNumber ?? 'unknown', timeoutSec: assignee?.ringSec ?? this.d.ringTimeoutSec })
      .catch(async (err: Error) => {
        this.d.log.warn({ callId, operatorId: op.id, err: err.message }, 'operator could not be dialled');
        this.core.forgetLeg(channelId);
        await this.core.operatorMissed(s, 'unreachable');
      })
      .catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'missed operator not handled'));
  }

  private isResting(operatorId: string, now: number): boolean {
    const until = this.resting.get(operatorId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.resting.delete(operatorId);
    return false;
  }

  /**
   * Out of the ACD for a ring's length, then offered again on every line (a pass with nobody
   * waiting is cheap). The map's time decides (isResting); the timer only wakes the ACD, so an
   * earlier rest's timer cannot end a later one early.
   */
  private rest(operatorId: string): void {
    const ms = this.d.ringTimeoutSec * 1000;
    this.resting.set(operatorId, Date.now() + ms);
    setTimeout(() => {
      for (const l of this.d.lines.ids()) this.dispatch(l);
    }, ms).unref();
  }

  /**
   * The rung operator did not pick up: the caller goes back to the head of the line. `pause`:
   * the operator is paused as missed (not when the miss was ours: a bridge Asterisk refused).
   * `rest`: not paused, but left out for a ring's length (a miss that was not theirs: ring-miss.ts).
   * RING_CANCELLED_BY_RESTART: nobody missed it (call-reclaim.ts), the ring is offered again.
   */
  async operatorMissed(s: CallSession, reason: string, pause = true, cause?: HangupCause, rest = false): Promise<void> {
    const opId = s.operatorId;
    // Rung first as the ticket's assignee (call-sticky.ts): never obliged to take it, so not paused.
    const asAssignee = rungAsAssignee(s.phase);
    const assignee = s.phase.kind === 'ringing' ? s.phase.assignee : undefined;
    const cancelled = reason === RING_CANCELLED_BY_RESTART;
    if (asAssignee || cancelled) pause = false;
    if (opId) {
      this.core.busy.delete(opId);
      if (!cancelled) this.d.panels.callOver(opId, s.callId, 'missed');
      // Postgres away: the caller still goes back to the line (the pause is the operator's record, not the caller's).
      if (pause) await this.d.operators.missed(opId).catch((err: Error) => this.d.log.error({ operatorId: opId, err: err.message }, 'missed operator not paused'));
      else if (rest && !cancelled && !asAssignee) this.rest(opId);
      // Before the caller is back in the line (joinQueue may ring at once): an assignee who missed is avoided for a while, one whose ring the restart cancelled is rung first again.
      if (assignee) {
        if (cancelled) this.d.sticky?.offerAgain(s, assignee, opId);
        else this.d.sticky?.missed(s, opId);
      }
    }
    s.operatorId = null;
    s.operatorChannelId = null;
    if (s.phase.kind !== 'ringing') return;
    const detail = cancelled ? { reclaimed: true, ...(assignee && { assignee }) } : { missedBy: opId, reason, ...(cause && { cause: cause.code }), ...(rest && !asAssignee && { notPaused: true }), ...(asAssignee && { asAssignee }) };
    await this.core.move(s, { kind: 'queued' }, { operator_id: null, operator_channel_id: null }, detail);
    if (s.line) this.joinQueue(s, s.line, s.rank ?? HEAD_RANK);
    // Asked for a callback in the IVR and rung before the menu could open (call.service.ts enqueue
    // opens it only for a caller still waiting): waiting now, the menu opens, as it would have.
    if (s.in('queued') && callbackStillAsked(s.ivrPath)) {
      this.core.callbackCalls?.callerAsked(s).catch((err: Error) => this.d.log.error({ callId: s.callId, err: err.message }, 'callback menu failed'));
    }
  }
}

/** The reason call-reclaim.ts gives operatorMissed for a ring it cancelled: the service restarted under it, nobody missed it. */
export const RING_CANCELLED_BY_RESTART = 'reclaimed';

/**
 * The caller chose a callback in the IVR (the callback verb's `callback-offer:<line>=yes` step)
 * and the callback menu has not ended since (it records `callback:booked` or `callback:refused`).
 * History in the IVR path, as overflow's is: no flag beside the call's phase.
 */
export function callbackStillAsked(ivrPath: readonly string[]): boolean {
  for (let i = ivrPath.length - 1; i >= 0; i--) {
    const step = ivrPath[i] ?? '';
    if (step.startsWith('callback:')) return false;
    if (step.startsWith('callback-offer:')) return step.endsWith('=yes');
  }
  return false;
}
