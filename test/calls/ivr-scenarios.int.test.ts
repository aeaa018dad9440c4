// The IVR's rules with real callers (SIPp, digits as SIP INFO): an existing ticket number,
// an unknown one, two invalid inputs, and 0 for a person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';

interface Call {
  id: string;
  language: string;
  ticketId: string;
  line: string;
  status: string;
  ivrPath: string[];
  keyedTicketNumber: string | null;
  endedAt: string | null;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  // Nobody available: every caller here waits in the queue until they hang up.
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
});
afterAll(async () => t?.stop());

const keys = (digits: string, firstAfterMs: number): DtmfStep[] =>
  [...digits].map((digit, i) => ({ digit, method: 'info', afterMs: i === 0 ? firstAfterMs : 250 }));

async function call(steps: DtmfStep[], number = '88005553535', caller = randomPhone()): Promise<Call> {
  const r = await runCaller({ caller, number, steps, talkMs: 2500 });
  expect(r.code, r.stdout).toBe(0);
  return waitFor('the call to end', async () => {
    const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.endedAt ? c : undefined;
  });
}

describe('IVR with real callers', () => {
  it('attaches a call from a number on the ticket to the open ticket whose number is keyed, on the line that owns it', async () => {
    // A stranger keying it only claims it (keyed-ticket.int.test.ts); the ticket's own number takes it.
    const phone = randomPhone();
    const ticket = await insertTicket(db, { subject: 'Интернет не работает', line: 'second', caller_number: phone });
    const c = await call([...keys('3', 1500), ...keys(`${ticket.number}#`, 1500)], '88005553535', phone);
    expect(c).toMatchObject({ ticketId: ticket.id, line: 'second', keyedTicketNumber: ticket.number, status: 'abandoned' });
    expect(c.ivrPath).toEqual(['menu:main-menu=3', `ticket:${ticket.number}=found`]);
    const tk = await t.api<{ calls: { id: string }[] }>('GET', `/api/tickets/${ticket.id}`);
    expect(tk.body.calls.map((x) => x.id)).toContain(c.id);
  });

  it('asks once more for an unknown number, stores what was keyed, then opens a new ticket', async () => {
    const c = await call([...keys('3', 1500), ...keys('999999991#', 1500), ...keys('999999992#', 1500), ...keys('1', 1500)]);
    expect(c.ivrPath).toEqual(['menu:main-menu=3', 'ticket:999999991=unknown', 'ticket:999999992=unknown', 'menu:main-menu=1']);
    expect(c.keyedTicketNumber).toBe('999999992');
    expect(c.line).toBe('first');
    expect(c.ticketId).toBeTruthy();
  });

  it('sends a caller to a person after two invalid inputs', async () => {
    const c = await call([...keys('7', 1500), ...keys('7', 2500)]);
    expect(c.ivrPath).toEqual(['menu:main-menu=7', 'menu:main-menu=7']);
    expect(c.line).toBe('first');
  });

  it('lets 0 reach a person at once', async () => {
    const c = await call(keys('0', 1500));
    expect(c.ivrPath).toEqual(['menu:main-menu=0']);
    expect(c.line).toBe('first');
  });

  it('speaks English to callers of the English number', async () => {
    const c = await call(keys('1', 1500), '88005553536');
    expect(c.language).toBe('en');
    expect(c.ivrPath).toEqual(['menu:main-menu=1']);
  });
});
