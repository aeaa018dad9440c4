// The call lifecycle: inbound → ticket → IVR → queue → operator rung → bridged and recorded
// → ended. PBX events drive it; each call's state is its session's phase (call-phase.ts), and a
// change of phase that changes the status is applied in memory and written behind (the call
// ledger), so nothing on a caller's path waits on Postgres. How calls end is in call-hangup.ts.
import type { Logger } from 'pino';
import type { OperatorRow } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import { placeholderId, type QueueEntry } from '../queues/waiting-list.js';
import { headStartSec } from '../queues/priority.js';
import { CallTickets, type KnownTicket } from './call-tickets.js';
import { CallEvents } from './call-events.js';
import { CallDispatch } from './call-dispatch.js';
import { isOperatorsMiss } from './ring-miss.js';
import { silentPanels } from './panel.port.js';
import { silentPublisher } from '../outbound/outbound.service.js';
import { CallIvr } from './call-ivr.js';
import { CallOverflow } from './call-overflow.js';
import { CallConsult } from './call-consult.js';
import type { CallLedger } from './call-ledger.js';
import { updateCall } from './call.repository.js';
import { WriteBehind } from './write-behind.js';
import { CallSticky } from './call-sticky.js';
import { findAccountAssignedTicket } from './call-sticky.repository.js';
import type { CallRow, CallUpdate, HangupBy } from './call.table.js';
import { CallAnswer } from './call-answer.js';
import { CallHangup } from './call-hangup.js';
import { phaseOfRow, type CallPhase } from './call-phase.js';
import { CallSession } from './call-session.js';
import { LiveCalls, type LegKind } from './live-calls.js';
import { silentCallObserver, type CallObserver } from './call-observer.js';
import { snapshotOf, type CallSnapshot } from './call-snapshot.js';
import { CallbackCalls, type CallCore } from './callback-calls.js';
import { OutboundCalls, type OutboundCallSettings, type OutboundLimits } from './outbound-calls.js';
import type { CallbackPort, CallbackSink } from './callback.port.js';
import { reclaimCalls, sweepOrphanedRecordings } from './call-reclaim.js';
import { isFinal, type FinalStatus } from './call-state-machine.js';
import type { HangupCause, PbxEvent } from './pbx.port.js';
import type { CallServiceDeps } from './call.deps.js';

/** How long a queued caller waits at most for their verified account's ticket (sticky routing). */
const STICKY_LOOKUP_WAIT_MS = 500;

export type { CallServiceDeps } from './call.deps.js';

export class CallService implements CallCore, CallbackSink {
  /** The live calls: the one place their sessions, legs, waiting lists and busy operators are kept. */
  readonly live = new LiveCalls();
  readonly waiting = this.live.waiting;
  readonly busy = this.live.busy;
  private callbacks: CallbackCalls | undefined;
  private outbound: OutboundCalls | undefined;
  private readonly acd: CallDispatch;
  private readonly log: Logger;
  private readonly observer: CallObserver;
  private readonly callTickets: CallTickets;
  private readonly ivr: CallIvr;
  private readonly callEvents: CallEvents;
  private readonly overflow: CallOverflow;
  /** Warm transfers and conferences (the API drives them). */
  readonly consults: CallConsult;
  private readonly hangups: CallHangup;
  private readonly answers: CallAnswer;
  private draining = false;
  /** Writes the call causes beyond its row (operator states, the ticket's line), retried while Postgres is away. */
  private readonly behind: WriteBehind;
  /** What is known of callers' tickets, for ringing an assignee first (call-sticky.ts). */
  private readonly sticky: CallSticky;

