// An operator picks up: the call goes from `ringing` to `bridged`. A new conversation gets its
// bridge and its one recording (kept across transfers and hand-overs); a transferred call's
// caller is already in the bridge, which goes on recording; a callback's operator waits in the
// bridge while the customer is dialled (callback-calls.ts). Leg recordings (RECORD_LEGS) start
// here too. The bridge is made before the call says bridged, and once the operator has picked up
// (ringing {answered}), their leg going away is settled here: before they are in the bridge a
// missed ring, after it an operator hangup. Music and bridges Asterisk refuses do not strand the
// call. Apart from call.service.ts, which reaches it through answered() and colleagueJoined().
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
import type { LiveCalls } from './live-calls.js';
import type { HangupCause, PbxPort } from './pbx.port.js';

/** What answering needs from the call service. */
export interface AnswerTarget {
  readonly callbackCalls: CallbackCalls | undefined;
  readonly live: LiveCalls;
  session(callId: string): CallSession | undefined;
  move(s: CallSession, next: CallPhase, patch?: CallUpdate, detail?: Record<string, unknown>): Promise<CallRow>;
  operatorWrite(operatorId: string | null, what: string, fn: (id: string) => Promise<unknown>): void;
  operatorMissed(s: CallSession, reason: string, pause?: boolean): Promise<void>;
  operatorLeft(s: CallSession, cause: HangupCause): Promise<void>;
}

