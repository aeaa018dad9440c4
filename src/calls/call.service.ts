// The call lifecycle: inbound → ticket → IVR → queue → operator rung → bridged and recorded
// → ended. Each status change is persisted through transitionCall; PBX events drive it.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { IvrFlow } from '../ivr/ivr-flow.js';
import { runFlow } from '../ivr/ivr-runner.js';
import type { Language } from '../ivr/ivr-context.js';
import { listAvailableOperators } from '../operators/operator.repository.js';
import type { Line } from '../operators/operator.table.js';
import type { OperatorService } from '../operators/operator.service.js';
import { WaitingLists } from '../queues/waiting-list.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import { setTicketLine } from '../tickets/ticket.repository.js';
import { CallTickets } from './call-tickets.js';
import { insertCall, listActiveCalls, transitionCall } from './call.repository.js';
import type { CallRow, HangupBy } from './call.table.js';
import { CallSession, CallerGoneError } from './call-session.js';
import { silentCallObserver, type CallObserver } from './call-observer.js';
import { snapshotOf, type CallSnapshot } from './call-snapshot.js';
import type { Principal } from '../auth/token.service.js';
import { CallNotBridgedError, ForbiddenError, NotFoundError } from '../errors.js';
import { endStatusOnCallerHangup, isFinal, type CallStatus } from './call-state-machine.js';
import type { HangupCause, InboundChannel, PbxEvent, PbxPort } from './pbx.port.js';

export interface CallServiceDeps {
  db: Kysely<Database>;
  pbx: PbxPort;
  tickets: TicketService;
  recordings: RecordingService;
  operators: OperatorService;
  flow: () => IvrFlow;
  log: Logger;
  observer?: CallObserver;
  settings: { promptsDir: string; defaultLanguage: Language; ringTimeoutSec: number };
}

type Leg = { callId: string; leg: 'caller' | 'operator' };

export class CallService {
  private readonly sessions = new Map<string, CallSession>();
  private readonly legs = new Map<string, Leg>();
  private readonly waiting = new WaitingLists();
  /** Operators ringing or talking: not offered another call. */
  private readonly busy = new Set<string>();
  private readonly dispatching = new Map<Line, Promise<void>>();
  private readonly log: Logger;
  private readonly observer: CallObserver;
  private readonly callTickets: CallTickets;
  private draining = false;

  constructor(private readonly d: CallServiceDeps) {
    this.log = d.log.child({ component: 'calls' });
    this.observer = d.observer ?? silentCallObserver;
    this.callTickets = new CallTickets(d.db, d.tickets, this.log);
    d.pbx.onEvent((e) => this.handle(e));
    d.operators.onAvailable({ operatorAvailable: (line) => this.dispatch(line) });
  }

