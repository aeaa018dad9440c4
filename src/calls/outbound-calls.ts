// Click-to-call, the call core's side: an operator calls a customer (from a ticket, a callback or
// the missed-calls list). A specific operator, now, no queue: their phone (panel or SIP) rings
// first; once they pick up they wait in a bridge while the customer is dialled through the trunk
// with the line's caller ID, and the customer joins that bridge, recorded (outbound-calls-bridge.ts,
// shared with agent-first callbacks). Its own call row, direction 'outbound', on the ticket.
//
// Through the state machine like every call, with the customer as the row's caller:
//   ringing (the operator's phone) ──► dialling (the customer's) ──► bridged ──► completed
//      │                                   └──► unanswered (no answer, busy, either side hung up first)
//      └──► unanswered too when the operator did not pick up, or could not be rung (nobody dialled)
// The row is written to Postgres before anything rings (the per-number limit counts it; the
// request is the operator's click, not a caller waiting), then the call goes on in memory.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { OperatorUnavailableError } from '../errors.js';
import type { Language } from '../vocabulary.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import { newCallRow, type CallLedger } from './call-ledger.js';
import type { CallPhase } from './call-phase.js';
import type { CallSession } from './call-session.js';
import type { FinalStatus } from './call-state-machine.js';
import type { CallRow, HangupBy } from './call.table.js';
import { customerJoinsBridge, operatorWaitsInBridge } from './outbound-calls-bridge.js';
import type { PanelPort } from './panel.port.js';
import type { HangupCause, PbxEvent, PbxPort } from './pbx.port.js';

/** The parts of the call service click-to-call needs; CallService implements it. */
export interface OutboundCore {
  readonly busy: Set<string>;
  session(callId: string): CallSession | undefined;
  track(call: CallRow): CallSession;
  move(s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>): Promise<unknown>;
  end(s: CallSession, to: FinalStatus, cause: HangupCause, by: HangupBy): Promise<void>;
  ring(s: CallSession, op: OperatorRow): Promise<void>;
}

/**
 * The callback rules' per-number limit: `start` runs while it holds, under
 * the same lock as a callback booking, and what it writes counts for the next one.
 */
export interface OutboundLimits {
  admit(e164: string, start: () => Promise<void>): Promise<void>;
}

export interface OutboundCallSettings {
  /** The trunk's dial string (CALLBACK_DIAL_TEMPLATE); {number} is the E.164 number. */
  dialTemplate: string;
  /** How long the customer's phone rings (CALLBACK_RING_SEC). */
  ringSec: number;
  /** The caller ID presented per line, else `all` (CLICK_TO_CALL_CALLER_ID); neither: the trunk's own. */
  callerIds: { all?: string; byLine: Partial<Record<Line, string>> };
  defaultLanguage: Language;
  node: string;
}

export interface OutboundRequest {
  operator: OperatorRow;
  /** Checked against the callback number rules already, in E.164. */
  number: string;
  ticketId: string | null;
  /** Who asked (an operator:… or token:… label), for the transition's detail. */
  by: string;
}

export class OutboundCalls {
  constructor(
    private readonly core: OutboundCore,
    private readonly d: {
      ledger: CallLedger;
      pbx: PbxPort;
      recordings: RecordingService;
      operators: OperatorService;
      tickets: Pick<TicketService, 'callAnswered'>;
      panels: PanelPort;
      limits: OutboundLimits;
      log: Logger;
      s: OutboundCallSettings;
      /** The configured lines: a call on no line takes the front line's caller ID. */
      lines: Pick<LineCatalog, 'front'>;
    },
  ) {}

  /** Is this live call a click-to-call (its row says so)? */
  owns(callId: string): boolean {
    return this.d.ledger.row(callId)?.direction === 'outbound';
  }

  /**
   * A click-to-call still in its own first stage: its operator rung, no bridge yet. Once talking
   * it is a call like any other: transferred, it is queued in its bridge, and the next operator's
   * answer and miss are the ACD's (a colleague's pick-up must not dial the customer again).
   */
  firstRing(s: CallSession): boolean {
    return !s.bridgeId && this.owns(s.callId);
  }

  /** The PBX events that are a click-to-call's own (its operator's and customer's answers): their handling, else undefined. */
  handle(e: PbxEvent): Promise<void> | undefined {
    if (e.type !== 'operatorAnswered' && e.type !== 'customerAnswered') return undefined;
    const s = this.core.session(e.callId);
    if (!s || !this.owns(s.callId)) return undefined;
    if (e.type === 'operatorAnswered' ? !this.firstRing(s) : !s.in('dialling')) return undefined;
    return e.type === 'operatorAnswered' ? this.operatorAnswered(s, e.channelId) : this.customerAnswered(s);
  }

