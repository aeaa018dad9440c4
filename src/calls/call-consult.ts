// Warm transfer and conference. The operator on the call rings a colleague (a named operator or
// supervisor) into the call's own bridge: for a consultation the caller is put on hold first
// (out of the bridge, music), for a conference the caller stays and hears both. `complete`
// hands the call over: the first operator leaves, the caller (back from hold) stays with the
// colleague, and the ticket, verification and IVR history stay on the one call row. `cancel`
// lets the colleague go and the caller returns to the first operator. The bridge is the same
// throughout, so the recording is one file.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import { NoConsultationError, NotFoundError, OperatorUnavailableError } from '../errors.js';
import { findOperatorById } from '../operators/operator.repository.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallRow } from './call.table.js';
import type { CallSession } from './call-session.js';
import type { PbxPort } from './pbx.port.js';
import type { PanelPort } from './panel.port.js';
import { applyHold, bridgedCallFor } from './call-requests.js';
import { setTicketLine } from '../tickets/ticket.repository.js';

export interface ConsultTarget {
  readonly busy: Set<string>;
  session(callId: string): CallSession | undefined;
  setLeg(channelId: string, callId: string, leg: 'operator' | 'consult'): void;
  forgetLeg(channelId: string): void;
  /** A colleague joined the bridge (their leg may be recorded on its own). */
  colleagueJoined(callId: string, channelId: string): Promise<void>;
  /** The call changed hands (warm transfer completed): an outbound event. */
  handedOver(row: CallRow, detail: Record<string, unknown>): void;
}

export class CallConsult {
  constructor(private readonly t: ConsultTarget, private readonly d: { db: Db; ledger: CallLedger; pbx: PbxPort; operators: OperatorService; panels: PanelPort; log: Logger; ringTimeoutSec: number }) {}

  private live(callId: string, by: Principal): CallSession & { bridgeId: string } {
    return bridgedCallFor(this.t.session(callId), callId, by);
  }

  /** Rings `operatorId` into the call: `consult` puts the caller on hold first, `conference` does not. */
  async start(callId: string, operatorId: string, mode: 'consult' | 'conference', by: Principal): Promise<CallRow> {
    const s = this.live(callId, by);
    if (s.consult) throw new NoConsultationError(callId, 'a consultation or conference is already under way');
    const op = await findOperatorById(this.d.db, operatorId);
    if (!op) throw new NotFoundError('operator', operatorId);
    if (op.id === s.operatorId) throw new OperatorUnavailableError(operatorId, 'already on this call');
    if (op.state === 'offline' || this.t.busy.has(op.id)) throw new OperatorUnavailableError(operatorId, op.state === 'offline' ? 'offline' : 'on another call');
    const channelId = randomUUID();
    s.consult = { operatorId: op.id, line: op.line, channelId, mode, answered: false };
    this.t.busy.add(op.id);
    this.t.setLeg(channelId, callId, 'consult');
    if (mode === 'consult' && !s.onHold) await applyHold(this.d, s, true);
    this.d.log.info({ callId, operatorId: op.id, mode }, 'ringing a colleague into the call');
    this.d.panels.ringing(op.id, callId); // the colleague sees the caller and ticket before picking up
    await this.d.pbx.dial({ endpoint: op.sip_username, channelId, callId, callerId: s.callerNumber ?? 'unknown', timeoutSec: this.d.ringTimeoutSec, purpose: 'consult' });
    return this.d.ledger.row(callId) as CallRow;
  }