  constructor(private readonly d: CallServiceDeps) {
    this.log = d.log.child({ component: 'calls' });
    this.observer = d.observer ?? silentCallObserver;
    this.behind = new WriteBehind(this.log);
    // Sticky routing: what is known of a caller's ticket reaches the ACD (call-sticky.ts).
    const sticky = (this.sticky = new CallSticky({ lines: d.lines, busy: this.busy, operators: d.operators, accountTicket: (id) => findAccountAssignedTicket(d.db, id), log: this.log }));
    // A live call's ticket and keyed number go through its row in the ledger (in order with its
    // other changes); a call already ended and written (a ticket made behind it) is updated directly.
    this.callTickets = new CallTickets(d.db, d.tickets, this.log, (id, patch) => {
      if (!d.ledger.has(id)) return updateCall(d.db, id, patch);
      d.ledger.update(id, patch);
    }, sticky);
    this.consults = new CallConsult(this, { db: d.db, tickets: d.tickets, ledger: d.ledger, pbx: d.pbx, operators: d.operators, panels: d.panels ?? silentPanels, log: this.log, ringTimeoutSec: d.settings.ringTimeoutSec });
    this.overflow = new CallOverflow(this, { db: d.db, tickets: d.tickets, ledger: d.ledger, pbx: d.pbx, log: this.log, flow: d.flow, staffed: d.staffed });
    this.callEvents = new CallEvents(d.db, d.events ?? silentPublisher);
    this.acd = new CallDispatch(this, { pbx: d.pbx, operators: d.operators, log: this.log, observer: this.observer, panels: d.panels ?? silentPanels, ringTimeoutSec: d.settings.ringTimeoutSec, sticky, lines: d.lines });
    this.answers = new CallAnswer(this, { ...d, panels: d.panels, log: this.log, recordLegs: d.settings.recordLegs ?? false });
    this.hangups = new CallHangup(this, { ...d, panels: d.panels, log: this.log, observer: this.observer, behind: this.behind, surveyTimeoutSec: d.settings.surveyTimeoutSec });
    this.ivr = new CallIvr({ ...d, log: this.log, sticky, callTickets: this.callTickets, callEvents: this.callEvents, onIvrStep: (ms) => this.observer.ivrStep(ms), onCallRow: (ms) => this.observer.callRow?.(ms) });
    d.pbx.onEvent((e) => this.handle(e));
    // The line whose head caller has waited longest first: a pass takes the free operator at once,
    // so in the operator's own order of lines, a line served only by operators for whom it is not
    // the first would be served only when their other lines are empty.
    d.operators.onAvailable({
      operatorAvailable: (lines) => {
        const head = (l: Line) => this.waiting.peek(l)?.rank ?? Number.POSITIVE_INFINITY;
        for (const l of [...lines].sort((a, b) => head(a) - head(b))) this.dispatch(l);
      },
    });
  }

  /** Callbacks plug in after both services exist (each needs the other). */
  useCallbacks(port: CallbackPort): void {
    this.callbacks = new CallbackCalls(this, port, {
      db: this.d.db,
      ledger: this.d.ledger,
      pbx: this.d.pbx,
      recordings: this.d.recordings,
      operators: this.d.operators,
      log: this.log.child({ component: 'callbacks' }),
      s: { ...this.d.settings.callback, defaultLanguage: this.d.settings.defaultLanguage, node: this.d.settings.node },
      staffed: this.d.staffed,
      lines: this.d.lines,
    });
  }

  /** Click-to-call (outbound-calls.ts) plugs in like callbacks: its number limits live with them. */
  useOutbound(limits: OutboundLimits, s: Omit<OutboundCallSettings, 'defaultLanguage' | 'node'>): OutboundCalls {
    const { panels = silentPanels, settings } = this.d;
    return (this.outbound = new OutboundCalls(this, { ...this.d, panels, limits, log: this.log.child({ component: 'outbound-calls' }), s: { ...s, defaultLanguage: settings.defaultLanguage, node: settings.node } }));
  }

  session(callId: string): CallSession | undefined {
    return this.live.session(callId);
  }

  setLeg(channelId: string, callId: string, leg: LegKind): void {
    this.live.setLeg(channelId, callId, leg);
  }

  /** Legs of a call, so that their hangups reach it (reclaim). */
  forgetLeg(channelId: string): void {
    this.live.forgetLeg(channelId);
  }

  /** Sessions for reclaim. */
  liveSessions(): ReadonlyMap<string, CallSession> {
    return this.live.all();
  }

  get callbackCalls(): CallbackCalls | undefined {
    return this.callbacks;
  }

  placeCallback(line: Line, callbackId: string, rank: number): void {
    this.waiting.insert(line, placeholderId(callbackId), rank);
    this.dispatch(line);
  }

