// An operator asks the caller for their one-time code in the middle of a call. The caller is
// taken out of the bridge for the step: the prompt and their keying reach only them, the
// operator hears music meanwhile, and the bridge's recording is paused (and the pause noted in
// the recording's metadata), so no digit of the code is ever in a recording. Afterwards the
// caller is put back and the recording resumes, whatever the outcome.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { VerifyVerb } from '../ivr/verbs/verify.verb.js';
import { addRecordingPause, closeRecordingPause, listLiveLegRecordings } from '../recordings/recording.repository.js';
import { isTalking } from './call-phase.js';
import { CallerGoneError, type CallSession } from './call-session.js';
import type { PbxPort } from './pbx.port.js';

const MID_CALL_STEP = new VerifyVerb({
  verb: 'verify',
  prompt: 'verify-code',
  wrongPrompt: 'verify-wrong',
  okPrompt: 'verify-ok',
  failPrompt: 'verify-failed',
  timeoutSec: 15,
});

/** `s` is talking with its caller at the code (call-requests.ts requestVerification put it there). */
export async function verifyMidCall(d: { db: Db; pbx: PbxPort; log: Logger }, s: CallSession): Promise<void> {
  const bridgeId = s.bridgeId as string;
  const recordingName = s.recordingName;
  let legs: { id: string; name: string }[] = [];
  try {
    // The legs' own recordings (RECORD_LEGS) pause too: the caller's leg would hold the code.
    legs = await listLiveLegRecordings(d.db, s.callId);
    if (recordingName) await d.pbx.pauseRecording(recordingName);
    if (s.recordingId) await addRecordingPause(d.db, s.recordingId, 'verification');
    for (const l of legs) {
      await d.pbx.pauseRecording(l.name);
      await addRecordingPause(d.db, l.id, 'verification');
    }
    await d.pbx.removeFromBridge(bridgeId, s.callerChannelId);
    await d.pbx.startBridgeMoh(bridgeId);
    s.clearDigits(); // whatever was keyed during the conversation is not part of the code
    await MID_CALL_STEP.execute(s);
  } catch (err) {
    if (!(err instanceof CallerGoneError)) d.log.error({ callId: s.callId, err: (err as Error).message }, 'mid-call verification failed');
  } finally {
    // Back with the operator, whatever the outcome (unless the call changed meanwhile: the operator left, it ended).
    const p = s.phase;
    const talking = isTalking(p);
    if (talking && p.caller.at === 'code') s.to({ ...p, caller: { at: 'bridge' } });
    // Only a call still being talked: after the operator left (survey, the end) the bridge is gone.
    if (talking && !s.over) {
      await d.pbx.stopBridgeMoh(bridgeId).catch(() => undefined);
      await d.pbx.addToBridge(bridgeId, s.callerChannelId).catch((err: Error) => d.log.error({ callId: s.callId, err: err.message }, 'caller not put back'));
      if (recordingName) await d.pbx.unpauseRecording(recordingName).catch(() => undefined);
      for (const l of legs) await d.pbx.unpauseRecording(l.name).catch(() => undefined);
    }
    if (s.recordingId) await closeRecordingPause(d.db, s.recordingId).catch(() => undefined);
    for (const l of legs) await closeRecordingPause(d.db, l.id).catch(() => undefined);
  }
}