  /** Live numbers for monitoring: calls by status and line, and per line the waiting callers. */
  snapshot(): CallSnapshot {
    return snapshotOf(this.sessions.values(), (line) => this.waiting.size(line));
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
      const unsettled = [...this.sessions.values()].filter((s) => s.status !== 'bridged');
      if (unsettled.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.log.warn({ left: this.sessions.size }, 'drain deadline reached; the next instance reclaims what is left');
  }

  private handle(e: PbxEvent): void {
    const run = (what: string, p: Promise<unknown>) =>
      p.catch((err: Error) => this.log.error({ err: err.message, stack: err.stack, event: e.type }, what));
    switch (e.type) {
      case 'inbound':
        return void run('inbound call failed', this.onInbound(e.channel));
      case 'operatorAnswered':
        return void run('operator answer failed', this.onOperatorAnswered(e.callId, e.channelId));
      case 'dtmf': {
        const leg = this.legs.get(e.channelId);
        if (leg?.leg === 'caller') {
          this.sessions.get(leg.callId)?.pushDigit(e.digit);
          this.log.debug({ callId: leg.callId, digit: e.digit }, 'dtmf');
        }
        return;
      }
      case 'playbackFinished':
        for (const s of this.sessions.values()) if (s.playbackFinished(e.playbackId)) return;
        return;
      case 'channelGone':
        return void run('hangup handling failed', this.onChannelGone(e.channelId, e.cause));
      case 'recordingFinished':
        return void run('recording finish failed', this.d.recordings.finished(e.name));
      case 'recordingFailed':
        return void run('recording failure not recorded', this.d.recordings.failed(e.name, e.cause));
      case 'connected':
        return void run('reclaim failed', this.reclaim());
      case 'disconnected':
        return;
    }
  }

  private async onInbound(ch: InboundChannel): Promise<void> {
    if (this.draining) {
      this.log.info({ channelId: ch.channelId }, 'draining: caller handed to the dialplan fallback');
      await this.d.pbx.continueToFallback(ch.channelId);
      return;
    }
    const lang = ch.language === 'en' || ch.language === 'ru' ? ch.language : this.d.settings.defaultLanguage;
    // The ticket comes later: the caller may key an existing one in the IVR (ensureTicket).
    const call = await insertCall(this.d.db, {
      caller_number: ch.callerNumber,
      dialled_number: ch.dialledNumber,
      language: lang,
      status: 'ivr',
      caller_channel_id: ch.channelId,
    });
    const log = this.log.child({ callId: call.id, ticketId: call.ticket_id });
    log.info({ caller: ch.callerNumber, dialled: ch.dialledNumber }, 'call entered');
    const s = this.track(call);
    await this.d.pbx.answer(ch.channelId);
    let line: Line | 'hangup';
    try {
      line = await runFlow(this.d.flow(), s);
    } catch (err) {
      if (err instanceof CallerGoneError) return; // onChannelGone ends the call
      throw err;
    }
    log.info({ line, ivrPath: s.ivrPath }, 'IVR done');
    if (line === 'hangup') {
      // The caller's channel going away ends the call (and gives it its ticket) as usual.
      await this.d.pbx.hangup(s.callerChannelId);
      return;
    }
    await this.enqueue(s, line);
  }

  private track(call: CallRow): CallSession {
    const s = new CallSession(
      call.id,
      call.caller_channel_id,
      call.caller_number,
      call.language === 'en' ? 'en' : 'ru',
      [...call.ivr_path],
      call.status,
      {
        db: this.d.db,
        pbx: this.d.pbx,
        promptsDir: this.d.settings.promptsDir,
        onIvrStep: (ms) => this.observer.ivrStep(ms),
        attachTicket: (sess, keyed) => this.callTickets.attach(sess, keyed),
      },
    );
    s.line = call.line;
    s.ticketId = call.ticket_id;
    s.operatorId = call.operator_id;
    s.operatorChannelId = call.operator_channel_id;
    s.bridgeId = call.bridge_id;
    s.recordingId = call.recording_id;
    this.sessions.set(call.id, s);
    this.legs.set(call.caller_channel_id, { callId: call.id, leg: 'caller' });
    if (call.operator_channel_id) this.legs.set(call.operator_channel_id, { callId: call.id, leg: 'operator' });
    return s;
  }

  private async move(s: CallSession, to: CallStatus, patch: Parameters<typeof transitionCall>[4] = {}, detail = {}) {
    const row = await transitionCall(this.d.db, s.callId, s.status, to, patch, detail);
    if (!row) throw new Error(`call ${s.callId} was not in ${s.status}`);
    s.status = to;
    return row;
  }

  private async enqueue(s: CallSession, line: Line): Promise<void> {
    if (s.gone) return;
    s.line = line;
    s.ivrActed();
    const ticketId = await this.callTickets.ensure(s);
    await this.move(s, 'queued', { line, queued_at: new Date() }, { line });
    await setTicketLine(this.d.db, ticketId, line);
    await this.d.pbx.startMoh(s.callerChannelId);
    this.joinQueue(s, line, 'tail');
  }

  /** Puts a caller in a line's waiting list (head: they waited already) and offers them to operators. */
  private joinQueue(s: CallSession, line: Line, where: 'head' | 'tail'): void {
    s.queuedAt = performance.now();
    if (where === 'head') this.waiting.returnToHead(line, s.callId);
    else this.waiting.push(line, s.callId);
    this.dispatch(line);
  }

  /** Offers waiting callers to free operators. Serialised per line so nobody is rung twice. */
  dispatch(line: Line): void {
    const prev = this.dispatching.get(line) ?? Promise.resolve();
    const next = prev
      .then(() => this.dispatchOnce(line))
      .catch((err: Error) => this.log.error({ err: err.message, line }, 'dispatch failed'));
    this.dispatching.set(line, next);
  }

  private async dispatchOnce(line: Line): Promise<void> {
    while (this.waiting.size(line) > 0) {
      const free = (await listAvailableOperators(this.d.db, line)).filter((o) => !this.busy.has(o.id));
      const op = free[0];
      if (!op) return;
      const callId = this.waiting.shift(line) as string;
      const s = this.sessions.get(callId);
      if (!s || s.gone || s.status !== 'queued') continue;
      const channelId = randomUUID();
      this.busy.add(op.id);
      s.operatorId = op.id;
      s.operatorChannelId = channelId;
      this.legs.set(channelId, { callId, leg: 'operator' });
      await this.move(s, 'ringing', { operator_id: op.id, operator_channel_id: channelId }, { operatorId: op.id });
      this.log.info({ callId, operatorId: op.id, line }, 'ringing operator');
      if (s.queuedAt !== undefined) this.observer.queueToRing(performance.now() - s.queuedAt, line);
      try {
        await this.d.pbx.dial({
          endpoint: op.sip_username,
          channelId,
          callId,
          callerId: s.callerNumber ?? 'unknown',
          timeoutSec: this.d.settings.ringTimeoutSec,
        });
      } catch (err) {
        this.log.warn({ callId, operatorId: op.id, err: (err as Error).message }, 'operator could not be dialled');
        this.legs.delete(channelId);
        await this.operatorMissed(s, 'unreachable');
      }
    }
  }

  /** The rung operator did not pick up: the caller goes back to the head of the line. */
  private async operatorMissed(s: CallSession, reason: string): Promise<void> {
    const opId = s.operatorId;
    if (opId) {
      this.busy.delete(opId);
      await this.d.operators.missed(opId);
    }
    s.operatorId = null;
    s.operatorChannelId = null;
    if (s.gone || s.status !== 'ringing') return;
    await this.move(s, 'queued', { operator_id: null, operator_channel_id: null }, { missedBy: opId, reason });
    if (s.line) this.joinQueue(s, s.line, 'head');
  }

  /**
   * Cold transfer (escalation) to another line: the operator leaves, the caller stays in the
   * same bridge with music on hold, recording on, and goes to the head of that line's queue.
   * Ticket, IVR path and everything else stay on the one call row.
   */
  async transfer(callId: string, line: Line, by: Principal): Promise<CallRow> {
    const s = this.sessions.get(callId);
    if (!s) throw new NotFoundError('live call', callId);
    if (by.role === 'operator' && by.operatorId !== s.operatorId) throw new ForbiddenError(by.role, ['admin', 'supervisor', 'the operator on the call']);
    if (s.status !== 'bridged' || !s.bridgeId || !s.operatorChannelId) throw new CallNotBridgedError(callId, s.status);
    const [fromOp, fromCh, bridgeId] = [s.operatorId, s.operatorChannelId, s.bridgeId];
    this.legs.delete(fromCh); // its hangup below is ours, not the end of the call
    s.operatorId = null;
    s.operatorChannelId = null;
    s.line = line;
    await this.d.pbx.startBridgeMoh(bridgeId);
    await this.d.pbx.removeFromBridge(bridgeId, fromCh);
    await this.d.pbx.hangup(fromCh);
    if (fromOp) {
      this.busy.delete(fromOp);
      await this.d.operators.callEnded(fromOp, new Date());
    }
    const row = await this.move(s, 'queued', { line, operator_id: null, operator_channel_id: null }, { transfer: { fromOperatorId: fromOp, toLine: line, by: by.role } });
    if (s.ticketId) await setTicketLine(this.d.db, s.ticketId, line);
    this.log.info({ callId, fromOperatorId: fromOp, line }, 'call transferred');
    this.joinQueue(s, line, 'head');
    return row;
  }

  private async onOperatorAnswered(callId: string, channelId: string): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.gone || s.status !== 'ringing' || s.operatorChannelId !== channelId) {
      // The caller left while this operator's phone rang: release the operator.
      await this.d.pbx.hangup(channelId);
      return;
    }
    if (s.bridgeId) {
      // A transferred call: the caller is still in the bridge, which goes on recording.
      await this.d.pbx.stopBridgeMoh(s.bridgeId);
      await this.d.pbx.addToBridge(s.bridgeId, channelId);
      await this.move(s, 'bridged', {}, { operatorId: s.operatorId });
      if (s.operatorId) await this.d.operators.callStarted(s.operatorId);
      this.log.info({ callId, operatorId: s.operatorId }, 'transferred call answered');
      return;
    }
    const bridgeId = randomUUID();
    const name = `call-${callId}`;
    await this.d.pbx.stopMoh(s.callerChannelId);
    const rec = await this.d.recordings.started(this.d.db, callId, name);
    s.bridgeId = bridgeId;
    s.recordingId = rec.id;
    await this.move(s, 'bridged', { answered_at: new Date(), bridge_id: bridgeId, recording_id: rec.id });
    if (s.operatorId) await this.d.operators.callStarted(s.operatorId);
    await this.d.pbx.bridgeAndRecord(bridgeId, [s.callerChannelId, channelId], name);
    this.log.info({ callId, operatorId: s.operatorId, recordingId: rec.id }, 'bridged and recording');
  }

  private async onChannelGone(channelId: string, cause: HangupCause): Promise<void> {
    const leg = this.legs.get(channelId);
    if (!leg) return;
    this.legs.delete(channelId);
    const s = this.sessions.get(leg.callId);
    if (!s || s.ended) return;
    if (leg.leg === 'operator') {
      if (s.status === 'ringing') return this.operatorMissed(s, 'no-answer');
      if (s.status !== 'bridged') return;
      await this.end(s, 'completed', cause, 'operator');
      await this.d.pbx.hangup(s.callerChannelId);
      return;
    }
    s.callerGone();
    this.waiting.remove(s.callId);
    await this.end(s, endStatusOnCallerHangup(s.status), cause, 'caller');
  }

  private async end(s: CallSession, to: CallStatus, cause: HangupCause, by: HangupBy): Promise<void> {
    if (s.ended || isFinal(s.status)) return;
    s.ended = true;
    await this.callTickets.ensure(s).catch((err: Error) => this.log.error({ callId: s.callId, err: err.message }, 'no ticket for the call'));
    const at = new Date();
    await this.move(s, to, { ended_at: at, hangup_cause: cause.text, hangup_cause_code: cause.code, hangup_by: by }, { by });
    this.sessions.delete(s.callId);
    this.legs.delete(s.callerChannelId);
    if (s.operatorChannelId) {
      this.legs.delete(s.operatorChannelId);
      await this.d.pbx.hangup(s.operatorChannelId).catch(() => undefined);
    }
    // Destroying the bridge stops its recording: RecordingFinished then archives it (and if that
    // event never comes, the recording service's safety net does).
    if (s.bridgeId) await this.d.pbx.destroyBridge(s.bridgeId).catch(() => undefined);
    if (s.recordingId) this.d.recordings.callEnded(s.recordingId);
    if (s.operatorId) {
      this.busy.delete(s.operatorId);
      // Only an operator who talked gets wrap-up; one rung but not answered was handled as missed.
      if (to === 'completed') await this.d.operators.callEnded(s.operatorId, at);
    }
    this.log.info({ callId: s.callId, status: to, by, cause: cause.text }, 'call ended');
    this.observer.callEnded(to, s.line);
    if (s.line) this.dispatch(s.line);
  }

  /**
   * After every (re)connect: calls Postgres thinks are live are matched against the channels
   * Asterisk has. Channels left in the app while we were away are taken back (ARI does not
   * hand them over by itself); calls whose caller is gone are closed, never left open.
   */
  private async reclaim(): Promise<void> {
    const channels = await this.d.pbx.listChannelIds();
    const active = await listActiveCalls(this.d.db);
    for (const call of active) {
      const known = this.sessions.get(call.id);
      if (!channels.has(call.caller_channel_id)) {
        const s = known ?? this.track(call);
        s.callerGone();
        this.waiting.remove(call.id);
        const to = endStatusOnCallerHangup(s.status);
        // Asterisk restarted, or the caller hung up while nobody listened to ARI.
        await this.end(s, to, { code: 0, text: 'Channel gone while the service was disconnected from Asterisk' }, 'system');
        continue;
      }
      if (known) continue;
      const s = this.track(call);
      this.log.info({ callId: call.id, status: call.status }, 'reclaiming call');
      if (call.status === 'bridged') {
        if (s.operatorId) this.busy.add(s.operatorId);
        continue;
      }
      if (call.status === 'ringing') {
        if (s.operatorChannelId) {
          this.legs.delete(s.operatorChannelId);
          await this.d.pbx.hangup(s.operatorChannelId);
        }
        s.operatorId = null;
        s.operatorChannelId = null;
        await this.move(s, 'queued', { operator_id: null, operator_channel_id: null }, { reclaimed: true });
      }
      // The IVR cannot resume mid-prompt: a reclaimed caller goes to their line (first if unknown).
      if (s.status === 'ivr') {
        await this.enqueue(s, 'first');
        continue;
      }
      await this.d.pbx.startMoh(s.callerChannelId).catch(() => undefined);
      this.joinQueue(s, s.line ?? 'first', 'tail');
    }
    await this.sweepRecordings();
  }

  /** Archives what recordings of calls no longer live were left unarchived. */
  async sweepRecordings(): Promise<void> {
    const live = new Set((await listActiveCalls(this.d.db)).map((c) => c.id));
    const swept = await this.d.recordings.sweep(live);
    if (swept) this.log.info({ swept }, 'orphaned recordings queued for archiving');
  }
}