  removeCallback(callbackId: string): void {
    this.waiting.remove(placeholderId(callbackId));
  }

  /** Who waits on a line, in order: callers and callback placeholders alike. */
  queueOf(line: Line): QueueEntry[] {
    return this.waiting.describe(line);
  }

  /** Live numbers for monitoring: calls by status and line, and per line the waiting callers. */
  snapshot(): CallSnapshot {
    return snapshotOf(this.live.all().values(), (line) => this.waiting.size(line), performance.now(), this.d.lines.ids());
  }

  /**
   * Shutdown: new callers are handed back to the dialplan (its fallback queue) while calls
   * already here go on. Resolves when none is left in the IVR, queued or ringing (bridged
   * calls are safe: Asterisk keeps them up and the next instance reclaims them), or at the deadline.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    const end = Date.now() + deadlineMs;
    while (Date.now() < end) {
      const unsettled = [...this.live.all().values()].filter((s) => s.status !== 'bridged');
      if (unsettled.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.log.warn({ left: this.live.all().size }, 'drain deadline reached; the next instance reclaims what is left');
  }

  private handle(e: PbxEvent): void {
    const run = (what: string, p: Promise<unknown>) =>
      p.catch((err: Error) => this.log.error({ err: err.message, stack: err.stack, event: e.type }, what));
    const outbound = this.outbound?.handle(e); // a click-to-call's answers are its own
    if (outbound) return void run('click-to-call answer failed', outbound);
    switch (e.type) {
      case 'inbound':
        // Shedding: the dialplan sends new callers to the fallback itself; these came in as the switch was thrown.
        if (this.draining || this.d.overload?.shedding) return void run('hand-back failed', this.handBack(e.channel.channelId));
        return void run('inbound call failed', this.ivr.inbound(e.channel, this));
      case 'operatorAnswered':
        return void run('operator answer failed', this.answers.answered(e.callId, e.channelId));
      case 'consultAnswered':
        return void run('colleague answer failed', this.consults.answered(e.callId, e.channelId));
      case 'customerAnswered': {
        const s = this.live.session(e.callId);
        if (!s || !this.callbacks) return void run('stray customer leg', this.d.pbx.hangup(e.channelId));
        return void run('callback answer failed', this.callbacks.customerAnswered(s));
      }
      case 'dtmf': {
        const leg = this.live.legOf(e.channelId);
        if (leg?.leg !== 'caller') return;
        const s = this.live.session(leg.callId);
        if (!s) return;
        // Which digit is never logged: it may be part of a one-time code.
        this.log.debug({ callId: leg.callId }, 'dtmf');
        if (s.phase.kind === 'queued' && e.digit === this.d.settings.callback.key && this.callbacks && !s.callbackId) {
          return void run('callback menu failed', this.callbacks.callerAsked(s));
        }
        s.pushDigit(e.digit);
        return;
      }
      case 'playbackFinished':
        for (const s of this.live.all().values()) if (s.playbackFinished(e.playbackId)) return;
        return;
      case 'channelGone':
        return void run('hangup handling failed', this.hangups.channelGone(e.channelId, e.cause));
      case 'recordingFinished':
        for (const s of this.live.all().values()) if (s.recordingFinished(e.name)) break;
        return void run('recording finish failed', this.d.recordings.finished(e.name));
      case 'recordingFailed':
        return void run('recording failure not recorded', this.d.recordings.failed(e.name, e.cause));
      case 'connected':
        this.d.overload?.reassert(); // a restarted Asterisk has forgotten the shed switch
        return void run('reclaim failed', reclaimCalls(this, { ...this.d, node: this.d.settings.node }));
      case 'disconnected':
        return;
    }
  }

  /** New callers not answered yet (an overload signal). */
  get unanswered(): number {
    return this.ivr.unanswered;
  }

  /** Draining or shedding: new callers go to the dialplan's fallback queue while calls here settle. */
  private async handBack(channelId: string): Promise<void> {
    this.log.info({ channelId }, 'draining or shedding: caller handed to the dialplan fallback');
    this.d.overload?.callerWhileShedding();
    await this.d.pbx.continueToFallback(channelId);
  }

