// Sticky routing through the call core (src/calls/call-sticky.ts), with a FakePbx and the
// three-line configuration (the first line rings a ticket's assignee for 4 s): a caller who keys
// a ticket, or is verified for an account with an open ticket, rings its assignee first even
// though a colleague has been idle longer; a ring the assignee does not answer (the originate's
// own timeout) puts the caller to the line at their place, and the assignee is not paused; an
// assignee who is not available is not waited for. The ring's reason is in the call's events.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { randomPhone, uniq } from '../support/app.js';
import { CAUSE } from '../support/fake-pbx.js';
import { availableOperator, cleanUp, db, newCall, operatorState, reaches, setState, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

/** 3: key a ticket number; 4: key a one-time code, then a ticket number (or #); then the first line. */
const FLOW = {
  start: 'main',
  nodes: {
    main: [{ verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1, options: { '1': { route: 'first' }, '3': { goto: 'ticket' }, '4': { goto: 'verify' } }, onFail: { route: 'first' } }],
    ticket: [{ verb: 'ticket', prompt: 'ticket-number', timeoutSec: 5, maxDigits: 12, attempts: 1 }, { verb: 'route', line: 'first' }],
    verify: [{ verb: 'verify', prompt: 'verify-code', timeoutSec: 5 }, { verb: 'ticket', prompt: 'ticket-number', timeoutSec: 5, maxDigits: 12, attempts: 1 }, { verb: 'route', line: 'first' }],
  },
};

let c: CoreApp;
let dir: string;
let panel: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pbxdesk-sticky-'));
  const flowFile = path.join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify(FLOW));
  c = await startCoreApp({ env: { IVR_FLOW_FILE: flowFile, LINES_FILE: 'test/fixtures/lines-three.json' } });
  panel = (await c.t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-'), role: 'panel' })).body.token;
});
afterAll(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => cleanUp(c));

/** B first, so B has been idle longer: the line alone would ring B. */
async function twoOperators() {
  const b = await availableOperator(c, 'first');
  const a = await availableOperator(c, 'first');
  return { a, b };
}

const ticketFor = (assigneeId: string, more: { caller_number?: string; account_id?: string } = {}) =>
  insertTicket(db, { subject: 'Не работает интернет', line: 'first', assignee_id: assigneeId, ...more });

/**
 * A caller who keys `digits` after menu key `key`; their call. They key once the call's row is
 * in Postgres: a code is checked against it (the fake PBX's IVR takes microseconds, a real one
 * seconds; checked before, the step ends verify:unavailable).
 */
async function caller(key: string, digits: string, number = randomPhone()): Promise<{ ch: string; id: string }> {
  const ch = c.pbx.inbound(number);
  const id = await newCall(c, ch);
  await c.t.app.ledger.written(id);
  c.pbx.press(ch, `${key}${digits}#`);
  return { ch, id };
}

const ringDetail = async (callId: string) => (await storedEvents(callId)).filter((e) => e.to_status === 'ringing' || e.from_status === 'ringing').map((e) => [e.from_status, e.to_status, e.detail]);

describe('sticky routing through the call core', () => {
  it('a keyed ticket (a claim only) rings its assignee first, for the line’s 4 s; they answer', async () => {
    const { a } = await twoOperators();
    const t = await ticketFor(a.id);
    const { id } = await caller('3', t.number);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect([dial.endpoint, dial.timeoutSec]).toEqual([a.endpoint, 4]);
    expect(c.t.app.calls.session(id)?.phase).toMatchObject({ kind: 'ringing', answered: false, assignee: { ticketId: t.id, ticketNumber: t.number, match: 'keyed', ringSec: 4 } });
    c.pbx.operatorAnswers(dial);
    await reaches(c, id, 'bridged');
    await c.t.app.ledger.written(id);
    expect((await ringDetail(id))[0]?.[2]).toMatchObject({ operatorId: a.id, assignee: { ticketNumber: t.number, match: 'keyed' } });
  });

  it('not answered in its time: the line rings the next operator, the assignee is not paused, the caller kept their place', async () => {
    const { a, b } = await twoOperators();
    // Calling from the ticket's own number: the call takes the ticket (a match by number).
    const number = randomPhone();
    const t = await ticketFor(a.id, { caller_number: number });
    const { id } = await caller('3', t.number, number);
    const first = await until('assignee rung', () => c.pbx.lastDial(id));
    expect([first.endpoint, first.timeoutSec]).toEqual([a.endpoint, 4]);
    const rank = c.t.app.calls.session(id)?.rank;
    c.pbx.gone(first.channelId, CAUSE.noAnswer); // the originate's timeout, as Asterisk reports it
    const second = await until('the line rings someone else', () => c.pbx.dials(id).find((d) => d.channelId !== first.channelId));
    expect([second.endpoint, second.timeoutSec]).toEqual([b.endpoint, 5]);
    expect(await operatorState(c, a.id)).toBe('available');
    expect(c.t.app.calls.session(id)?.rank).toBe(rank);
    expect(c.t.app.calls.session(id)?.phase).toEqual({ kind: 'ringing', answered: false });
    c.pbx.operatorAnswers(second);
    await reaches(c, id, 'bridged');
    await c.t.app.ledger.written(id);
    const events = await ringDetail(id);
    expect(events.map((e) => [e[0], e[1]])).toEqual([['queued', 'ringing'], ['ringing', 'queued'], ['queued', 'ringing'], ['ringing', 'bridged']]);
    expect(events[0]?.[2]).toMatchObject({ assignee: { match: 'number' } });
    expect(events[1]?.[2]).toMatchObject({ missedBy: a.id, reason: 'no-answer', asAssignee: true });
    expect(events[2]?.[2]).not.toHaveProperty('assignee');
  });

  it('a caller verified for an account with an open ticket rings that ticket’s assignee first', async () => {
    const { a } = await twoOperators();
    const account = uniq('acc-');
    const t = await ticketFor(a.id, { account_id: account });
    const code = (await c.t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: account }, panel)).body.code;
    const { id } = await caller('4', code);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect(dial.endpoint).toBe(a.endpoint);
    expect(c.t.app.calls.session(id)?.phase).toMatchObject({ kind: 'ringing', assignee: { ticketId: t.id, match: 'account' } });
  });

  it('verified, then keying one of the account’s tickets: that ticket’s assignee, a verified match, over the account’s latest', async () => {
    const { a, b } = await twoOperators();
    const account = uniq('acc-');
    const keyed = await ticketFor(a.id, { account_id: account });
    await ticketFor(b.id, { account_id: account }); // changed later: the one a lookup by account alone would take
    const code = (await c.t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: account }, panel)).body.code;
    const { id } = await caller('4', `${code}${keyed.number}`);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect(dial.endpoint).toBe(a.endpoint);
    expect(c.t.app.calls.session(id)?.phase).toMatchObject({ kind: 'ringing', assignee: { ticketId: keyed.id, match: 'account' } });
  });

  it('an assignee who is not available is not waited for: the line rings at once', async () => {
    const { a, b } = await twoOperators();
    await setState(c, a.id, 'paused');
    const t = await ticketFor(a.id);
    const { id } = await caller('3', t.number);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect([dial.endpoint, dial.timeoutSec]).toEqual([b.endpoint, 5]);
    expect(c.t.app.calls.session(id)?.phase).toEqual({ kind: 'ringing', answered: false });
  });
});
