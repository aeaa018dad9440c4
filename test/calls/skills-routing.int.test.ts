// Skills routing with real phones (SIPp) and the three-line configuration (the first line widens
// a caller's wait after 5 s). Two operators of the first line: R speaks Russian only and has been
// idle longer (created first: neither has had a call, so the ACD's tie goes to R), E speaks
// English. A caller keys 9 (the English menu), then 1: the shipped flow routes them to the first
// line needing `en`, and E is rung, not R. Then E pauses (still logged in): the next English
// caller waits for an `en` operator, and after the 5 s goes to R.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCallEvents } from '../../src/calls/call.repository.js';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LINES_FILE: 'test/fixtures/lines-three.json', WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
afterAll(async () => t?.stop());

const keys = (digits: string, afterMs: number): DtmfStep[] => [...digits].map((digit) => ({ digit, method: 'info', afterMs }));

type Call = { id: string; operatorId: string | null; status: string; endedAt: string | null };
const callOf = async (caller: string): Promise<Call | undefined> => (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];

describe('skills routing', () => {
  it('an English caller gets the en operator although a Russian-only one has been idle longer, and anyone after the widening wait', async () => {
    const r = await operatorWithPhone(t.api, 'first');
    const e = await operatorWithPhone(t.api, 'first');
    expect((await t.api('PUT', `/api/operators/${r.id}/skills`, { skills: { ru: 5 } })).status).toBe(200);
    const set = await t.api<{ skills: Record<string, number> }>('PUT', `/api/operators/${e.id}/skills`, { skills: { en: 3, ru: 1 } });
    expect([set.status, set.body.skills]).toEqual([200, { en: 3, ru: 1 }]);
    expect((await t.api<{ skills: Record<string, number> }>('GET', `/api/operators/${e.id}/skills`)).body.skills).toEqual({ en: 3, ru: 1 });
    // Bad input is a 400 in the one error shape.
    for (const skills of [{ en: 7 }, { 'Not A Skill': 1 }]) {
      const bad = await t.api<{ error: { code: string } }>('PUT', `/api/operators/${e.id}/skills`, { skills });
      expect([bad.status, typeof bad.body.error?.code]).toEqual([400, 'string']);
    }

    const first = randomPhone();
    const one = await runCaller({ caller: first, number: '88005553535', steps: [...keys('9', 1500), ...keys('1', 1500)], talkMs: 2000 });
    expect(one.code, one.stdout).toBe(0);
    const served = await waitFor('the first call to end', async () => ((await callOf(first))?.endedAt ? callOf(first) : undefined));
    expect(served?.operatorId).toBe(e.id);
    expect((await e.phone).code).toBe(0);

    // E takes a break (logged in still, so an English caller waits for them first).
    await waitFor('E available again', async () => (await t.app.operators.get(e.id)).state === 'available');
    expect((await t.api('PUT', `/api/operators/${e.id}/state`, { state: 'paused', reason: 'break' })).status).toBe(200);
    const second = randomPhone();
    const two = runCaller({ caller: second, number: '88005553535', steps: [...keys('9', 1500), ...keys('1', 1500)], talkMs: 9000 });
    const queued = await waitFor('the English caller queued', async () => {
      const c = await callOf(second);
      return c?.status === 'queued' ? c : undefined;
    });
    // The call shows what the caller needs while they wait.
    const live = await t.api<{ requiredSkills?: Record<string, number>; operatorId: string | null }>('GET', `/api/calls/${queued.id}`);
    expect([live.body.requiredSkills, live.body.operatorId]).toEqual([{ en: 1 }, null]);
    expect((await two).code).toBe(0);
    const widened = await waitFor('the second call to end', async () => ((await callOf(second))?.endedAt ? callOf(second) : undefined));
    expect(widened?.operatorId).toBe(r.id);
    expect((await r.phone).code).toBe(0);
    // R was free all along: only the widening (5 s after the caller began to wait) let them ring.
    const events = await listCallEvents(db, queued.id);
    const at = (to: string) => events.find((x) => x.to_status === to)?.at.getTime() ?? Number.NaN;
    expect(at('ringing') - at('queued')).toBeGreaterThanOrEqual(4900);
    expect(events.filter((x) => x.to_status === 'ringing')).toHaveLength(1);
  });
});
