// A keyed ticket number proves nothing (numbers are sequential): real callers (SIPp) key the
// number of an open ticket of account A. Only a caller from a number on the ticket, or one
// verified as A, gets it; a stranger, and a caller verified as another account, leave a claim
// (a new ticket, "keyed N — not confirmed" on the screen pop) that staff confirm with one click.
// The four calls run side by side; nobody answers, so each ends in the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import type { TicketRow } from '../../src/tickets/ticket.table.js';
import { TicketService } from '../../src/tickets/ticket.service.js';
import { ScreenPopService } from '../../src/panel/screen-pop.service.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';

interface Call {
  id: string;
  ticketId: string;
  line: string;
  ivrPath: string[];
  keyedTicketNumber: string | null;
  endedAt: string | null;
  verification: { status: string; accountId: string | null };
}
interface Ticket {
  id: string;
  status: string;
  accountId: string | null;
  mergedInto: string | null;
  calls: { id: string }[];
  timeline: { kind: string; data: Record<string, unknown> }[];
}

let t: TestApp;
let panel: string;
const keys = (digits: string, firstAfterMs: number): DtmfStep[] =>
  [...digits].map((digit, i) => ({ digit, method: 'info', afterMs: i === 0 ? firstAfterMs : 250 }));

async function ticketOf(account: string, callerNumber: string): Promise<TicketRow> {
  return insertTicket(db, { subject: 'Не работает интернет', line: 'second', caller_number: callerNumber, account_id: account });
}

/** Optionally verifies with `code` (menu 4), then keys the ticket number (menu 3); waits for the call to end. */
async function place(caller: string, ticketNumber: string, code?: string): Promise<Call> {
  const verify = code ? [...keys('4', 1500), ...keys(code, 1500)] : [];
  const steps = [...verify, ...keys('3', code ? 2000 : 1500), ...keys(`${ticketNumber}#`, 1500)];
  const r = await runCaller({ caller, number: '88005553535', steps, talkMs: 2000 });
  expect(r.code, r.stdout).toBe(0);
  return waitFor('the call to end', async () => {
    const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
    return c?.endedAt ? c : undefined;
  });
}

const ticket = async (id: string) => (await t.api<Ticket>('GET', `/api/tickets/${id}`)).body;
const issue = async (accountId: string) => (await t.api<{ code: string }>('POST', '/api/verification-codes', { accountId }, panel)).body.code;

const accounts = { stranger: uniq('acc-'), same: uniq('acc-'), owner: uniq('acc-'), other: uniq('acc-') };
const owners = { stranger: randomPhone(), same: randomPhone(), owner: randomPhone(), other: randomPhone() };
let tickets: Record<keyof typeof accounts, TicketRow>;
let calls: Record<keyof typeof accounts, Promise<Call>>;
const otherAccount = uniq('acc-');

beforeAll(async () => {
  t = await startTestApp();
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
  await clearLine(t.api, 'second');
  panel = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-'), role: 'panel' })).body.token;
  tickets = {
    stranger: await ticketOf(accounts.stranger, owners.stranger),
    same: await ticketOf(accounts.same, owners.same),
    owner: await ticketOf(accounts.owner, owners.owner),
    other: await ticketOf(accounts.other, owners.other),
  };
  const [ownerCode, otherCode] = [await issue(accounts.owner), await issue(otherAccount)];
  calls = {
    stranger: place(randomPhone(), tickets.stranger.number),
    same: place(owners.same, tickets.same.number),
    owner: place(randomPhone(), tickets.owner.number, ownerCode),
    other: place(randomPhone(), tickets.other.number, otherCode),
  };
  // Every call settles before any test fails on one of them.
  await Promise.allSettled(Object.values(calls));
}, 90_000);
afterAll(async () => t?.stop());

describe('a keyed ticket number', () => {
  it('gives an unverified stranger only a claim: a new ticket, routed to the line, confirmed by staff with one click', async () => {
    const c = await calls.stranger;
    const keyed = tickets.stranger;
    expect(c).toMatchObject({ keyedTicketNumber: keyed.number, line: 'second' });
    expect(c.ticketId).not.toBe(keyed.id);
    expect((await ticket(keyed.id)).calls.map((x) => x.id)).not.toContain(c.id);
    expect((await ticket(c.ticketId)).timeline).toContainEqual(expect.objectContaining({ kind: 'ticket-claim', data: expect.objectContaining({ keyed: keyed.number, confirmed: false }) }));
    // The operator's screen pop: "keyed N — not confirmed", and the call's own (new) ticket.
    const pop = await new ScreenPopService(db, new TicketService(db)).build(c.id);
    expect(pop?.claim).toEqual({ number: keyed.number, ticketId: keyed.id, line: 'second' });
    expect(pop?.ticket?.id).toBe(c.ticketId);

    // Another operator (not on the call) may not confirm it; an admin may.
    const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('op'), name: 'Operator', line: 'second', sipPassword: `${uniq('pw-')}${uniq()}` });
    const opToken = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('op-'), role: 'operator', operatorId: op.body.id })).body.token;
    const refused = await t.api<{ error: { code: string } }>('POST', `/api/panel/calls/${c.id}/ticket-claim`, {}, opToken);
    expect(refused.status).toBe(403);
    const done = await t.api<{ ticket: { id: string; number: string } }>('POST', `/api/panel/calls/${c.id}/ticket-claim`, {});
    expect(done.status).toBe(200);
    expect(done.body.ticket).toEqual({ id: keyed.id, number: keyed.number });
    expect((await t.api<Call>('GET', `/api/calls/${c.id}`)).body.ticketId).toBe(keyed.id);
    const claimed = await ticket(keyed.id);
    expect(claimed.calls.map((x) => x.id)).toContain(c.id);
    expect(claimed.timeline).toContainEqual(expect.objectContaining({ kind: 'claim-confirmed' }));
    // The ticket made for the call alone went into it.
    expect(await ticket(c.ticketId)).toMatchObject({ status: 'closed', mergedInto: keyed.id });
    const again = await t.api<{ error: { code: string } }>('POST', `/api/panel/calls/${c.id}/ticket-claim`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('no_ticket_claim');
  });

  it('attaches a caller whose number is already on the ticket', async () => {
    const c = await calls.same;
    expect(c.ticketId).toBe(tickets.same.id);
    expect(c.ivrPath).toContain(`ticket:${tickets.same.number}=found`);
    expect(c.verification.status).toBe('none');
  });

  it("attaches a caller verified as the ticket's account, from another number", async () => {
    const c = await calls.owner;
    expect(c.verification).toMatchObject({ status: 'verified', accountId: accounts.owner });
    expect(c.ticketId).toBe(tickets.owner.id);
    expect((await ticket(tickets.owner.id)).accountId).toBe(accounts.owner);
  });

  it('never overwrites the account of a caller verified as another: a claim, and a flagged conflict on the ticket', async () => {
    const c = await calls.other;
    expect(c.verification).toMatchObject({ status: 'verified', accountId: otherAccount });
    expect(c.ticketId).not.toBe(tickets.other.id);
    const keyed = await ticket(tickets.other.id);
    expect(keyed.accountId).toBe(accounts.other);
    expect(keyed.calls.map((x) => x.id)).not.toContain(c.id);
    expect(keyed.timeline).toContainEqual(
      expect.objectContaining({ kind: 'account-conflict', data: expect.objectContaining({ flagged: true, ticketAccountId: accounts.other, verifiedAccountId: otherAccount }) }),
    );
    // The caller's own new ticket is theirs.
    expect((await ticket(c.ticketId)).accountId).toBe(otherAccount);
  });
});
