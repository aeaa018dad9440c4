// In-call actions with a real caller and operator: hold and unhold, and the satisfaction
// survey the caller answers after the operator hangs up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOnce, runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';

interface Call {
  id: string;
  status: string;
  onHold: boolean;
  surveyScore: number | null;
  ivrPath: string[];
  hangupBy: string | null;
  endedAt: string | null;
  ticketId: string;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SURVEY_TIMEOUT_SEC: '8' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
afterAll(async () => t?.stop());

describe('in a call', () => {
  it('holds and resumes the caller, and asks them to rate the call after the operator hangs up', async () => {
    const op = await operatorWithPhone(t.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, hangUpAfterMs: 9000 }));
    const caller = randomPhone();
    // 1 for the first line; the operator hangs up ~9 s after answering (~12 s in); the caller keys 4 at ~16.5 s.
    const calling = runCaller({
      caller, number: '88005553535', awaitBye: true, talkMs: 0,
      steps: [{ digit: '1', method: 'info', afterMs: 1500 }, { digit: '4', method: 'info', afterMs: 15_000 }],
    });
    const live = await waitFor('the call to be bridged', async () => {
      const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.status === 'bridged' ? c : undefined;
    });
    const held = await t.api<Call>('POST', `/api/calls/${live.id}/hold`, { hold: true });
    expect(held.status).toBe(200);
    expect(held.body.onHold).toBe(true);
    expect((await t.api<{ error: { code: string } }>('POST', `/api/calls/${live.id}/verification`, {})).body.error.code).toBe('call_on_hold');
    const resumed = await t.api<Call>('POST', `/api/calls/${live.id}/hold`, { hold: false });
    expect(resumed.body.onHold).toBe(false);
    const r = await calling;
    expect(r.code, r.stdout).toBe(0);
    expect((await op.phone).code).toBe(0);
    const done = await waitFor('the call to end', async () => {
      const c = (await t.api<Call>('GET', `/api/calls/${live.id}`)).body;
      return c.endedAt ? c : undefined;
    });
    expect(done).toMatchObject({ status: 'completed', surveyScore: 4, hangupBy: 'operator' });
    expect(done.ivrPath).toContain('survey:4');
    const ticket = await t.api<{ surveyScore: number }>('GET', `/api/tickets/${done.ticketId}`);
    expect(ticket.body.surveyScore).toBe(4);
  });
});