  /** The colleague picked up: into the bridge (with the operator, and the caller for a conference). */
  async answered(callId: string, channelId: string): Promise<void> {
    const s = this.t.session(callId);
    if (!s?.consult || s.consult.channelId !== channelId || !s.bridgeId) {
      await this.d.pbx.hangup(channelId);
      return;
    }
    await this.d.pbx.addToBridge(s.bridgeId, channelId);
    s.consult.answered = true;
    // The operator's state is their record, not the call's: Postgres away must not stop the consult.
    await this.d.operators.callStarted(s.consult.operatorId).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'colleague not marked on call'));
    this.d.log.info({ callId, operatorId: s.consult.operatorId }, 'colleague joined the call');
    await this.t.colleagueJoined(callId, channelId);
  }

  /** The first operator leaves; the colleague has the call (and the caller, back from hold). */
  async complete(callId: string, by: Principal): Promise<CallRow> {
    const s = this.live(callId, by);
    if (!s.consult?.answered) throw new NoConsultationError(callId, 'no colleague has joined the call');
    await this.handOver(s, by.role);
    return this.d.ledger.row(callId) as CallRow;
  }

  /** Also when the first operator simply hangs up once the colleague is on: the colleague keeps the call. */
  async handOver(s: CallSession, by: string): Promise<void> {
    const c = s.consult;
    if (!c?.answered || !s.bridgeId) return;
    const callId = s.callId;
    const [fromOp, fromCh] = [s.operatorId, s.operatorChannelId];
    if (fromCh) {
      this.t.forgetLeg(fromCh); // its hangup below is ours, not the end of the call
      await this.d.pbx.removeFromBridge(s.bridgeId as string, fromCh);
      await this.d.pbx.hangup(fromCh);
    }
    if (fromOp) {
      this.t.busy.delete(fromOp);
      await this.d.operators.callEnded(fromOp, new Date(), callId).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'operator who handed over not released'));
    }
    s.operatorId = c.operatorId;
    s.operatorChannelId = c.channelId;
    s.consult = undefined;
    this.t.setLeg(c.channelId, callId, 'operator');
    if (s.onHold) await applyHold(this.d, s, false);
    // Handing a first-line call to a second-line colleague is an escalation: the ticket follows
    // (its line, and the second line's right to see it), as with a transfer to the line.
    const escalated = s.ticketId !== null && c.line !== s.line;
    if (escalated) s.line = c.line;
    const row = this.d.ledger.update(callId, { operator_id: c.operatorId, operator_channel_id: c.channelId, ...(escalated ? { line: c.line } : {}) });
    if (escalated && s.ticketId) await setTicketLine(this.d.db, s.ticketId, c.line).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'ticket line not changed'));
    // The panels: the one who handed over is done with it, the colleague now owns it.
    if (fromOp) this.d.panels.callOver(fromOp, callId, 'ended');
    this.d.panels.callOver(c.operatorId, callId, 'answered');
    const handedOver = { fromOperatorId: fromOp, toOperatorId: c.operatorId, mode: c.mode, by };
    this.d.ledger.event(callId, { handedOver });
    this.t.handedOver(row, { transfer: { ...handedOver, kind: 'warm' } });
    this.d.log.info({ callId, fromOperatorId: fromOp, toOperatorId: c.operatorId, mode: c.mode }, 'call handed over');
  }

  /** The colleague goes (or never answered); the caller is back with the first operator. */
  async cancel(callId: string, by: Principal): Promise<CallRow> {
    const s = this.live(callId, by);
    if (!s.consult) throw new NoConsultationError(callId, 'no consultation or conference to cancel');
    await this.release(s, 'cancelled');
    return this.d.ledger.row(callId) as CallRow;
  }

  /** The colleague's leg went away by itself (no answer, or they hung up). */
  async colleagueGone(s: CallSession): Promise<void> {
    if (s.consult) await this.release(s, 'colleague left');
  }

  async release(s: CallSession, why: string): Promise<void> {
    const c = s.consult;
    if (!c) return;
    s.consult = undefined;
    this.t.forgetLeg(c.channelId);
    await this.d.pbx.hangup(c.channelId);
    this.t.busy.delete(c.operatorId);
    if (c.answered) await this.d.operators.callEnded(c.operatorId, new Date()).catch((err: Error) => this.d.log.error({ callId: s.callId, err: err.message }, 'colleague not released'));
    if (s.onHold && !s.gone && !s.ended) await applyHold(this.d, s, false);
    this.d.log.info({ callId: s.callId, operatorId: c.operatorId, why }, 'colleague released');
  }
}
