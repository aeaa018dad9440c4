// Sticky routing through the call core (src/calls/call-sticky.ts), with a FakePbx and the
// three-line configuration (the first line rings a ticket's assignee for 4 s): a caller who keys
// a ticket, or is verified for an account with an open ticket, rings its assignee first even
// though a colleague has been idle longer; a ring the assignee does not answer (the originate's
// own timeout) puts the caller to the line at their place, and the assignee is not paused; an
// assignee who is not available is not waited for. The ring's reason is in the call's events.
// After a missed sticky ring the assignee is avoided for that caller while anybody else of the
// line could take them (not rung again at once as an ordinary ring, whose miss would pause
// them); a restart under an assignee's ring offers it to them again as the assignee; a callback
// asked in the IVR survives a missed sticky ring; a one-time code is accepted the moment it is
// keyed (no wait for the call's row: migration 0026).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { CallJournal } from '../../src/calls/call-journal.js';
import { CallLedger, newCallRow } from '../../src/calls/call-ledger.js';
import { applyLedgerOps } from '../../src/calls/call-ledger.repository.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { randomPhone, uniq } from '../support/app.js';
import { CAUSE } from '../support/fake-pbx.js';
import { availableOperator, cleanUp, db, newCall, operatorState, reaches, setState, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

/** 3: key a ticket number; 4: key a one-time code, then a ticket number (or #); then the first line. 5: a ticket number, then a callback (1). */
const FLOW = {
  start: 'main',
  nodes: {
    main: [{ verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1, options: { '1': { route: 'first' }, '3': { goto: 'ticket' }, '4': { goto: 'verify' }, '5': { goto: 'cb' } }, onFail: { route: 'first' } }],
    cb: [{ verb: 'ticket', prompt: 'ticket-number', timeoutSec: 5, maxDigits: 12, attempts: 1, routeToOwner: false }, { verb: 'callback', line: 'first', prompt: 'callback-offer' }, { verb: 'route', line: 'first' }],
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
 * A caller who keys `digits` after menu key `key`; their call. At once: the fake PBX's IVR takes
 * microseconds, so a one-time code is checked before the ledger has written the call's row, and
 * is accepted all the same (migration 0026: the code's rows do not refer to the call's).
 */
async function caller(key: string, digits: string, number = randomPhone()): Promise<{ ch: string; id: string }> {
  const ch = c.pbx.inbound(number);
  c.pbx.press(ch, `${key}${digits}#`);
  return { ch, id: await newCall(c, ch) };
}

const ringDetail = async (callId: string) => (await storedEvents(callId)).filter((e) => e.to_status === 'ringing' || e.from_status === 'ringing').map((e) => [e.from_status, e.to_status, e.detail]);

describe('sticky routing through the call core', () => {
  it('a keyed ticket the call took (its calling number is on it) rings its assignee first, for the line’s 4 s; they answer', async () => {
    const { a } = await twoOperators();
    const number = randomPhone();
    const t = await ticketFor(a.id, { caller_number: number });
    const { id } = await caller('3', t.number, number);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect([dial.endpoint, dial.timeoutSec]).toEqual([a.endpoint, 4]);
    expect(c.t.app.calls.session(id)?.phase).toMatchObject({ kind: 'ringing', answered: false, assignee: { ticketId: t.id, ticketNumber: t.number, match: 'number', ringSec: 4 } });
    c.pbx.operatorAnswers(dial);
    await reaches(c, id, 'bridged');
    await c.t.app.ledger.written(id);
    expect((await ringDetail(id))[0]?.[2]).toMatchObject({ operatorId: a.id, assignee: { ticketNumber: t.number, match: 'number' } });
  });

  it('a keyed ticket that is only a claim (another number, not verified) rings nobody first: the line’s longest idle', async () => {
    const { a, b } = await twoOperators();
    const t = await ticketFor(a.id);
    const { id } = await caller('3', t.number);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect(dial.endpoint).toBe(b.endpoint);
    expect(c.t.app.calls.session(id)?.phase).toEqual({ kind: 'ringing', answered: false });
    c.pbx.operatorAnswers(dial);
    await reaches(c, id, 'bridged');
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

  it('a caller verified for an account with an open ticket rings that ticket’s assignee first (the code keyed before the call’s row is written)', async () => {
    const { a } = await twoOperators();
    const account = uniq('acc-');
    const t = await ticketFor(a.id, { account_id: account });
    const code = (await c.t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: account }, panel)).body.code;
    const { id } = await caller('4', code);
    const dial = await until('someone rung', () => c.pbx.lastDial(id));
    expect(dial.endpoint).toBe(a.endpoint);
    expect(c.t.app.calls.session(id)?.phase).toMatchObject({ kind: 'ringing', assignee: { ticketId: t.id, match: 'account' } });
    expect(c.t.app.calls.session(id)).toMatchObject({ verifiedAccountId: account, ivrPath: expect.arrayContaining(['verify:verified']) });
  });

  it('a one-time code keyed the moment the call starts is accepted, every time (no wait for the call’s row)', async () => {
    for (let i = 0; i < 5; i++) {
      const account = uniq('acc-');
      const code = (await c.t.api<{ code: string }>('POST', '/api/verification-codes', { accountId: account }, panel)).body.code;
      const { id } = await caller('4', code);
      await until(`caller ${i} past the code`, () => c.t.app.calls.session(id)?.ivrPath.some((p) => p.startsWith('verify:')));
      expect(c.t.app.calls.session(id)).toMatchObject({ verifiedAccountId: account, ivrPath: expect.arrayContaining(['verify:verified']) });
    }
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

  it('a missed sticky ring: the assignee idle longest is not rung again for that caller while a colleague can take them', async () => {
    const a = await availableOperator(c, 'first'); // idle longest: the line alone would ring A again
    const b = await availableOperator(c, 'first');
    const number = randomPhone();
    const t = await ticketFor(a.id, { caller_number: number });
    const { id } = await caller('3', t.number, number);
    const first = await until('assignee rung', () => c.pbx.lastDial(id));
    expect(first.endpoint).toBe(a.endpoint);
    c.pbx.gone(first.channelId, CAUSE.noAnswer);
    const second = await until('the line rings', () => c.pbx.dials(id).find((d) => d.channelId !== first.channelId));
    expect([second.endpoint, second.timeoutSec]).toEqual([b.endpoint, 5]);
    expect(await operatorState(c, a.id)).toBe('available');
    // Another caller is not avoided by A: the line gives them A, the operator idle longest.
    const other = await caller('1', '');
    expect((await until('the other caller rung', () => c.pbx.lastDial(other.id))).endpoint).toBe(a.endpoint);
  });

  it('a missed sticky ring with nobody else of the line logged in: the assignee is rung again, as an ordinary ring', async () => {
    const a = await availableOperator(c, 'first');
    const number = randomPhone();
    const t = await ticketFor(a.id, { caller_number: number });
    const { id } = await caller('3', t.number, number);
    const first = await until('assignee rung', () => c.pbx.lastDial(id));
    c.pbx.gone(first.channelId, CAUSE.noAnswer);
    const again = await until('rung again', () => c.pbx.dials(id).find((d) => d.channelId !== first.channelId));
    expect([again.endpoint, again.timeoutSec]).toEqual([a.endpoint, 5]);
    expect(c.t.app.calls.session(id)?.phase).toEqual({ kind: 'ringing', answered: false });
  });

  it('a callback asked in the IVR survives a missed sticky ring: waiting again, the caller gets the callback menu', async () => {
    const a = await availableOperator(c, 'first');
    const b = await availableOperator(c, 'first');
    await setState(c, b.id, 'paused'); // logged in: A is avoided, and nobody is free
    const number = randomPhone();
    const t = await ticketFor(a.id, { caller_number: number });
    const { ch, id } = await caller('5', `${t.number}#1`, number);
    const first = await until('assignee rung', () => c.pbx.lastDial(id));
    expect(first.endpoint).toBe(a.endpoint);
    expect(c.t.app.calls.session(id)?.ivrPath).toContain('callback-offer:first=yes');
    c.pbx.gone(first.channelId, CAUSE.noAnswer);
    await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
    expect(c.t.app.calls.session(id)?.phase.kind).toBe('callback-menu');
    expect(c.pbx.dials(id)).toHaveLength(1);
  });

  it('a restart under an assignee’s ring: the ring is offered to them again as the assignee; their miss then pauses nobody', async () => {
    const a = await availableOperator(c, 'first');
    const b = await availableOperator(c, 'first');
    const t = await ticketFor(a.id);
    // What the killed instance left: a caller whose ticket's assignee A was being rung first.
    const [callerCh, opCh] = [randomUUID(), randomUUID()];
    const journal = mkdtempSync(path.join(tmpdir(), 'pbxdesk-sticky-killed-'));
    const killed = new CallLedger({ apply: (ops) => applyLedgerOps(db, ops) }, new CallJournal(path.join(journal, 'calls.jsonl')), pino({ level: 'silent' }));
    killed.open();
    const row = killed.insert(newCallRow({ caller_number: randomPhone(), dialled_number: '88005553535', language: 'ru', status: 'ivr', caller_channel_id: callerCh, pbx_node: c.node }));
    const ring = { ticketId: t.id, ticketNumber: t.number, match: 'number' as const, ringSec: 4 };
    killed.transition(row.id, 'ivr', 'queued', { line: 'first', queued_at: new Date() }, { line: 'first' });
    killed.transition(row.id, 'queued', 'ringing', { operator_id: a.id, operator_channel_id: opCh }, { operatorId: a.id, assignee: ring });
    await killed.written();
    await killed.close(0);
    rmSync(journal, { recursive: true, force: true });

    c.pbx.channels.add(callerCh).add(opCh);
    c.pbx.emit({ type: 'connected', reconnect: false });
    const again = await until('the assignee rung again', () => c.pbx.lastDial(row.id));
    expect(c.pbx.argsOf('hangup')).toContainEqual([opCh]); // the killed instance's ring is cancelled
    expect([again.endpoint, again.timeoutSec]).toEqual([a.endpoint, 4]);
    expect(c.t.app.calls.session(row.id)?.phase).toEqual({ kind: 'ringing', answered: false, assignee: ring });
    c.pbx.gone(again.channelId, CAUSE.noAnswer);
    const next = await until('the line rings', () => c.pbx.dials(row.id).find((d) => d.channelId !== again.channelId));
    expect(next.endpoint).toBe(b.endpoint);
    expect(await operatorState(c, a.id)).toBe('available');
    await c.t.app.ledger.written(row.id);
    expect((await ringDetail(row.id)).map((e) => e[2])).toEqual([
      { operatorId: a.id, assignee: ring },
      { reclaimed: true, assignee: ring },
      expect.objectContaining({ operatorId: a.id, assignee: ring }),
      expect.objectContaining({ missedBy: a.id, asAssignee: true }),
      { operatorId: b.id },
    ]);
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