  track(call: CallRow): CallSession {
    const s = new CallSession(
      call.id,
      call.caller_channel_id,
      call.caller_number,
      call.language === 'en' ? 'en' : 'ru',
      [...call.ivr_path],
      phaseOfRow(call),
      this.ivr.sessionDeps(),
    );
    Object.assign(s, {
      line: call.line, ticketId: call.ticket_id, operatorId: call.operator_id, operatorChannelId: call.operator_channel_id, bridgeId: call.bridge_id,
      recordingId: call.recording_id, verifiedAccountId: call.verified_account_id, callbackId: call.callback_id,
    } satisfies Partial<CallSession>);
    this.live.add(s);
    this.d.ledger.adopt(call);
    return s;
  }

  /**
   * A change of phase that changes the call's status: the phase table and the state machine check
   * it, the row changes in memory with `patch` as one transition, Postgres gets it behind.
   */
  async move(s: CallSession, next: CallPhase, patch: CallUpdate = {}, detail = {}): Promise<CallRow> {
    // A ticket found or made since the last change (CallTickets keeps it on the session) goes with it.
    const ticket = s.ticketId && this.d.ledger.row(s.callId)?.ticket_id !== s.ticketId ? { ticket_id: s.ticketId } : {};
    let written: CallRow | undefined;
    s.to(next, (from, to) => (written = this.d.ledger.transition(s.callId, from, to, { ...ticket, ...patch }, detail)));
    // A change of phase alone (no status change) is no transition: only its row's patch.
    const row = written ?? this.d.ledger.update(s.callId, { ...ticket, ...patch });
    if (!written) return row;
    const to = s.status;
    this.observer.transitioned?.(to, s.line);
    if (to === 'bridged' && 'answered_at' in patch) this.callEvents.emit('call.answered', row);
    else if (to === 'queued' && 'transfer' in detail) this.callEvents.emit('call.transferred', row, { transfer: (detail as { transfer: unknown }).transfer });
    else if (isFinal(to)) this.callEvents.emit('call.ended', row);
    return row;
  }

  async enqueue(s: CallSession, line: Line): Promise<void> {
    if (s.phase.kind !== 'ivr') return; // the caller left meanwhile
    // Chosen in the IVR (the callback verb): the menu opens once they have their place.
    const callbackAsked = s.phase.callbackAsked;
    s.line = line;
    // The music starts before the ticket and the row are written: the caller hears the queue
    // at once instead of silence while the database is busy.
    // Music is a nicety: a caller it could not start for (Asterisk busy) still takes their place
    // and is rung. One whose channel is gone is ended by its channelGone as usual.
    const moh = this.d.pbx.startMoh(s.callerChannelId).catch((err: Error) => this.log.warn({ callId: s.callId, err: err.message }, 'queue music not started'));
    s.ivrActed();
    // The ticket still asks Postgres. While it is away the caller is queued without one, and the
    // call gets its ticket when it ends (or later, see end()).
    // A verified caller's account ticket, looked up since the code was checked, is waited for
    // alongside (in parallel: no round trip of its own), so the ACD knows whom to ring first.
    const [ticketId] = await Promise.all([
      this.callTickets.ensure(s).catch((err: Error) => {
        this.log.warn({ callId: s.callId, err: err.message }, 'queued without a ticket for now');
        return null;
      }),
      // Bounded: a lookup slower than that (Postgres slow, not away) must not hold the caller out
      // of the line; its answer then rings nobody first (call-sticky.ts verified()).
      Promise.race([this.sticky.ready(s), new Promise<void>((r) => setTimeout(r, STICKY_LOOKUP_WAIT_MS).unref())]),
    ]);
    if (s.over) return; // hung up while the ticket was made: the call ends from the IVR
    await this.move(s, { kind: 'queued' }, { line, queued_at: new Date() }, { line });
    if (ticketId) this.behind.run(`ticket-${ticketId}`, 'ticket line', () => this.d.tickets.setLine(ticketId, line));
    await moh;
    // Priority as a head start (queues/priority.ts): ahead of those who called shortly before, never of everyone.
    const ticketPriority = ticketId ? await this.callTickets.priorityOf(s, ticketId) : null;
    const ahead = headStartSec({ verified: s.verifiedAccountId !== null, ticketPriority }, this.d.settings.priority);
    this.joinQueue(s, line, Date.now() - ahead * 1000);
    this.callbacks?.startOffers(s, line);
    await this.overflow.watch(s, line);
    // Asked in the IVR: the same menu as the queue's callback key, now that they have a place.
    if (callbackAsked && this.callbacks && s.in('queued')) await this.callbacks.callerAsked(s);
  }

