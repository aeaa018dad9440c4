/// <reference lib="dom" />
// The screen pop of a sticky ring in Chromium (src/calls/call-sticky.ts, operator-pop.js): a SIPp
// caller keys the number of a ticket assigned to Anna, calling from the ticket's phone number
// (so the call takes the ticket) but without proving who they are. Anna's phone rings first, and
// her pop says why: she is the assignee of that ticket, and the match is by the calling number
// only, which can be spoofed (in the warning style), so she checks the caller first.
// She answers and hangs up. Screenshot: docs/screenshots/sticky-pop.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { runCaller } from '../harness/sipp-driver.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, type TestApp, waitFor } from '../support/app.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { panelOperator } from '../support/panel.js';
import { db } from '../support/recordings.js';

let t: TestApp;
let net: TestNet;
let browser: Browser;
beforeAll(async () => {
  await cancelOpenCallbacks();
  net = createTestNet();
  t = await startTestApp({ HTTP_HOST: net.hostAddr, WRAPUP_SEC: '0', LINES_FILE: 'test/fixtures/lines-three.json' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  browser = await launchChromium(net.chromium, t.base);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  net?.close();
});

describe('the sticky ring’s screen pop', () => {
  it('tells the assignee why they are rung, and that a calling number is not verified', async () => {
    const anna = await panelOperator(t, browser, { line: 'first', name: 'Анна Петрова' });
    const phone = randomPhone();
    const ticket = await insertTicket(db, { subject: 'Не работает личный кабинет', line: 'first', assignee_id: anna.id, caller_number: phone });
    await anna.page.click('#go-available');
    await anna.page.waitForSelector('#state-pill.available');

    const keyed = [...`${ticket.number}#`].map((digit, i) => ({ digit, method: 'info' as const, afterMs: i === 0 ? 2500 : 300 }));
    const call = runCaller({ caller: phone, number: '88005553535', steps: [{ digit: '3', method: 'info', afterMs: 1500 }, ...keyed], talkMs: 0, awaitBye: true });

    await anna.page.waitForSelector('#call.ringing #pop-assignee.unverified:not([hidden])', { timeout: 30_000 });
    const text = await anna.page.textContent('#pop-assignee');
    expect(text).toContain(`вы исполнитель обращения №${ticket.number}`);
    expect(text).toContain('совпал только номер звонящего (его можно подделать), личность не подтверждена');
    expect(await anna.page.getAttribute('#pop-assignee a', 'href')).toBe(`#ticket/${ticket.id}`);
    await anna.page.screenshot({ path: `${ARTIFACTS}/sticky-pop.png` });

    await anna.page.click('#answer');
    await anna.page.waitForSelector('#call-actions:not([hidden])');
    // Lines named from the configuration (GET /api/lines); the transfer menu offers every other
    // configured line, the escalation target first.
    expect(await anna.page.textContent('#pop-line')).toBe('Первая линия');
    const targets = await anna.page.$$eval('#transfer-lines button', (bs) => bs.map((b) => [(b as HTMLElement).dataset.line, b.textContent]));
    expect(targets).toEqual([['second', 'Эскалация: Вторая линия'], ['third', 'Перевести: Третья линия']]);
    await anna.page.click('#hangup');
    const r = await call;
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
