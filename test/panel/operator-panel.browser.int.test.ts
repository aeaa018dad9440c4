/// <reference lib="dom" />
// The operator panel end to end in Chromium: a SIPp caller picks the first line; a first-line
// operator signed in to the panel sees the screen pop with the ticket before answering, answers
// over WebRTC, and media flows both ways (RTP counters, not SIP state). A warm transfer brings a
// second-line operator in (another Chromium context), the first hands over and wraps up with a
// note, the second talks, notes, hangs up and wraps up. The API then shows the call and ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runCaller } from '../harness/sipp-driver.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, type TestApp, waitFor } from '../support/app.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { mediaStats, panelOperator } from '../support/panel.js';
import { db } from '../support/recordings.js';

let t: TestApp;
let net: TestNet;
let browser: Browser;
beforeAll(async () => {
  await cancelOpenCallbacks();
  net = createTestNet();
  t = await startTestApp({ HTTP_HOST: net.hostAddr, WRAPUP_SEC: '0', WRAPUP_REQUIRES_NOTE: 'panel' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  browser = await launchChromium(net.chromium, t.base);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  net?.close();
});

describe('the operator panel in Chromium', () => {
  it('pops the caller, answers over WebRTC with media both ways, warm-transfers to the second line and wraps up', async () => {
    const anna = await panelOperator(t, browser, { line: 'first', name: 'Анна Петрова' });
    const boris = await panelOperator(t, browser, { line: 'second', name: 'Борис Смирнов' });
    await anna.page.screenshot({ path: `${ARTIFACTS}/operator-idle.png` });
    await anna.page.click('#go-available');
    await anna.page.waitForSelector('#state-pill.available');
    await boris.page.click('#go-available');
    await boris.page.waitForSelector('#state-pill.available');

    const caller = randomPhone();
    const ticket = (await t.api<{ id: string; number: string }>('POST', '/api/tickets', { subject: 'Не работает личный кабинет', line: 'first', callerNumber: caller })).body;
    await t.api('POST', `/api/tickets/${ticket.id}/notes`, { body: 'Клиент уже звонил вчера' });
    const keyed = [...ticket.number].map((digit, i) => ({ digit, method: 'info' as const, afterMs: i === 0 ? 2500 : 300 }));
    // The caller stays until the operator hangs up, and talks (G.711 audio) once answered.
    const call = runCaller({ caller, number: '88005553535', steps: [{ digit: '3', method: 'info', afterMs: 1500 }, ...keyed, { digit: '#', method: 'info', afterMs: 300 }], talkMs: 0, awaitBye: true, speakAfterMs: 3000 });

    // Ringing: the screen pop is on screen before anyone answers.
    await anna.page.waitForSelector('#call.ringing', { timeout: 30_000 });
    await anna.page.waitForFunction((n) => document.querySelector('#pop-caller')?.textContent === n, caller);
    await anna.page.waitForFunction((n) => document.querySelector('#ticket-number')?.textContent?.includes(n), ticket.number);
    expect(await anna.page.textContent('#pop-verif')).toContain('не подтверждён');
    expect(await anna.page.textContent('#pop-ivr')).toContain(`обращение ${ticket.number} ✔`);
    expect(await anna.page.textContent('#pop-notes')).toContain('Клиент уже звонил вчера');
    await anna.page.screenshot({ path: `${ARTIFACTS}/operator-ringing.png` });
    const callId = await anna.page.evaluate(() => (window as unknown as { pbxdesk: { ui: { call: { callId: string } } } }).pbxdesk.ui.call.callId);

    await anna.page.click('#answer');
    await anna.page.waitForSelector('#call-actions:not([hidden])');
    // Media both ways through Asterisk: DTLS-SRTP over the test network's ICE pair.
    const stats = await waitFor('RTP both ways', async () => {
      const s = await mediaStats(anna.page);
      return s && s.pairSucceeded && s.packetsReceived > 50 && s.packetsSent > 50 ? s : undefined;
    }, 30_000);
    expect(stats.iceState).toMatch(/connected|completed/);
    await anna.page.fill('#note-form textarea', 'Проверили вход, передаю на вторую линию');
    await anna.page.click('#note-form button');
    // The transfer menu: the configured lines but the call's own, named from the configuration.
    expect(await anna.page.$$eval('#transfer-lines button', (bs) => bs.map((b) => b.textContent))).toEqual(['Эскалация: Вторая линия']);
    await anna.page.screenshot({ path: `${ARTIFACTS}/operator-in-call.png` });

    // Warm transfer: consult Boris (the caller holds), Boris answers with the pop, Anna hands over.
    await anna.page.selectOption('#colleague', boris.id);
    await anna.page.click('#consult');
    await anna.page.waitForSelector('#consult-actions:not([hidden])');
    await boris.page.waitForSelector('#call.ringing', { timeout: 30_000 });
    await boris.page.waitForFunction((n) => document.querySelector('#pop-caller')?.textContent === n, caller);
    await boris.page.click('#answer');
    await boris.page.waitForSelector('#call-actions:not([hidden])');
    await waitFor('Boris in the call', async () => (await t.api<{ operatorId: string | null }>('GET', `/api/calls/${callId}`)).body && (await mediaStats(boris.page))?.pairSucceeded);
    await anna.page.click('#consult-complete');

    // Anna is out of the call and must wrap up before the next one.
    await anna.page.waitForSelector('#wrapup:not([hidden])', { timeout: 20_000 });
    await anna.page.waitForSelector('#state-pill.wrap_up');
    await anna.page.click('#go-available'); // refused: the wrap-up comes first
    await anna.page.waitForSelector('.toast');
    await anna.page.click('#wrapup button[type=submit]');
    expect(await anna.page.textContent('#wrapup .error')).not.toBe('');
    await anna.page.selectOption('#wrapup select[name=disposition]', 'escalated');
    await anna.page.fill('#wrapup textarea', 'Передано Борису, вторая линия');
    await anna.page.click('#wrapup button[type=submit]');
    await anna.page.waitForSelector('#state-pill.available');

    // Boris has the caller: media flows, he leaves a note and hangs up.
    await waitFor('the call handed over', async () => (await t.api<{ operatorId: string | null }>('GET', `/api/calls/${callId}`)).body.operatorId === boris.id);
    // An escalation: the ticket followed the call to the second line, so Boris may now edit it.
    await boris.page.waitForSelector('#ticket-form:not([hidden])');
    const before = (await mediaStats(boris.page))!;
    await waitFor('RTP to Boris', async () => {
      const s = await mediaStats(boris.page);
      return s && s.packetsSent > before.packetsSent + 25 ? s : undefined;
    });
    await boris.page.keyboard.press('x'); // the hang-up shortcut
    await boris.page.waitForSelector('#wrapup:not([hidden])', { timeout: 20_000 });
    await boris.page.selectOption('#wrapup select[name=disposition]', 'resolved');
    await boris.page.fill('#wrapup textarea', 'Сбросили пароль, вход работает');
    await boris.page.click('#wrapup button[type=submit]');
    await boris.page.waitForSelector('#state-pill.available');
    const r = await call;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    // The API has it all: the call with both operators, the handover, the ticket's notes.
    const c = await waitFor('the call to end', async () => {
      const x = (await t.api<{ status: string; operatorId: string; ticketId: string; transitions: { to: string }[] }>('GET', `/api/calls/${callId}`)).body;
      return x.status === 'completed' ? x : undefined;
    });
    expect(c.operatorId).toBe(boris.id);
    expect(c.ticketId).toBe(ticket.id);
    const row = await db.selectFrom('calls').select(['disposition', 'wrapped_up_at']).where('id', '=', callId).executeTakeFirstOrThrow();
    expect(row.disposition).toBe('resolved');
    const tk = (await t.api<{ notes: { body: string }[]; timeline: { kind: string }[] }>('GET', `/api/tickets/${ticket.id}`)).body;
    expect(tk.notes.map((n) => n.body)).toEqual(
      expect.arrayContaining(['Проверили вход, передаю на вторую линию', 'Передано Борису, вторая линия', 'Сбросили пароль, вход работает']),
    );
    const events = await db.selectFrom('call_events').select(['to_status', 'detail']).where('call_id', '=', callId).execute();
    expect(events.some((e) => JSON.stringify(e.detail).includes('handedOver'))).toBe(true);
  });
});
