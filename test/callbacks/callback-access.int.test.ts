// Who may book a callback onto a ticket, and who may read and cancel one: the ticket visibility
// rules at booking, and the callback's line, its booker, supervisors and admins afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
const tok: Record<'first' | 'second' | 'supervisor' | 'panelA' | 'panelB', string> = { first: '', second: '', supervisor: '', panelA: '', panelB: '' };
// Far enough ahead never to ring while the test runs.
const later = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  const token = async (role: string, operatorId?: string) =>
    (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('cba-'), role, ...(operatorId ? { operatorId } : {}) })).body.token;
  for (const line of ['first', 'second'] as const) {
    const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('cba'), name: `Callback ${line}`, line, sipPassword: `${uniq('pw-')}-long-secret` });
    tok[line] = await token('operator', op.body.id);
  }
  tok.supervisor = await token('supervisor');
  tok.panelA = await token('panel');
  tok.panelB = await token('panel');
});
afterAll(async () => t?.stop());

const ticket = async (line: Line, accountId?: string) =>
  (await t.api<{ id: string }>('POST', '/api/tickets', { subject: uniq('cb-access '), line, ...(accountId ? { accountId } : {}) })).body.id;
const book = (who: string, body: Record<string, unknown>) =>
  t.api<{ id: string; error?: { code: string } }>('POST', '/api/callbacks', { number: randomPhone(), notBefore: later(), ...body }, who);

describe('booking onto a ticket', () => {
  it('needs the booker and the callback’s line to see the ticket', async () => {
    const second = await ticket('second', 'acc-cba-1');
    // A first-line operator may not reach a second-line ticket, on either line.
    expect((await book(tok.first, { line: 'first', ticketId: second })).body.error?.code).toBe('ticket_forbidden');
    expect((await book(tok.first, { line: 'second', ticketId: second })).status).toBe(403);
    // A first-line callback would give first-line operators the ticket's screen pop: whoever books it.
    const wrongLine = await book(t.adminToken, { line: 'first', ticketId: second });
    expect(wrongLine.status).toBe(422);
    expect(wrongLine.body.error?.code).toBe('callback_ticket_line');
    // A panel token sees only the tickets of the account it books for.
    expect((await book(tok.panelA, { line: 'second', ticketId: second })).status).toBe(403);
    expect((await book(tok.panelA, { line: 'second', ticketId: second, accountId: 'acc-other' })).status).toBe(403);
    expect((await book(tok.panelA, { line: 'second', ticketId: second, accountId: 'acc-cba-1' })).status).toBe(201);
    expect((await book(tok.second, { line: 'second', ticketId: second })).status).toBe(201);
    // Escalated to the second line, a first-line ticket is the second line's to call back too.
    const first = await ticket('first');
    expect((await book(tok.first, { line: 'first', ticketId: first })).status).toBe(201);
    await t.api('PATCH', `/api/tickets/${first}`, { line: 'second' });
    expect((await book(tok.second, { line: 'second', ticketId: first })).status).toBe(201);
  });
});

describe('reading and cancelling', () => {
  it('is for the callback’s line, its booker, supervisors and admins', async () => {
    const booked = await book(tok.panelA, { line: 'second' });
    expect(booked.status).toBe(201);
    const path = `/api/callbacks/${booked.body.id}`;
    for (const who of [tok.first, tok.panelB]) {
      const r = await t.api<{ error: { code: string } }>('GET', path, undefined, who);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await t.api('DELETE', path, undefined, who)).status).toBe(403);
    }
    expect((await t.api('POST', `${path}/answering-machine`, {}, tok.first)).status).toBe(403);
    for (const who of [tok.panelA, tok.second, tok.supervisor, t.adminToken]) expect((await t.api('GET', path, undefined, who)).status).toBe(200);
    expect((await t.api<{ status: string }>('DELETE', path, undefined, tok.panelA)).body.status).toBe('cancelled');

    // An operator's own booking on the other line stays theirs to cancel.
    const own = await book(tok.first, { line: 'second' });
    expect((await t.api<{ status: string }>('DELETE', `/api/callbacks/${own.body.id}`, undefined, tok.first)).body.status).toBe('cancelled');
  });
});

describe('the ticket of a callback', () => {
  it('carries the E.164 number and is found by phone in any spelling', async () => {
    const number = randomPhone();
    const booked = await t.api<{ ticketId: string; number: string }>('POST', '/api/callbacks', { number: `8${number.slice(1)}`, line: 'first', notBefore: later() });
    expect(booked.body.number).toBe(`+${number}`);
    for (const phone of [number, `+${number}`, `+7 (${number.slice(1, 4)}) ${number.slice(4)}`]) {
      const found = await t.api<{ tickets: { id: string }[] }>('GET', `/api/tickets?phone=${encodeURIComponent(phone)}`);
      expect(found.body.tickets.map((x) => x.id), phone).toEqual([booked.body.ticketId]);
    }
  });
});
