// Agent-first dialling, shared by the calls that ring an operator before the customer: an agent-first
// callback (callback-calls.ts) and click-to-call (outbound-calls.ts). The operator picks up and
// waits in a bridge of their own with music; the customer is dialled; once they answer they join
// that bridge and the conversation is recorded, as one recording per call like any other.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorService } from '../operators/operator.service.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { CallLedger } from './call-ledger.js';
import type { CallPhase } from './call-phase.js';
import { bridgeRecordingName, type CallSession } from './call-session.js';
import type { PbxPort } from './pbx.port.js';

export interface AgentFirstDeps {
  ledger: CallLedger;
  pbx: PbxPort;
  recordings: RecordingService;
  operators: OperatorService;
  log: Logger;
}

type Move = (s: CallSession, next: CallPhase, patch?: Record<string, unknown>, detail?: Record<string, unknown>) => Promise<unknown>;

/** The operator picked up: into a new bridge, hearing music while the customer is dialled. The bridge's id. */
export async function operatorWaitsInBridge(d: AgentFirstDeps, s: CallSession, operatorChannelId: string): Promise<string> {
  const bridgeId = randomUUID();
  await d.pbx.createBridge(bridgeId, [operatorChannelId]);
  s.bridgeId = bridgeId;
  if (s.operatorId) await d.operators.callStarted(s.operatorId).catch((err: Error) => d.log.error({ callId: s.callId, err: err.message }, 'operator not marked on call'));
  await d.pbx.startBridgeMoh(bridgeId);
  return bridgeId;
}

/** The customer picked up: into the operator's bridge, recorded from now on; the call is bridged. */
export async function customerJoinsBridge(d: AgentFirstDeps, move: Move, s: CallSession, bridgeId: string): Promise<void> {
  const name = bridgeRecordingName(s.callId);
  await d.pbx.stopBridgeMoh(bridgeId);
  await d.pbx.addToBridge(bridgeId, s.callerChannelId);
  const rec = d.recordings.planned(s.callId, name);
  d.ledger.recording(s.callId, rec);
  s.recordingId = rec.id;
  s.answeredAt = Date.now();
  await move(s, { kind: 'bridged', caller: { at: 'bridge' } }, { answered_at: new Date(), recording_id: rec.id });
  await d.pbx.recordBridge(bridgeId, name);
}