  stopOffers(callId: string): void {
    this.callbacks?.stopOffers(callId);
  }

  /** An operator joined a bridge already recording (a transfer, a consult): their own leg too. */
  colleagueJoined(callId: string, channelId: string): Promise<void> {
    return this.answers.colleagueJoined(callId, channelId);
  }

  handedOver(row: CallRow, detail: Record<string, unknown>): void {
    this.callEvents.emit('call.transferred', row, detail);
  }

  /** A live call's ticket as made or found by this instance (the screen pop reads it instead of Postgres). */
  knownTicket(callId: string): KnownTicket | undefined {
    const s = this.session(callId);
    return s && this.callTickets.ticketOf(s);
  }

  ensureTicket(s: CallSession): Promise<string> {
    return this.callTickets.ensure(s);
  }

  joinQueue(s: CallSession, line: Line, rank: number): void {
    this.acd.joinQueue(s, line, rank);
  }

  dispatch(line: Line): void {
    this.acd.dispatch(line);
  }

  recheckQueues(): void {
    this.acd.recheck();
  }

  ring(s: CallSession, op: OperatorRow): Promise<void> {
    return this.acd.ring(s, op);
  }

  /** Ends the call as `to` (once: a call already ending is left to that). */
  end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void> {
    return this.hangups.end(s, to, cause, by);
  }

  /**
   * The rung operator did not pick up: the caller goes back to the head of the line. `pause`: the
   * operator paused as missed, if the miss was theirs (ring-miss.ts: not while shedding, not a phone never reached).
   */
  operatorMissed(s: CallSession, reason: string, pause = true, cause?: HangupCause): Promise<void> {
    if (this.outbound?.firstRing(s)) return this.outbound.operatorMissed(s, reason); // nobody to put back in a line
    // Not theirs: not paused, but rested for a ring's length (call-dispatch.ts) so the caller goes to someone else.
    const theirs = isOperatorsMiss({ cause, shedding: this.d.overload?.shedding ?? false });
    return this.acd.operatorMissed(s, reason, pause && theirs, cause, pause && !theirs);
  }

  /** The operator of a bridged call hung up. */
  operatorLeft(s: CallSession, cause: HangupCause): Promise<void> {
    return this.hangups.operatorLeft(s, cause);
  }

  stopTimers(callId: string): void {
    this.callbacks?.stopOffers(callId);
    this.overflow.forget(callId);
  }

  /** An operator's state change caused by a call: in order per operator, never in the caller's way. */
  operatorWrite(operatorId: string | null, what: string, fn: (id: string) => Promise<unknown>): void {
    if (operatorId) this.behind.run(`operator-${operatorId}`, `operator ${what}`, () => fn(operatorId));
  }

  /** Resolves when the writes behind calls are done, or after `deadlineMs` (shutdown: Postgres may be away). */
  async settled(deadlineMs: number): Promise<void> {
    await Promise.race([this.behind.settled(), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
  }

  /**
   * A call's row as this instance knows it: live calls (and ended ones whose last changes are not
   * in Postgres yet) from memory, so the API tells the truth before the row is written.
   */
  liveRow(callId: string): { row: CallRow; pendingEvents: ReturnType<CallLedger['pendingEvents']> } | undefined {
    const row = this.d.ledger.row(callId);
    return row ? { row, pendingEvents: this.d.ledger.pendingEvents(callId) } : undefined;
  }

  adoptFallback(row: CallRow): void {
    this.d.fallback?.adopt(row);
  }

  /** Archives what recordings of calls no longer live were left unarchived. */
  async sweepRecordings(): Promise<void> {
    // While the ledger still has changes to write, a spool file may have its row in them: it is no orphan.
    await sweepOrphanedRecordings(this.d.db, this.d.settings.node, this.d.recordings, this.log, this.d.ledger.stats().backlog === 0);
  }
}
