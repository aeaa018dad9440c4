// An operator picks up: the call goes from `ringing` to `bridged`. A new conversation gets its
// bridge and its one recording (kept across transfers and hand-overs); a transferred call's
// caller is already in the bridge, which goes on recording; a callback's operator waits in the
// bridge while the customer is dialled (callback-calls.ts). Leg recordings (RECORD_LEGS) start
// here too. Apart from call.service.ts, which reaches it through answered() and colleagueJoined().
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallRow, CallUpdate } from './call.table.js';
import type { CallPhase } from './call-phase.js';
import { bridgeRecordingName, type CallSession } from './call-session.js';
import type { CallbackCalls } from './callback-calls.js';
import { recordLegs } from './leg-recordings.js';
import type { PanelPort } from './panel.port.js';
import type { PbxPort } from './pbx.port.js';

/** What answering needs from the call service. */
export interface AnswerTarget {
  readonly callbackCalls: CallbackCalls | undefined;
  session(callId: string): CallSession | undefined;
  move(s: CallSession, next: CallPhase, patch?: CallUpdate, detail?: Record<string, unknown>): Promise<CallRow>;
  operatorWrite(operatorId: string | null, what: string, fn: (id: string) => Promise<unknown>): void;
}

export class CallAnswer {
  constructor(
    private readonly t: AnswerTarget,
    private readonly d: {
      db: Db;
      ledger: CallLedger;
      pbx: PbxPort;
      recordings: RecordingService;
      operators: OperatorService;
      tickets: TicketService;
      panels: PanelPort | undefined;
      log: Logger;
      recordLegs: boolean;
    },
  ) {}

  async answered(callId: string, channelId: string): Promise<void> {
    const s = this.t.session(callId);
    if (!s || !s.in('ringing') || s.operatorChannelId !== channelId) {
      // The caller left while this operator's phone rang: release the operator.
      await this.d.pbx.hangup(channelId);
      return;
    }
    const callbacks = this.t.callbackCalls;
    if (callbacks?.isDialling(callId)) return callbacks.operatorAnswered(s, channelId);
    if (s.bridgeId) {
      // A transferred call: the caller is still in the bridge, which goes on recording.
      await this.d.pbx.stopBridgeMoh(s.bridgeId);
      await this.d.pbx.addToBridge(s.bridgeId, channelId);
      await this.t.move(s, { kind: 'bridged', caller: { at: 'bridge' } }, {}, { operatorId: s.operatorId });
      this.t.operatorWrite(s.operatorId, 'call started', (id) => this.d.operators.callStarted(id));
      await this.colleagueJoined(callId, channelId); // their own leg recording, if any
      this.d.log.info({ callId, operatorId: s.operatorId }, 'transferred call answered');
      return;
    }
    const bridgeId = randomUUID();
    const name = bridgeRecordingName(callId);
    callbacks?.stopOffers(callId);
    await s.stopPrompt();
    await this.d.pbx.stopMoh(s.callerChannelId);
    const rec = this.d.recordings.planned(callId, name);
    this.d.ledger.recording(callId, rec);
    s.bridgeId = bridgeId;
    s.recordingId = rec.id;
    s.answeredAt = Date.now();
    await this.t.move(s, { kind: 'bridged', caller: { at: 'bridge' } }, { answered_at: new Date(), bridge_id: bridgeId, recording_id: rec.id });
    if (s.operatorId) this.d.panels?.callOver(s.operatorId, callId, 'answered');
    this.t.operatorWrite(s.operatorId, 'call started', (id) => this.d.operators.callStarted(id));
    await this.d.pbx.bridgeAndRecord(bridgeId, [s.callerChannelId, channelId], name);
    if (this.d.recordLegs) await this.legsRecorded(callId, { caller: s.callerChannelId, operator: channelId });
    this.d.log.info({ callId, operatorId: s.operatorId, recordingId: rec.id }, 'bridged and recording');
    // The ticket's first response (SLA) and new -> open; never in the way of the call.
    if (s.ticketId && s.operatorId) await this.d.tickets.callAnswered(s.ticketId, s.operatorId).catch((err: Error) => this.d.log.warn({ callId, err: err.message }, 'ticket first response not recorded'));
  }

  /** An operator joined a bridge already recording (a transfer, a consult): their own leg too. */
  async colleagueJoined(callId: string, channelId: string): Promise<void> {
    if (this.d.recordLegs) await this.legsRecorded(callId, { operator: channelId });
  }

  /** Leg recordings (RECORD_LEGS) start with a row in Postgres: never in the way of the call when it is away. */
  private async legsRecorded(callId: string, legs: { caller?: string; operator?: string }): Promise<void> {
    await recordLegs(this.d, callId, legs).catch((err: Error) => this.d.log.error({ callId, err: err.message }, 'leg recordings not started'));
  }
}