/** The operator's leg went while their answer was being put through (its own cause is not kept). */
const LEFT_ON_ANSWER: HangupCause = { code: 16, text: 'Operator hung up as the call was put through' };

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
    // Picked up: from now on their leg going away is this answer's to settle, not a missed ring.
    s.to({ kind: 'ringing', answered: true });
    if (s.bridgeId) return this.transferredAnswered(s, s.bridgeId, channelId);
    callbacks?.stopOffers(callId);
    await s.stopPrompt();
    // Asterisk does not take a channel off its own music when ARI adds it to a mixing bridge: the
    // stasis add-channel path imparts it without ast_moh_stop (only ast_bridge_add_channel, used by
    // transfers, and a holding bridge's leave stop it), and a channel with the music generator on
    // drops what the bridge writes to it (channel.c ast_write: a generator without
    // AST_FLAG_WRITE_INT swallows the frames). So the music is stopped first; a failed stop does
    // not keep the call from being put through, and is tried again once it is bridged.
    const mohStopped = await this.d.pbx.stopMoh(s.callerChannelId).then(
      () => true,
      (err: Error) => (this.d.log.warn({ callId, err: err.message }, 'queue music not stopped; tried again once bridged'), false),
    );
    if (s.over) return; // the caller left: ending the call let the operator's leg go
    if (!this.t.live.legOf(channelId)) return this.leftOnAnswer(s, 'hung up on answer');
    const bridgeId = randomUUID();
    const name = bridgeRecordingName(callId);
    // Bridged first, the call then: the row never says bridged for a bridge Asterisk refused.
    const bridged = await this.d.pbx.bridgeAndRecord(bridgeId, [s.callerChannelId, channelId], name).then(
      () => null,
      (err: Error) => err,
    );
    if (s.over) {
      // The caller left while the bridge was made (ending the call let the operator's leg go).
      await this.d.pbx.destroyBridge(bridgeId, name).catch(() => undefined);
      return;
    }
    if (bridged) return this.notBridged(s, channelId, { bridgeId, name }, bridged);
    const rec = this.d.recordings.planned(callId, name);
    this.d.ledger.recording(callId, rec);
    s.bridgeId = bridgeId;
    s.recordingId = rec.id;
    s.answeredAt = Date.now();
    await this.t.move(s, { kind: 'bridged', caller: { at: 'bridge' } }, { answered_at: new Date(), bridge_id: bridgeId, recording_id: rec.id });
    if (s.operatorId) this.d.panels?.callOver(s.operatorId, callId, 'answered');
    this.t.operatorWrite(s.operatorId, 'call started', (id) => this.d.operators.callStarted(id));
    this.d.log.info({ callId, operatorId: s.operatorId, recordingId: rec.id }, 'bridged and recording');
    // Their leg went while the bridge was made: they were put through, and hung up.
    if (!this.t.live.legOf(channelId)) return this.t.operatorLeft(s, LEFT_ON_ANSWER);
    if (!mohStopped) await this.d.pbx.stopMoh(s.callerChannelId).catch((err: Error) => this.d.log.warn({ callId, err: err.message }, 'queue music not stopped in the bridge'));
    if (this.d.recordLegs) await this.legsRecorded(callId, { caller: s.callerChannelId, operator: channelId });
    // The ticket's first response (SLA) and new -> open; never in the way of the call.
    if (s.ticketId && s.operatorId) await this.d.tickets.callAnswered(s.ticketId, s.operatorId).catch((err: Error) => this.d.log.warn({ callId, err: err.message }, 'ticket first response not recorded'));
  }

  /**
   * A transferred call's next operator picked up: the caller waits in the bridge, which goes on
   * recording, with the bridge's music (which, unlike a channel's, plays into the bridge over the
   * conversation: a failed stop is tried again once the operator is in). The operator leaving
   * meanwhile, or Asterisk refusing to add them, is settled as for a new call.
   */
  private async transferredAnswered(s: CallSession, bridgeId: string, channelId: string): Promise<void> {
    const mohStopped = await this.d.pbx.stopBridgeMoh(bridgeId).then(
      () => true,
      (err: Error) => (this.d.log.warn({ callId: s.callId, err: err.message }, 'bridge music not stopped; tried again once joined'), false),
    );
    if (s.over) return; // the caller left: ending the call let the operator's leg and the bridge go
    if (!this.t.live.legOf(channelId)) return this.leftOnAnswer(s, 'hung up on answer');
    const refused = await this.d.pbx.addToBridge(bridgeId, channelId).then(
      () => null,
      (err: Error) => err,
    );
    if (s.over) return;
    if (refused) return this.notBridged(s, channelId, null, refused);
    await this.t.move(s, { kind: 'bridged', caller: { at: 'bridge' } }, {}, { operatorId: s.operatorId });
    this.t.operatorWrite(s.operatorId, 'call started', (id) => this.d.operators.callStarted(id));
    this.d.log.info({ callId: s.callId, operatorId: s.operatorId }, 'transferred call answered');
    if (!this.t.live.legOf(channelId)) return this.t.operatorLeft(s, LEFT_ON_ANSWER);
    if (!mohStopped) await this.d.pbx.stopBridgeMoh(bridgeId).catch((err: Error) => this.d.log.warn({ callId: s.callId, err: err.message }, 'bridge music not stopped'));
    await this.colleagueJoined(s.callId, channelId); // their own leg recording, if any
  }

  /**
   * The operator hung up as they picked up, before the bridge was made: a missed ring after all
   * (paused as missed), the caller back at the head of the line with their music again.
   */
  private async leftOnAnswer(s: CallSession, reason: string): Promise<void> {
    await this.musicAgain(s);
    await this.t.operatorMissed(s, reason);
  }

  /** The caller waits again: the queue's music on their channel, or a transferred call's in its bridge. */
  private async musicAgain(s: CallSession): Promise<void> {
    const started = s.bridgeId ? this.d.pbx.startBridgeMoh(s.bridgeId) : this.d.pbx.startMoh(s.callerChannelId);
    await started.catch((err: Error) => this.d.log.warn({ callId: s.callId, err: err.message }, 'queue music not started again'));
  }

  /**
   * Asterisk refused the bridge (or its recording, or adding the operator to a transferred call's
   * bridge): the call was never put through, so it does not say bridged. Whatever part of a new
   * bridge was made goes; the operator's leg is hung up and
   * they are let go unpaused (the fault is ours); the caller goes back to the head of the line
   * (ringing → queued) with their music, and is offered to the next free operator. If the caller's
   * channel is what went, its channelGone ends the call as usual.
   */
  private async notBridged(s: CallSession, channelId: string, made: { bridgeId: string; name: string } | null, err: Error): Promise<void> {
    this.d.log.error({ callId: s.callId, operatorId: s.operatorId, err: err.message }, 'caller and operator not bridged; the caller goes back to the line');
    // A new call's bridge goes (a transferred call's, with the caller in it and recording, stays).
    if (made) await this.d.pbx.destroyBridge(made.bridgeId, made.name).catch(() => undefined);
    if (s.over) return;
    if (!this.t.live.legOf(channelId)) return this.leftOnAnswer(s, 'hung up on answer');
    this.t.live.forgetLeg(channelId); // its end is no missed ring
    await this.d.pbx.hangup(channelId).catch(() => undefined);
    await this.musicAgain(s);
    await this.t.operatorMissed(s, 'not bridged', false);
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
