// The call core's writes behind the calls (issue 17), through a FakePbx: many transitions of
// several calls reach call_events in the order they happened; and while Postgres refuses the
// ledger's connections, calls go on in memory, the API tells their live state, and every
// transition lands in order once Postgres takes connections again.
//
// How Postgres "refuses" without stopping the suite's shared Postgres (other files use it): the
// ledger's sink is the real repository (applyLedgerOps) over a pool of its own whose
// connections go through a TCP gate (test/support/tcp-gate.ts). Closed, the gate's port refuses
// connections (ECONNREFUSED) and the connections it relayed are cut, so the ledger sees exactly
// the errors of a Postgres that went away, from the real pg driver; the rest of the app (tickets,
// operators, the API's sign-in) keeps the shared pool. test/calls/postgres-outage stops the real
// Postgres under SIPp calls end to end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerOps } from '../../src/calls/call-ledger.repository.js';
import { findCallById } from '../../src/calls/call.repository.js';
import { createDb } from '../../src/db/database.js';
import { randomPhone } from '../support/app.js';
import { CAUSE } from '../support/fake-pbx.js';
import { TcpGate } from '../support/tcp-gate.js';
import { apiCall, availableOperator, cancelOpenCallbacks, cleanUp, db, newCall, operatorState, reaches, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';
import type { Line } from '../../src/vocabulary.js';

let c: CoreApp;
let gate: TcpGate;
let ledgerDb: ReturnType<typeof createDb>;
const refusals: string[] = [];
beforeAll(async () => {
  const g = await TcpGate.before(process.env.DATABASE_URL as string);
  gate = g.gate;
  ledgerDb = createDb(g.url, 4);
  c = await startCoreApp({
    parts: {
      ledgerSink: {
        apply: (ops) =>
          applyLedgerOps(ledgerDb, ops).catch((err: Error & { code?: string }) => {
            refusals.push(err.code ?? err.message);
            throw err;
          }),
      },
    },
  });
});
afterAll(async () => {
  await gate?.open();
  await c?.stop();
  await ledgerDb?.destroy();
  await gate?.close();
});
afterEach(async () => {
  await gate.open();
  await cleanUp(c);
});

/** Postgres has exactly these transitions of the call, chained (each from the last one's status), seq strictly increasing. */
async function expectStored(callId: string, path: string[]): Promise<void> {
  const events = await storedEvents(callId);
  expect(events.map((e) => e.to_status), callId).toEqual(path);
  expect(events.map((e) => e.from_status)).toEqual([null, ...path.slice(0, -1)]);
  const seqs = events.map((e) => e.seq ?? 0);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
}

/** The row in Postgres is the ledger's final row: final status, ended, the last change's seq. */
async function expectFinalRow(callId: string, status: string, lastSeq: number): Promise<void> {
  const row = await findCallById(db, callId);
  expect(row).toMatchObject({ status, ledger_seq: lastSeq });
  expect(row?.ended_at).toBeInstanceOf(Date);
}

function caller(key: string): { ch: string; id: Promise<string> } {
  const ch = c.pbx.inbound(randomPhone());
  c.pbx.press(ch, key);
  return { ch, id: newCall(c, ch) };
}

const inLine = (line: Line, id: string) => until(`${id} waiting on ${line}`, () => c.t.app.calls.queueOf(line).some((e) => e.id === id));

describe('the call ledger under the call core', () => {
  it('writes many transitions of several calls to call_events in the order they happened, and final rows final', async () => {
    const a = await availableOperator(c, 'first');
    const c1 = caller('1');
    const id1 = await c1.id;
    const ringA = await until('A rung', () => c.pbx.lastDial(id1));
    const c2 = caller('1');
    const id2 = await c2.id;
    await inLine('first', id2);
    const c3 = caller('2');
    const id3 = await c3.id;
    await inLine('second', id3);
    // Eight callers wait on the second line and hang up in the same moment: their changes share batches.
    const crowd = await Promise.all(Array.from({ length: 8 }, async () => {
      const x = caller('2');
      const id = await x.id;
      await inLine('second', id);
      return { ch: x.ch, id };
    }));
    c.pbx.gone(ringA.channelId, CAUSE.noAnswer);
    await inLine('first', id1);
    expect(c.t.app.calls.queueOf('first').map((e) => e.id)).toEqual([id1, id2]);
    expect(await operatorState(c, a.id)).toBe('paused');
    for (const x of crowd) c.pbx.gone(x.ch);
    const b = await availableOperator(c, 'first');
    const ringB = await until('B rung for the first caller', () => c.pbx.lastDial(id1) !== ringA && c.pbx.lastDial(id1));
    expect(ringB.endpoint).toBe(b.endpoint);
    c.pbx.operatorAnswers(ringB);
    await reaches(c, id1, 'bridged');
    c.pbx.gone(c2.ch);
    expect((await c.t.api('POST', `/api/calls/${id1}/transfer`, { line: 'second' })).status).toBe(202);
    await inLine('second', id1);
    const cc = await availableOperator(c, 'second');
    const ringC = await until('C rung for the transferred caller', () => c.pbx.lastDial(id1) !== ringB && c.pbx.lastDial(id1));
    expect(ringC.endpoint).toBe(cc.endpoint); // a transferred caller goes ahead of the one waiting there
    c.pbx.operatorAnswers(ringC);
    await reaches(c, id1, 'bridged');
    const c4 = caller('7');
    const id4 = await c4.id;
    c.pbx.gone(c1.ch);
    const ring3 = await until('C rung for the waiting caller once free', () => c.pbx.lastDial(id3));
    expect(ring3.endpoint).toBe(cc.endpoint);
    c.pbx.gone(c3.ch);
    for (const id of [id1, id2, id3, id4, ...crowd.map((x) => x.id)]) await settled(c, id);

    await expectStored(id1, ['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'queued', 'ringing', 'bridged', 'completed']);
    await expectStored(id2, ['ivr', 'queued', 'abandoned']);
    await expectStored(id3, ['ivr', 'queued', 'ringing', 'abandoned']);
    await expectStored(id4, ['ivr', 'completed']);
    for (const x of crowd) await expectStored(x.id, ['ivr', 'queued', 'abandoned']);
    for (const [id, status] of [[id1, 'completed'], [id2, 'abandoned'], [id3, 'abandoned'], [id4, 'completed'], ...crowd.map((x) => [x.id, 'abandoned'])] as const) {
      const events = await storedEvents(id);
      await expectFinalRow(id, status, Math.max(...events.map((e) => e.seq ?? 0)));
    }
    expect(await findCallById(db, id1)).toMatchObject({ line: 'second', operator_id: cc.id, hangup_by: 'caller' });
  });

  it('while Postgres refuses the ledger, calls go on in memory and the API tells their live state; back, every transition lands in order', async () => {
    const op = await availableOperator(c, 'first');
    // One call starts before the outage and is written; it ends during it.
    const before = caller('2');
    const idBefore = await before.id;
    await inLine('second', idBefore);
    await c.t.app.ledger.written(idBefore);
    refusals.length = 0;
    await gate.close();

    const talk = caller('1');
    const idTalk = await talk.id;
    const ring = await until('operator rung during the outage', () => c.pbx.lastDial(idTalk));
    expect(ring.endpoint).toBe(op.endpoint);
    c.pbx.operatorAnswers(ring);
    await reaches(c, idTalk, 'bridged');
    const ivrEnd = caller('7');
    const idIvr = await ivrEnd.id;
    await reaches(c, idIvr, 'completed'); // over, but not written while Postgres refuses: the ledger keeps it
    c.pbx.gone(before.ch);
    await until('refused at least twice', () => refusals.length >= 2);
    expect(c.t.app.ledger.stats().failingSince).not.toBeNull();

    // Nothing of the new calls is in Postgres, and the API tells them from memory.
    expect(await findCallById(db, idTalk)).toBeUndefined();
    const live = await apiCall(c, idTalk);
    expect(live).toMatchObject({ status: 'bridged', line: 'first', operatorId: op.id });
    expect(live.transitions.map((t) => t.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged']);
    const ended = await apiCall(c, idBefore);
    expect(ended.status).toBe('abandoned');
    expect(ended.transitions.map((t) => t.to)).toEqual(['ivr', 'queued', 'abandoned']);
    expect((await findCallById(db, idBefore))?.status).toBe('queued'); // what Postgres had before it went away
    expect((await apiCall(c, idIvr)).status).toBe('completed');

    c.pbx.gone(talk.ch);
    await reaches(c, idTalk, 'completed');
    expect(refusals.every((r) => /ECONNREFUSED|terminated|ECONNRESET/.test(r)), refusals.join()).toBe(true);

    await gate.open();
    await c.t.app.ledger.written();
    expect(c.t.app.ledger.stats()).toMatchObject({ backlog: 0, failingSince: null });
    await expectStored(idBefore, ['ivr', 'queued', 'abandoned']);
    await expectStored(idTalk, ['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await expectStored(idIvr, ['ivr', 'completed']);
    expect(await findCallById(db, idTalk)).toMatchObject({ status: 'completed', operator_id: op.id, hangup_by: 'caller' });
    expect((await findCallById(db, idIvr))?.status).toBe('completed');
    expect((await findCallById(db, idBefore))?.status).toBe('abandoned');
    const msgs = c.logs.map((l) => l.msg);
    expect(msgs).toContain('call ledger: Postgres refuses the writes; retrying, calls go on');
    expect(msgs).toContain('call ledger: Postgres takes the writes again');
  });
  it('while Postgres refuses the ledger, a callback’s customer is dialled only once the call’s row is written (its attempt names the call)', async () => {
    // A caller books a callback from the queue (the booking itself is in the shared Postgres).
    const number = randomPhone();
    const ch = c.pbx.inbound(number);
    c.pbx.press(ch, '1');
    const booking = await newCall(c, ch);
    await inLine('first', booking);
    c.pbx.press(ch, '*');
    await until('callback menu', () => c.pbx.prompted(ch, 'callback-confirm'));
    c.pbx.press(ch, '1');
    // The booking is a Postgres transaction and a BullMQ job: seconds on a machine busy with the other shard.
    await until('booked', () => c.t.app.calls.queueOf('first').some((e) => e.kind === 'callback'), 15_000);
    const callbackId = c.t.app.calls.queueOf('first').find((e) => e.kind === 'callback')!.id;
    await gate.close();
    const op = await availableOperator(c, 'first');
    const ring = await until('operator rung for the callback', () => c.pbx.dials().find((d) => d.endpoint === op.endpoint));
    c.pbx.operatorAnswers(ring);
    await until('operator waiting in the bridge with music', () => c.pbx.trace(ring.callId).includes('startBridgeMoh'));
    refusals.length = 0;
    await until('Postgres refused the call’s row', () => refusals.length >= 1);
    expect(c.pbx.dialOuts(ring.callId)).toEqual([]);
    expect(c.t.app.ledger.row(ring.callId)?.status).toBe('ringing');
    await gate.open();
    const out = await until('customer dialled once the row is written', () => c.pbx.dialOuts(ring.callId)[0], 10_000);
    expect(out.dialString).toBe(`PJSIP/+${number}@trunk`);
    expect(await findCallById(db, ring.callId)).toMatchObject({ callback_id: callbackId });
    c.pbx.customerAnswers(out);
    await reaches(c, ring.callId, 'bridged');
    c.pbx.gone(out.channelId);
    await settled(c, ring.callId);
    await expectStored(ring.callId, ['queued', 'ringing', 'dialling', 'bridged', 'completed']);
    await expectStored(booking, ['ivr', 'queued', 'callback']);
    await cancelOpenCallbacks([callbackId]);
  });
});
