// One file per leg (RECORD_LEGS): besides the bridge's mixed recording, what the caller says
// and what each operator says are recorded alone, for disputes where who-said-what matters.
// A leg's recording ends with its channel (an operator who transfers the call ends theirs; the
// next operator gets their own), then it is archived like any other. Never in the way of the
// call: a leg that cannot be recorded is marked failed and the conversation goes on.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { RecordingService } from '../recordings/recording.service.js';
import type { PbxPort } from './pbx.port.js';

export async function recordLegs(
  d: { db: Db; pbx: PbxPort; recordings: RecordingService; log: Logger },
  callId: string,
  legs: { caller?: string; operator?: string },
): Promise<void> {
  const todo: [string, string, 'caller-leg' | 'operator-leg'][] = [];
  if (legs.caller) todo.push([legs.caller, `call-${callId}-caller`, 'caller-leg']);
  if (legs.operator) todo.push([legs.operator, `call-${callId}-op-${legs.operator.slice(0, 8)}`, 'operator-leg']);
  for (const [channelId, name, kind] of todo) {
    await d.recordings.started(d.db, callId, name, kind);
    try {
      await d.pbx.recordLeg(channelId, name);
    } catch (err) {
      d.log.warn({ callId, kind, err: (err as Error).message }, 'leg recording did not start');
      await d.recordings.failed(name, `leg recording did not start: ${(err as Error).message}`);
    }
  }
}

