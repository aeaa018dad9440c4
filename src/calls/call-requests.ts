// What operators and supervisors ask of a live call through the API: a cold transfer to
// another line, hold, and the caller's one-time code mid-call. Kept apart from the call lifecycle
// (call.service.ts), which these requests only drive through its small CallControl surface.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import { CallNotBridgedError, CallOnHoldError, ForbiddenError, NoConsultationError, NoEscalationTargetError, NotFoundError, VerificationBusyError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import type { OperatorService } from '../operators/operator.service.js';
import { HEAD_RANK } from '../queues/waiting-list.js';
import type { TicketLines } from '../tickets/ticket.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallRow } from './call.table.js';
import { isTalking, type CallerPlace, type CallPhase } from './call-phase.js';
import type { CallSession } from './call-session.js';
import { verifyMidCall } from './mid-call-verification.js';
import type { PbxPort } from './pbx.port.js';

export interface CallControl {
  readonly busy: Set<string>;
  session(callId: string): CallSession | undefined;
  forgetLeg(channelId: string): void;
  move(s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<CallRow>;
  joinQueue(s: CallSession, line: Line, rank: number): void;
}

export class CallRequests {
  constructor(
    private readonly c: CallControl,
    private readonly d: {
      db: Db;
      tickets: TicketLines;
      ledger: CallLedger;
      pbx: PbxPort;
      operators: OperatorService;
      log: Logger;
      /** The escalation order (LineCatalog): where a transfer naming no line goes. */
      lines?: { next(line: Line): Line | null };
    },
  ) {}

  private get log(): Logger {
    return this.d.log;
  }

  /**
   * Cold transfer (escalation) to another line: the operator leaves, the caller stays in the
   * same bridge with music on hold, recording on, and goes to the head of that line's queue.
   * Ticket, IVR path and everything else stay on the one call row. No line named: the next line
   * up the escalation order (LineCatalog.next), e.g. second → third.
   */
  async transfer(callId: string, to: Line | undefined, by: Principal): Promise<CallRow> {
    const s = bridgedCallFor(this.c.session(callId), callId, by);
    const line = to ?? (s.line !== null ? this.d.lines?.next(s.line) : null);
    if (!line) throw new NoEscalationTargetError(callId, s.line);
    if (!s.operatorChannelId) throw new CallNotBridgedError(callId, s.status);
    // A colleague rung in is theirs to finish first (complete or cancel): the call cannot leave them in its bridge.
    if (s.phase.kind === 'consulting') throw new NoConsultationError(callId, 'a consultation or conference is under way: complete or cancel it first');
    // The caller is out of the bridge keying a code: the step puts them back when it ends.
    if (callerAt(s) === 'code') throw new VerificationBusyError(callId);
    // The line it leaves, for the record: reports count a move up the escalation order from it.
    const [fromOp, fromCh, bridgeId, fromLine] = [s.operatorId, s.operatorChannelId, s.bridgeId, s.line];
    if (isHeld(s)) await this.hold(callId, false, by); // the caller goes back into the bridge, which keeps them
    this.c.forgetLeg(fromCh); // its hangup below is ours, not the end of the call
    s.operatorId = null;
    s.operatorChannelId = null;
    s.line = line;
    await this.d.pbx.startBridgeMoh(bridgeId);
    await this.d.pbx.removeFromBridge(bridgeId, fromCh);
    await this.d.pbx.hangup(fromCh);
    if (fromOp) {
      this.c.busy.delete(fromOp);
      await this.d.operators.callEnded(fromOp, new Date(), callId).catch((err: Error) => this.log.error({ callId, err: err.message }, 'operator who transferred not released'));
    }
    const row = await this.c.move(s, { kind: 'queued' }, { line, operator_id: null, operator_channel_id: null }, { transfer: { fromOperatorId: fromOp, fromLine, toLine: line, by: by.role } });
    if (s.ticketId) await this.d.tickets.setLine(s.ticketId, line).catch((err: Error) => this.log.error({ callId, err: err.message }, 'ticket line not changed'));
    this.log.info({ callId, fromOperatorId: fromOp, fromLine, line }, 'call transferred');
    this.c.joinQueue(s, line, HEAD_RANK);
    return row;
  }

