/// <reference lib="dom" />
// QA scorecards in Chromium: a SIPp caller talks to the operator through the service, and a
// supervisor plays that call's archived recording (through the audited audio route), pins a
// remark at the player's current time, answers the form and submits; the evaluated operator
// sees it under "my evaluations" on the panel and disputes it with a comment; the Quality tab
// lists the open dispute (not the evaluator's to resolve) and the report counts the evaluation;
// another supervisor resolves the dispute with a correction from the prefilled form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { allocPorts, answerOnce, registerPhone, runCaller } from '../harness/sipp-driver.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';

let t: TestApp;
let browser: Browser;
beforeAll(async () => {
  await cancelOpenCallbacks();
  t = await startTestApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const FORM = {
  name: 'Inbound support',
  sections: [
    { id: 'greeting', title: 'Greeting', criteria: [{ id: 'script', title: 'Greets by the script and gives their name', scale: { type: 'yesno' } }] },
    {
      id: 'solution', title: 'Solution', weight: 3,
      criteria: [
        { id: 'accuracy', title: 'Correct and complete answer', scale: { type: 'points', max: 4 }, weight: 2 },
        { id: 'verified', title: 'Verified the caller before account details', scale: { type: 'yesno' }, critical: true },
        { id: 'follow-up', title: 'Booked a follow-up when needed', scale: { type: 'yesno' }, naAllowed: true },
      ],
    },
  ],
};

async function person(name: string, supervisor: boolean) {
  const login = uniq('qa-web-');
  const password = `${uniq('panel-')}${uniq()}`;
  const sipPassword = `${uniq('sip-')}${uniq()}`;
  const r = (await t.api<{ id: string; sip: { username: string } }>('POST', '/api/operators', { login, name, line: 'first', sipPassword, supervisor })).body;
  expect((await t.api('PUT', `/api/operators/${r.id}/panel-password`, { password })).status).toBe(204);
  return { id: r.id, login, password, sip: { username: r.sip.username, password: sipPassword } };
}

/** A real call: a SIPp caller keys 1 and talks `talkMs` with the operator's SIPp phone; its archived recording. */
async function recordedCall(op: Awaited<ReturnType<typeof person>>, talkMs: number): Promise<{ callId: string; recordingId: string }> {
  await clearLine(t.api, 'first');
  const ports = allocPorts();
  const reg = await registerPhone({ username: op.sip.username, password: op.sip.password, sipPort: ports.sip });
  expect(reg.code, reg.stdout + reg.stderr).toBe(0);
  const phone = answerOnce({ sipPort: ports.sip, mediaPort: ports.media });
  expect((await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'available' })).status).toBe(200);
  const caller = randomPhone();
  const run = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect((await phone).code).toBe(0);
  // Off the line again: the panel sign-in below must not make them take other files' callers.
  await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
  return waitFor('the call recorded and archived', async () => {
    const c = (await t.api<{ calls: { id: string; recordingId: string | null; operatorId: string | null; endedAt: string | null }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    if (!c?.endedAt || !c.recordingId || c.operatorId !== op.id) return undefined;
    const rec = (await t.api<{ status: string }>('GET', `/api/recordings/${c.recordingId}`)).body;
    return rec.status === 'archived' ? { callId: c.id, recordingId: c.recordingId } : undefined;
  });
}

async function signIn(path: string, who: { login: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' })).newPage();
  page.on('pageerror', (err) => console.error(`[${path}] page error:`, err.message));
  await page.goto(`${t.base}${path}`);
  await page.fill('#signin input[name=login]', who.login);
  await page.fill('#signin input[name=password]', who.password);
  await page.click('#signin button[type=submit]');
  return page;
}

describe('QA scorecards in Chromium', () => {
  it('a supervisor scores a recording with a pinned remark; the operator sees it and disputes it', async () => {
    const op = await person('Anna Petrova', false);
    const sup = await person('Olga Supervisor', true);
    const { callId, recordingId } = await recordedCall(op, 8000);
    const call = { id: callId };
    const rec = { id: recordingId };
    expect((await t.api('POST', '/api/qa/forms', FORM)).status).toBe(201);

    const page = await signIn('/panel/supervisor', sup);
    await page.waitForSelector('#tabs:not([hidden])');
    await page.evaluate((id) => (location.hash = `recording=${id}`), rec.id);
    await page.waitForSelector('#qa-score .qa-criterion[data-criterion=accuracy]');
    await page.waitForFunction(() => (document.querySelector('#audio') as HTMLAudioElement).currentTime > 1.5, undefined, { timeout: 20_000 });
    await page.fill('#qa-score input[name=remark]', 'No name in the greeting');
    await page.click('#qa-pin');
    await page.waitForSelector('#qa-marks .qa-mark');
    await page.check('#qa-score input[name="c:script"][value=false]');
    await page.check('#qa-score input[name="c:accuracy"][value="3"]');
    await page.check('#qa-score input[name="c:verified"][value=true]');
    await page.check('#qa-score input[name="c:follow-up"][value=null]');
    await page.fill('#qa-score input[name="comment:accuracy"]', 'The tariff change was not mentioned');
    await page.fill('#qa-score textarea[name=comment]', 'Polite and quick; mind the script');
    await page.evaluate(() => (document.querySelector('#audio') as HTMLAudioElement).pause());
    // From the top: a full-page shot taken scrolled paints the sticky header mid-page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/qa-scorecard.png`, fullPage: true });
    await page.click('#qa-score button[type=submit]');
    await page.waitForSelector('#qa-score tr[data-evaluation]');

    const list = (await t.api<{ evaluations: { id: string; score: number }[] }>('GET', `/api/qa/evaluations?call=${call.id}`)).body.evaluations;
    expect(list).toHaveLength(1);
    const e = (await t.api<{ id: string; score: number; remarks: { atMs: number; text: string }[]; evaluatorName: string }>('GET', `/api/qa/evaluations/${list[0]?.id}`)).body;
    // greeting 0; solution (2 × 3/4 + 1) / 3 (follow-up N/A) → (0 + 3 × 0.8333) / 4
    expect(e.score).toBe(62.5);
    expect(e.evaluatorName).toBe('Olga Supervisor');
    expect(e.remarks).toHaveLength(1);
    expect(e.remarks[0]).toMatchObject({ text: 'No name in the greeting' });
    expect(e.remarks[0]?.atMs).toBeGreaterThan(1000);

    // The operator's panel: their evaluation, opened, disputed with a comment.
    const desk = await signIn('/panel', op);
    await desk.waitForSelector(`#my-qa li[data-evaluation="${e.id}"]`);
    await desk.click(`#my-qa li[data-evaluation="${e.id}"] button`);
    await desk.waitForSelector('#my-qa .qa-detail .qa-answers');
    expect(await desk.textContent('#my-qa .qa-remarks')).toContain('No name in the greeting');
    await desk.fill('#my-qa textarea[name=qa-comment]', 'I did give my name at 0:02');
    await desk.click('#my-qa .qa-detail button.danger');
    await desk.waitForFunction((id) => document.querySelector(`#my-qa li[data-evaluation="${id}"]`)?.textContent?.includes('disputed'), e.id);
    await desk.screenshot({ path: `${ARTIFACTS}/qa-operator.png`, fullPage: true });
    const after = (await t.api<{ answer: string; events: { kind: string; comment: string }[] }>('GET', `/api/qa/evaluations/${e.id}`)).body;
    expect(after.answer).toBe('disputed');
    expect(after.events[0]).toMatchObject({ kind: 'disputed', comment: 'I did give my name at 0:02' });

    // The Quality tab: the open dispute (its evaluator may not resolve it) and the report.
    await page.click('a[data-tab=qa]');
    await page.waitForSelector(`#qa tr[data-evaluation="${e.id}"]`);
    await page.click(`#qa tr[data-evaluation="${e.id}"] button`);
    await page.waitForSelector('#qa-detail:not([hidden]) .qa-answers');
    expect(await page.textContent('#qa-detail')).toContain('another supervisor resolves the dispute');
    await page.waitForSelector('#qa-report-out [data-report=operators] td >> text=Anna Petrova');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/qa-tab.png`, fullPage: true });

    // Another supervisor resolves the dispute with a correction: the form comes prefilled with
    // the disputed answers; the correction supersedes it and both stay.
    const other = await signIn('/panel/supervisor', await person('Pavel Supervisor', true));
    await other.waitForSelector('#tabs:not([hidden])');
    await other.evaluate(() => (location.hash = 'qa'));
    await other.click(`#qa tr[data-evaluation="${e.id}"] button`);
    await other.click('#qa-detail button.primary');
    await other.waitForSelector('#qa-score .banner');
    expect(await other.isChecked('#qa-score input[name="c:accuracy"][value="3"]')).toBe(true);
    await other.check('#qa-score input[name="c:script"][value=true]');
    await other.fill('#qa-score input[name=resolutionComment]', 'The name is at 0:02 indeed');
    await other.click('#qa-score button[type=submit]');
    await other.waitForFunction(() => document.querySelectorAll('#qa-score tr[data-evaluation]').length === 2);
    const resolved = (await t.api<{ resolution: string; supersededBy: string }>('GET', `/api/qa/evaluations/${e.id}`)).body;
    expect(resolved.resolution).toBe('corrected');
    // greeting 1 now: (1 + 3 × 0.8333) / 4
    expect((await t.api<{ score: number; supersedesId: string }>('GET', `/api/qa/evaluations/${resolved.supersededBy}`)).body).toMatchObject({ score: 87.5, supersedesId: e.id });
  });
});
