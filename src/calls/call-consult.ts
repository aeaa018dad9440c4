// Warm transfer and conference. The operator on the call rings a colleague (a named operator or
// supervisor) into the call's own bridge: for a consultation the caller is put on hold first
// (out of the bridge, music), for a conference the caller stays and hears both. `complete`
// hands the call over: the first operator leaves, the caller (back from hold) stays with the
// colleague, and the ticket, verification and IVR history stay on the one call row. `cancel`
// lets the colleague go and the caller returns to the first operator. The bridge is the same
// throughout, so the recording is one file. Meanwhile the call's phase is `consulting` (its row
// stays `bridged`), which holds the colleague; it goes back to `bridged` when they are let go.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/token.service.js';
import { CallNotBridgedError, NoConsultationError, NotFoundError, OperatorUnavailableError, VerificationBusyError } from '../errors.js';
import { findOperatorById } from '../operators/operator.repository.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallRow } from './call.table.js';
import type { Colleague } from './call-phase.js';
import type { CallSession } from './call-session.js';
import type { PbxPort } from './pbx.port.js';
import type { PanelPort } from './panel.port.js';
import { applyHold, bridgedCallFor, callerAt } from './call-requests.js';
import type { TicketLines } from '../tickets/ticket.service.js';

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
  constructor(private readonly t: ConsultTarget, private readonly d: { db: Db; tickets: TicketLines; ledger: CallLedger; pbx: PbxPort; operators: OperatorService; panels: PanelPort; log: Logger; ringTimeoutSec: number }) {}

  private live(callId: string, by: Principal): CallSession & { bridgeId: string } {
    return bridgedCallFor(this.t.session(callId), callId, by);
  }

  /** Rings `operatorId` into the call: `consult` puts the caller on hold first, `conference` does not. */
  async start(callId: string, operatorId: string, mode: 'consult' | 'conference', by: Principal): Promise<CallRow> {
    const s = this.live(callId, by);
    const underWay = () => new NoConsultationError(callId, 'a consultation or conference is already under way');
    if (s.in('consulting')) throw underWay();
    // A private word with a colleague while the caller keys a code would be heard by the caller
    // when the step puts them back into the bridge: one thing at a time.
    if (callerAt(s) === 'code') throw new VerificationBusyError(callId);
    const op = await findOperatorById(this.d.db, operatorId);
    if (!op) throw new NotFoundError('operator', operatorId);
    if (op.id === s.operatorId) throw new OperatorUnavailableError(operatorId, 'already on this call');
    if (op.state === 'offline' || this.t.busy.has(op.id)) throw new OperatorUnavailableError(operatorId, op.state === 'offline' ? 'offline' : 'on another call');
    // Looked at again after the lookup: another request (or the call's end) may have come first.
    const p = s.phase;
    if (p.kind === 'consulting') throw underWay();
    if (p.kind !== 'bridged') throw new CallNotBridgedError(callId, s.status);
    if (p.caller.at === 'code') throw new VerificationBusyError(callId);
    const channelId = randomUUID();
    // The line the call would go to with them: the call's own when they serve it, else their home line.
    const line = s.line !== null && op.lines.includes(s.line) ? s.line : op.line;
    s.to({ kind: 'consulting', caller: p.caller, colleague: { operatorId: op.id, line, channelId, mode, answered: false } });
    this.t.busy.add(op.id);
    this.t.setLeg(channelId, callId, 'consult');
    if (mode === 'consult' && p.caller.at === 'bridge') await applyHold(this.d, s, true);
    this.d.log.info({ callId, operatorId: op.id, mode }, 'ringing a colleague into the call');
    this.d.panels.ringing(op.id, callId); // the colleague sees the caller and ticket before picking up
    await this.d.pbx.dial({ endpoint: op.sip_username, channelId, callId, callerId: s.callerNumber ?? 'unknown', timeoutSec: this.d.ringTimeoutSec, purpose: 'consult' });
    return this.d.ledger.row(callId) as CallRow;
  }

  /** The colleague picked up: into the bridge (with the operator, and the caller for a conference). */
  async answered(callId: string, channelId: string): Promise<void> {
    const s = this.t.session(callId);
    const ringing = (x: CallSession): Colleague | undefined => {
      const p = x.phase;
      return p.kind === 'consulting' && p.colleague.channelId === channelId ? p.colleague : undefined;
    };
    if (!s || !ringing(s) || !s.bridgeId) {
      await this.d.pbx.hangup(channelId);
      return;
    }
    await this.d.pbx.addToBridge(s.bridgeId, channelId);
    // Still theirs after the round trip? (Cancelled, or the call ended meanwhile: their leg is being hung up.)
    const p = s.phase;
    const c = ringing(s);
    if (p.kind !== 'consulting' || !c) return;
    s.to({ ...p, colleague: { ...c, answered: true } });
    // The operator's state is their record, not the call's: Postgres away must not stop the consult.
    await this.d.operators.callStarted(c.operatorId).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'colleague not marked on call'));
    this.d.log.info({ callId, operatorId: c.operatorId }, 'colleague joined the call');
    await this.t.colleagueJoined(callId, channelId);
  }

  /** The first operator leaves; the colleague has the call (and the caller, back from hold). */
  async complete(callId: string, by: Principal): Promise<CallRow> {
    const s = this.live(callId, by);
    const p = s.phase;
    if (p.kind !== 'consulting' || !p.colleague.answered) throw new NoConsultationError(callId, 'no colleague has joined the call');
    await this.handOver(s, by.role);
    return this.d.ledger.row(callId) as CallRow;
  }

  /** Also when the first operator simply hangs up once the colleague is on: the colleague keeps the call. */
  async handOver(s: CallSession, by: string): Promise<void> {
    const p = s.phase;
    if (p.kind !== 'consulting' || !p.colleague.answered || !s.bridgeId) return;
    const c = p.colleague;
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
    const now = s.phase;
    if (now.kind === 'consulting') s.to({ kind: 'bridged', caller: now.caller });
    this.t.setLeg(c.channelId, callId, 'operator');
    await applyHold(this.d, s, false); // the caller back from hold, with the colleague
    // Handing a call to a colleague who does not serve its line moves it to theirs: the ticket
    // follows (its line, and when that line is above in the escalation order, an escalation: that
    // line's right to see it, TicketService.setLine), as with a transfer to the line.
    const escalated = s.ticketId !== null && c.line !== s.line;
    if (escalated) s.line = c.line;
    const row = this.d.ledger.update(callId, { operator_id: c.operatorId, operator_channel_id: c.channelId, ...(escalated ? { line: c.line } : {}) });
    if (escalated && s.ticketId) await this.d.tickets.setLine(s.ticketId, c.line).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'ticket line not changed'));
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
    if (s.phase.kind !== 'consulting') throw new NoConsultationError(callId, 'no consultation or conference to cancel');
    await this.release(s, 'cancelled');
    return this.d.ledger.row(callId) as CallRow;
  }

  /** The colleague's leg went away by itself (no answer, or they hung up). */
  async colleagueGone(s: CallSession): Promise<void> {
    await this.release(s, 'colleague left');
  }

  /** The colleague goes; the call is `bridged` again, and a caller on hold is back with their operator. */
  async release(s: CallSession, why: string): Promise<void> {
    const p = s.phase;
    if (p.kind !== 'consulting') return;
    s.to({ kind: 'bridged', caller: p.caller });
    await this.letGo(s.callId, p.colleague, why);
    if (!s.over) await applyHold(this.d, s, false);
  }

  /** The colleague's leg goes and they are free again (also when the call ends under them: call-hangup.ts). */
  async letGo(callId: string, c: Colleague, why: string): Promise<void> {
    this.t.forgetLeg(c.channelId);
    await this.d.pbx.hangup(c.channelId);
    this.t.busy.delete(c.operatorId);
    if (c.answered) await this.d.operators.callEnded(c.operatorId, new Date()).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'colleague not released'));
    this.d.log.info({ callId, operatorId: c.operatorId, why }, 'colleague released');
  }
}