  /**
   * Rings the operator for a call to `number`; the call's row (ringing) once written. 409 when the
   * operator is not available on this node (on a call, being rung, in wrap-up, paused, offline).
   */
  async start(r: OutboundRequest): Promise<CallRow> {
    const op = r.operator;
    const line = op.line;
    if (this.core.busy.has(op.id)) throw new OperatorUnavailableError(op.id, 'on a call');
    // From memory, as the ACD sees them: available and homed on this node (only its Asterisk has their phone).
    if (!this.d.operators.available(line).some((o) => o.id === op.id)) {
      throw new OperatorUnavailableError(op.id, op.pbx_node !== this.d.s.node ? `homed on node ${op.pbx_node}, not ${this.d.s.node}` : `${op.state}, not available`);
    }
    // Held from now: the ACD offers them no caller, and a second click finds them busy.
    this.core.busy.add(op.id);
    let row: CallRow | undefined;
    try {
      await this.d.limits.admit(r.number, async () => {
        row = this.d.ledger.insert({
          ...newCallRow({
            caller_number: r.number,
            dialled_number: null,
            language: this.d.s.defaultLanguage,
            status: 'ringing',
            // The customer's channel id is chosen now: it is the call's caller leg once dialled.
            caller_channel_id: randomUUID(),
            line,
            ticket_id: r.ticketId,
            operator_id: op.id,
            pbx_node: this.d.s.node,
          }),
          direction: 'outbound',
        });
        await this.d.ledger.written(row.id);
      });
    } catch (err) {
      this.core.busy.delete(op.id);
      // Written but refused at commit (Postgres went away): the call is closed, never left live.
      if (row) await this.core.end(this.core.track(row), 'failed', { code: 0, text: `not started: ${(err as Error).message}` }, 'system').catch(() => undefined);
      throw err;
    }
    const call = row as CallRow;
    const s = this.core.track(call);
    this.d.log.info({ callId: call.id, operatorId: op.id, ticketId: r.ticketId, by: r.by }, 'click-to-call: ringing the operator first');
    await this.core.ring(s, op);
    return this.d.ledger.row(call.id) ?? call;
  }

  /** The operator picked up: they wait in the bridge, and the customer is dialled. */
  async operatorAnswered(s: CallSession, channelId: string): Promise<void> {
    if (!s.in('ringing') || s.operatorChannelId !== channelId) {
      await this.d.pbx.hangup(channelId); // a ring of a call already over
      return;
    }
    const bridgeId = await operatorWaitsInBridge(this.d, s, channelId);
    if (s.operatorId) this.d.panels.callOver(s.operatorId, s.callId, 'answered');
    if (s.over) {
      // They hung up as the bridge was made: the call ended (failed) and let their leg and the bridge
      // go, but they were marked on call here, which only the end of a talked call undoes.
      if (s.operatorId) await this.d.operators.callEnded(s.operatorId, new Date()).catch((err: Error) => this.d.log.error({ callId: s.callId, err: err.message }, 'operator not released'));
      return;
    }
    const line = s.line ?? this.d.lines.front();
    const callerId = this.d.s.callerIds.byLine[line] ?? this.d.s.callerIds.all ?? '';
    await this.core.move(s, { kind: 'dialling' }, { bridge_id: bridgeId }, { number: s.callerNumber, callerId: callerId || null });
    try {
      await this.d.pbx.dialOut({
        dialString: this.d.s.dialTemplate.replace('{number}', s.callerNumber ?? ''),
        channelId: s.callerChannelId,
        callId: s.callId,
        callerId,
        timeoutSec: this.d.s.ringSec,
      });
    } catch (err) {
      this.d.log.warn({ callId: s.callId, err: (err as Error).message }, 'click-to-call: the customer could not be dialled');
      await this.core.end(s, 'unanswered', { code: 0, text: `dial failed: ${(err as Error).message}` }, 'system');
    }
  }

  /** The customer picked up: into the operator's bridge, recorded. */
  async customerAnswered(s: CallSession): Promise<void> {
    if (!s.in('dialling') || !s.bridgeId) return;
    await customerJoinsBridge(this.d, (...a) => this.core.move(...a), s, s.bridgeId);
    this.d.log.info({ callId: s.callId }, 'click-to-call answered, bridged and recording');
    // The ticket's first response (SLA), as when an operator answers a call on it.
    if (s.ticketId && s.operatorId) await this.d.tickets.callAnswered(s.ticketId, s.operatorId).catch((err: Error) => this.d.log.warn({ callId: s.callId, err: err.message }, 'ticket first response not recorded'));
  }

  /**
   * The operator's phone was not picked up (or could not be rung): nobody was dialled, so the
   * call ends unanswered. The operator is not paused as missed: they asked for this call, nobody waits.
   */
  async operatorMissed(s: CallSession, reason: string): Promise<void> {
    if (!s.in('ringing')) return;
    await this.core.end(s, 'unanswered', { code: 0, text: `operator's phone not answered (${reason})` }, 'operator');
  }
}
