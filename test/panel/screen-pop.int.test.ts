// The screen pop, pushed to the operator being rung before they answer: a caller with an open
// ticket (one earlier call on it, a note) keys its number; the operator's panel stream gets the
// caller, the IVR path, the language, the wait, verification state and the ticket with its
// history, then "answered" when the phone picks up and "ended" when the call is over. Another
// operator's stream gets nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { cancelOpenCallbacks, clearLine, randomPhone, startTestApp, type TestApp, uniq, waitFor } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';

let t: TestApp;
beforeAll(async () => {
  // Callbacks other runs left open would ring this file's operators: not this test's business.
  await cancelOpenCallbacks();
  t = await startTestApp({ WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
});
afterAll(async () => t?.stop());

interface Pop {
  callId: string;
  callerNumber: string;
  language: string;
  ivrPath: string[];
  waitedSec: number;
  verification: { status: string };
  ticket: { number: string; subject: string; history: { callId: string; status: string }[]; notes: { body: string }[] };
}

/** Reads an operator's event stream into a list, until stopped. */
async function listen(operatorId: string) {
  const token = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-op-'), role: 'operator', operatorId })).body.token;
  const ctl = new AbortController();
  const res = await fetch(`${t.base}/api/panel/events`, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: { event: string; data: unknown }[] = [];
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  await waitFor('hello', async () => events.some((e) => e.event === 'hello'));
  return { events, stop: () => ctl.abort() };
}

describe('the screen pop', () => {
  it('reaches the rung operator before they answer, with the caller, the IVR path and the ticket’s history', async () => {
    const caller = randomPhone();
    // The ticket the caller will key: one earlier call on it, and a note.
    const ticket = (await t.api<{ id: string; number: string }>('POST', '/api/tickets', { subject: 'Не проходят платежи', line: 'first', callerNumber: caller })).body;
    await t.api('POST', `/api/tickets/${ticket.id}/notes`, { body: 'Обещали перезвонить после проверки' });
    const earlier = randomPhone();
    const first = await operatorWithPhone(t.api, 'first');
    const r0 = await runCaller({ caller: earlier, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 1500 });
    expect(r0.code).toBe(0);
    await first.phone;
    const earlierCall = await waitFor('the earlier call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null; ticketId: string }[] }>('GET', `/api/calls?caller=${earlier}`)).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    // File the earlier call on the ticket (as a merge would).
    expect((await t.api('POST', `/api/tickets/${earlierCall.ticketId}/merge`, { into: ticket.id })).status).toBe(200);

    const panel = await listen(first.id);
    const other = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('op'), name: 'Другой оператор', line: 'second', sipPassword: `${uniq('pw-')}${uniq()}` });
    const bystander = await listen(other.body.id);
    await t.api('PUT', `/api/operators/${first.id}/state`, { state: 'offline' });
    const op = await operatorWithPhone(t.api, 'first');
    const mine = await listen(op.id);
    const keyed: DtmfStep[] = [...ticket.number].map((digit, i) => ({ digit, method: 'info', afterMs: i === 0 ? 2500 : 300 }));
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '3', method: 'info', afterMs: 1500 }, ...keyed, { digit: '#', method: 'info', afterMs: 300 }], talkMs: 2000 });
    expect(r.code, r.stdout).toBe(0);
    expect((await op.phone).code).toBe(0);
    const pop = await waitFor('the screen pop', async () => mine.events.find((e) => e.event === 'ringing' && (e.data as Pop).callerNumber === caller)?.data as Pop | undefined);
    const ofCall = () => mine.events.filter((e) => (e.data as { callId?: string }).callId === pop.callId).map((e) => e.event);
    await waitFor('the call to end on the panel', async () => ofCall().includes('ended'));
    expect(ofCall(), JSON.stringify(mine.events)).toEqual(['ringing', 'answered', 'ended']);
    expect(pop).toMatchObject({ callerNumber: caller, language: 'ru', verification: { status: 'none' } });
    expect(pop.ivrPath).toEqual(['menu:main-menu=3', `ticket:${ticket.number}=found`]);
    expect(pop.waitedSec).toBeGreaterThanOrEqual(0);
    expect(pop.ticket).toMatchObject({ number: ticket.number, subject: 'Не проходят платежи' });
    expect(pop.ticket.history.map((h) => h.callId)).toEqual([earlierCall.id]);
    expect(pop.ticket.notes.map((n) => n.body)).toContain('Обещали перезвонить после проверки');
    // Nobody else's panel heard of it.
    // Nothing of the call; the colleague list's presence (`colleagues`) goes to every panel.
    expect(bystander.events.filter((e) => e.event !== 'hello' && e.event !== 'colleagues')).toEqual([]);
    expect(panel.events.filter((e) => e.event === 'ringing' && (e.data as Pop).callId === pop.callId)).toEqual([]);
    for (const l of [panel, bystander, mine]) l.stop();
  });

  it('is for operators only', async () => {
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await fetch(`${t.base}/api/panel/events`, { headers: { authorization: `Bearer ${sup}` } })).status).toBe(403);
  });
});
