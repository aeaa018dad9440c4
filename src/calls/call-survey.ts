// The one-question satisfaction survey: when the operator hangs up, the caller (still on the
// line) is asked for 1-5 by DTMF. The call's phase is `surveying` (still `bridged` in its row):
// the operator is released at once (their wrap-up starts), so ending from this phase does not
// release them again; the bridge and its recording end, and the answer is stored on the call and
// its ticket.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { OperatorService } from '../operators/operator.service.js';
import { setTicketSurvey } from '../tickets/ticket.repository.js';
import type { CallLedger } from './call-ledger.js';
import { CallerGoneError, type CallSession } from './call-session.js';
import type { HangupCause, PbxPort } from './pbx.port.js';

export interface SurveyTarget {
  readonly busy: Set<string>;
  end(s: CallSession, to: 'completed', cause: HangupCause, by: 'operator'): Promise<void>;
}

export async function runSurvey(
  t: SurveyTarget,
  d: { db: Db; ledger: CallLedger; pbx: PbxPort; operators: OperatorService; log: Logger; timeoutSec: number },
  s: CallSession,
  cause: HangupCause,
): Promise<void> {
  s.to({ kind: 'surveying' });
  if (s.operatorId) {
    t.busy.delete(s.operatorId);
    await d.operators.callEnded(s.operatorId, new Date(), s.callId).catch((err: Error) => d.log.error({ callId: s.callId, err: err.message }, 'operator not released for wrap-up'));
  }
  if (s.bridgeId) await d.pbx.destroyBridge(s.bridgeId, s.recordingName).catch(() => undefined);
  // Bounded: whatever happens to a prompt or an event, the caller is let go after the survey's time.
  let deadline: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<void>((r) => (deadline = setTimeout(r, (d.timeoutSec + 20) * 1000)));
  try {
    await Promise.race([ask(d, s), outOfTime]);
  } catch (err) {
    if (err instanceof CallerGoneError) return; // the caller's hangup ends the call
    d.log.error({ callId: s.callId, err: (err as Error).message }, 'survey failed; ending the call');
  } finally {
    clearTimeout(deadline);
  }
  await t.end(s, 'completed', cause, 'operator');
  await d.pbx.hangup(s.callerChannelId);
}

async function ask(d: { db: Db; ledger: CallLedger; log: Logger; timeoutSec: number }, s: CallSession): Promise<void> {
  // Digits keyed while the operator was still talking are not an answer to a question not yet asked.
  s.clearDigits();
  await s.play('survey', { interruptible: true });
  const digit = await s.readDigit(d.timeoutSec * 1000);
  const score = digit && /^[1-5]$/.test(digit) ? Number(digit) : null;
  await s.recordStep(`survey:${score ?? 'none'}`);
  if (!score) return;
  d.ledger.update(s.callId, { survey_score: score });
  if (s.ticketId) await setTicketSurvey(d.db, s.ticketId, score).catch((err: Error) => d.log.error({ callId: s.callId, err: err.message }, 'survey score not on the ticket'));
  d.log.info({ callId: s.callId, score }, 'survey answered');
  await s.play('survey-thanks', { interruptible: false });
}