  /**
   * An operator asks the caller for their code mid-call. Answers at once (202); the outcome
   * shows on the call (`verification`) when the caller has keyed it.
   */
  async requestVerification(callId: string, by: Principal): Promise<CallRow> {
    const s = bridgedCallFor(this.c.session(callId), callId, by);
    if (callerAt(s) === 'code') throw new VerificationBusyError(callId);
    if (isHeld(s)) throw new CallOnHoldError(callId);
    const p = s.phase;
    // From here the caller is keying a code for this operator: no hold, no second request.
    if (isTalking(p)) s.to({ ...p, caller: { at: 'code', askedBy: s.operatorId } });
    this.log.info({ callId, by: by.role }, 'mid-call verification requested');
    void verifyMidCall({ db: this.d.db, pbx: this.d.pbx, log: this.log }, s);
    return this.d.ledger.row(callId) as CallRow;
  }

  /**
   * Hold: the caller leaves the bridge and hears music on hold; the operator stays in it (and
   * can talk to a colleague without the caller hearing). The recording goes on. Unhold puts
   * the caller back. The state is on the call row, so a restart keeps it.
   */
  async hold(callId: string, on: boolean, by: Principal): Promise<CallRow> {
    const s = bridgedCallFor(this.c.session(callId), callId, by);
    if (callerAt(s) === 'code') throw new VerificationBusyError(callId);
    if (isHeld(s) !== on) {
      await applyHold(this.d, s, on);
      this.log.info({ callId, by: by.role }, on ? 'caller on hold' : 'caller off hold');
    }
    return this.d.ledger.row(callId) as CallRow;
  }
}

/** Where a talking call's caller is (call-phase.ts CallerPlace); undefined when the call is not talking. */
export function callerAt(s: CallSession): CallerPlace['at'] | undefined {
  const p = s.phase;
  return isTalking(p) ? p.caller.at : undefined;
}

function isHeld(s: CallSession): boolean {
  return callerAt(s) === 'hold';
}

/** The caller out of the bridge with music (hold), or back into it: where the caller is in a talking call's phase. */
export async function applyHold(d: { ledger: CallLedger; pbx: PbxPort }, s: CallSession, on: boolean): Promise<void> {
  // Only between the bridge and hold: a caller keying a code is neither (the requests refuse it).
  if (callerAt(s) !== (on ? 'bridge' : 'hold') || !s.bridgeId) return;
  if (on) {
    await d.pbx.removeFromBridge(s.bridgeId, s.callerChannelId);
    await d.pbx.startMoh(s.callerChannelId);
  } else {
    await d.pbx.stopMoh(s.callerChannelId);
    await d.pbx.addToBridge(s.bridgeId, s.callerChannelId);
  }
  // Read again after the round trips: a colleague may have answered meanwhile (their data is kept).
  const p = s.phase;
  if (isTalking(p)) s.to({ ...p, caller: on ? { at: 'hold' } : { at: 'bridge' } });
  d.ledger.update(s.callId, { on_hold: on });
  // In call_events too, so a hold's length can be told afterwards (QA's long-holds review filter).
  d.ledger.event(s.callId, { hold: on });
}

/**
 * The live, bridged call an API request acts on: 404 when it is not live here, 403 for an
 * operator who is not on it, 409 when nobody is talking on it yet.
 */
export function bridgedCallFor(s: CallSession | undefined, callId: string, by: Principal): CallSession & { bridgeId: string } {
  if (!s) throw new NotFoundError('live call', callId);
  if (by.role === 'operator' && by.operatorId !== s.operatorId) throw new ForbiddenError(by.role, ['admin', 'supervisor', 'the operator on the call']);
  // Talking: bridged, with or without a colleague; not in the survey (the operator has gone) nor ending.
  if (!isTalking(s.phase) || !s.bridgeId) throw new CallNotBridgedError(callId, s.status);
  return s as CallSession & { bridgeId: string };
}
