// Replay after a crash (issue 17), through a FakePbx. A service instance was killed while
// Postgres was away: its journal holds changes Postgres never acknowledged, and the first batch
// even reached Postgres without the acknowledgement coming back (the commit was never heard of).
// The next instance (this file's app) writes all of it at start, exactly once, before it
// reclaims the calls from Postgres and the PBX: the bridged call stays up, the waiting caller is
// put through, the ring in progress is cancelled and offered again, the caller gone meanwhile
// is closed, and a callback's call whose customer was not dialled yet fails (the callback waits again).
//
// The killed instance is simulated by what it leaves on disk: a CallLedger over a CallJournal in
// the journal dir the app then opens (the app's own classes, the changes the call core makes),
// whose sink applies the first batch for real and then fails as a Postgres that went away. A
// SIGKILL leaves exactly the journal's bytes (appends to the page cache survive the process);
// the SIGKILL of the real service is test/calls/postgres-outage's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallJournal } from '../../src/calls/call-journal.js';
import { CallLedger, newCallRow } from '../../src/calls/call-ledger.js';
import { applyLedgerOps } from '../../src/calls/call-ledger.repository.js';
import { findCallById, listActiveCalls } from '../../src/calls/call.repository.js';
import { changeOperatorState, insertOperator } from '../../src/operators/operator.repository.js';
import { findCallback, insertCallback } from '../../src/callbacks/callback.repository.js';
import type { CallbackRow } from '../../src/callbacks/callback.table.js';
import type { OperatorRow } from '../../src/operators/operator.table.js';
import { randomPhone, uniq } from '../support/app.js';
import { cancelOpenCallbacks, db, operatorState, setState, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';
import type { Line } from '../../src/vocabulary.js';

const node = uniq('replay-');
const dir = mkdtempSync(path.join(tmpdir(), 'pbxdesk-call-replay-'));
const journalFile = path.join(dir, `calls-${node}.jsonl`);
let c: CoreApp;
let x: OperatorRow; // on the bridged call
let y: OperatorRow; // free after the restart
let z: OperatorRow; // was being rung
const ch = { p: randomUUID(), pOp: randomUUID(), q: randomUUID(), r: randomUUID(), rOp: randomUUID(), s: randomUUID(), t: randomUUID(), u: randomUUID(), v: randomUUID(), vOp: randomUUID() };
const ids: Record<'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v', string> = { p: '', q: '', r: '', s: '', t: '', u: '', v: '' };
let callback: CallbackRow; // claimed by the killed instance for V
let sinkCalls = 0;
let firstBatch = 0;

function operator(line: Line): Promise<OperatorRow> {
  const login = uniq('replay-op-');
  return insertOperator(db, { login, name: login, line, sip_username: `op-${login}`, sip_md5_cred: 'x'.repeat(32), pbx_node: node });
}

/** What the killed instance did, as the call core does it, through its ledger and journal. */
async function killedInstance(): Promise<void> {
  const ledger = new CallLedger(
    {
      apply: async (ops) => {
        if (++sinkCalls === 1) {
          firstBatch = ops.length;
          await applyLedgerOps(db, ops); // committed; the acknowledgement is lost on the way back
          throw new Error('Connection terminated unexpectedly');
        }
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
    },
    new CallJournal(journalFile),
    pino({ level: 'silent' }),
  );
  ledger.open();
  const inbound = (k: keyof typeof ids, channel: string) => {
    const row = ledger.insert(newCallRow({ caller_number: randomPhone(), dialled_number: '88005553535', language: 'ru', status: 'ivr', caller_channel_id: channel, pbx_node: node }));
    ids[k] = row.id;
    ledger.update(row.id, { ivr_path: ['menu:main-menu=1'] });
  };
  const queued = (k: keyof typeof ids, at: Date) => ledger.transition(ids[k], 'ivr', 'queued', { line: 'first', queued_at: at }, { line: 'first' });
  // P: answered and bridged; this first batch reaches Postgres, its acknowledgement does not.
  inbound('p', ch.p);
  queued('p', new Date(Date.now() - 60_000));
  ledger.transition(ids.p, 'queued', 'ringing', { operator_id: x.id, operator_channel_id: ch.pOp }, { operatorId: x.id });
  ledger.transition(ids.p, 'ringing', 'bridged', { answered_at: new Date(), bridge_id: randomUUID() });
  await until('the first batch sent', () => sinkCalls >= 1);
  // From here on Postgres refuses: Q waits, R's operator is being rung, S is in the IVR, T waits
  // (and will hang up while nobody listens), U abandoned.
  inbound('q', ch.q);
  queued('q', new Date(Date.now() - 50_000));
  inbound('r', ch.r);
  queued('r', new Date(Date.now() - 40_000));
  ledger.transition(ids.r, 'queued', 'ringing', { operator_id: z.id, operator_channel_id: ch.rOp }, { operatorId: z.id });
  inbound('s', ch.s);
  inbound('t', ch.t);
  queued('t', new Date(Date.now() - 30_000));
  inbound('u', ch.u);
  queued('u', new Date(Date.now() - 20_000));
  ledger.transition(ids.u, 'queued', 'abandoned', { ended_at: new Date(), hangup_cause: 'Normal Clearing', hangup_cause_code: 16, hangup_by: 'caller' }, { by: 'caller' });
  // V: a callback's call (agent-first), its operator being rung, the customer not dialled yet.
  const v = ledger.insert(newCallRow({ caller_number: callback.number, dialled_number: null, language: 'ru', status: 'queued', caller_channel_id: ch.v, line: 'second', callback_id: callback.id, queued_at: new Date(), pbx_node: node }));
  ids.v = v.id;
  ledger.transition(ids.v, 'queued', 'ringing', { operator_id: z.id, operator_channel_id: ch.vOp }, { operatorId: z.id });
  await until('Postgres refused at least once', () => sinkCalls >= 2);
  await ledger.close(0); // killed: nothing more is written or acknowledged
}

beforeAll(async () => {
  await cancelOpenCallbacks();
  [x, y, z] = [await operator('first'), await operator('first'), await operator('first')];
  callback = await insertCallback(db, { kind: 'queued', number: `+${randomPhone()}`, line: 'second', ticket_id: null, account_id: null, call_id: null, status: 'dialling', rank: new Date(), max_attempts: 3, requested_by: 'caller' });
  await changeOperatorState(db, x.id, 'on_call', null, null); // talking on P when the instance died
  await killedInstance();
  c = await startCoreApp({ node, journalDir: dir, keepCallbacks: true });
});
afterAll(async () => {
  await cancelOpenCallbacks(callback ? [callback.id] : []);
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('replay after a crash during a Postgres outage', () => {
  it('writes every change the journal holds at start, exactly once, then reclaims the calls', async () => {
    expect(firstBatch).toBeGreaterThan(0);
    // Started: the journal was replayed before start() returned.
    const expected: Record<keyof typeof ids, string[]> = {
      p: ['ivr', 'queued', 'ringing', 'bridged'],
      q: ['ivr', 'queued'],
      r: ['ivr', 'queued', 'ringing'],
      s: ['ivr'],
      t: ['ivr', 'queued'],
      u: ['ivr', 'queued', 'abandoned'],
      v: ['queued', 'ringing'],
    };
    for (const [k, path] of Object.entries(expected) as [keyof typeof ids, string[]][]) {
      const events = await storedEvents(ids[k]);
      expect(events.map((e) => e.to_status), k).toEqual(path);
      expect(new Set(events.map((e) => e.seq)).size).toBe(events.length); // each change once
    }
    expect(await findCallById(db, ids.p)).toMatchObject({ status: 'bridged', operator_id: x.id, ivr_path: ['menu:main-menu=1'] });
    expect(await findCallById(db, ids.u)).toMatchObject({ status: 'abandoned', hangup_by: 'caller' });
    expect((await listActiveCalls(db, node)).map((r) => r.id).sort()).toEqual([ids.p, ids.q, ids.r, ids.s, ids.t, ids.v].sort());
    // Everything is acknowledged now: a later start has nothing to replay.
    const again = new CallJournal(path.join(c.journalDir, `calls-${node}.jsonl`));
    expect(again.open()).toEqual([]);
    again.close();

    // The PBX comes up with every channel but T's caller (who hung up while nobody listened).
    for (const id of [ch.p, ch.pOp, ch.q, ch.r, ch.rOp, ch.s, ch.vOp]) c.pbx.channels.add(id);
    c.pbx.emit({ type: 'connected', reconnect: false });
    await until('reclaimed', () => c.t.app.calls.queueOf('first').length === 3 && !c.t.app.ledger.has(ids.t) && !c.t.app.ledger.has(ids.v));
    // V, a callback's call that had not dialled its customer: failed (the service restarted
    // during it), its operator's ring cancelled, the callback back in its line, waiting.
    expect(c.pbx.argsOf('hangup')).toContainEqual([ch.vOp]);
    expect(await findCallById(db, ids.v)).toMatchObject({ status: 'failed', hangup_by: 'system' });
    expect((await storedEvents(ids.v)).map((e) => e.to_status)).toEqual(['queued', 'ringing', 'failed']);
    expect(await findCallback(db, callback.id)).toMatchObject({ status: 'waiting', attempts: 0 });
    expect(c.t.app.calls.queueOf('second').map((e) => [e.kind, e.id])).toEqual([['callback', callback.id]]);
    expect(c.pbx.argsOf('hangup')).toContainEqual([ch.rOp]); // the ring in progress is cancelled
    expect(c.pbx.argsOf('startMoh')).toEqual(expect.arrayContaining([[ch.q], [ch.r], [ch.s]]));
    expect(c.t.app.ledger.row(ids.p)?.status).toBe('bridged');
    expect(await findCallById(db, ids.t)).toMatchObject({ status: 'abandoned', hangup_by: 'system' });
    // Waiting in the order they first queued; S, reclaimed from the IVR, joins last.
    expect(c.t.app.calls.queueOf('first').map((e) => e.id)).toEqual([ids.q, ids.r, ids.s]);

    // Y comes free and is rung for Q, the longest waiting caller.
    await setState(c, y.id, 'available');
    const dial = await until('Y rung', () => c.pbx.lastDial(ids.q));
    expect(dial.endpoint).toBe(y.sip_username);
    c.pbx.operatorAnswers(dial);
    await until('Q bridged', () => c.t.app.ledger.row(ids.q)?.status === 'bridged');
    expect(c.pbx.argsOf('bridgeAndRecord').find((a) => a[2] === `call-${ids.q}`)?.[1]).toEqual([ch.q, dial.channelId]);
    for (const k of ['r', 's'] as const) c.pbx.gone(ch[k]);
    // P's caller hangs up: the reclaimed bridged call ends normally and X is let go.
    c.pbx.gone(ch.p);
    await until('P over and written', () => !c.t.app.ledger.has(ids.p));
    expect(c.pbx.argsOf('hangup')).toContainEqual([ch.pOp]);
    await until('X available again', async () => (await operatorState(c, x.id)) === 'available');

    c.pbx.gone(ch.q);
    for (const k of ['q', 'r', 's'] as const) await until(`${k} over and written`, () => !c.t.app.ledger.has(ids[k]));
    expect((await storedEvents(ids.p)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    expect((await storedEvents(ids.q)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    expect((await storedEvents(ids.r)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'queued', 'abandoned']);
    expect((await storedEvents(ids.s)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'abandoned']);
    expect((await storedEvents(ids.t)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'abandoned']);
    for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
      const seqs = (await storedEvents(ids[k])).map((e) => e.seq ?? 0);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    expect(await listActiveCalls(db, node)).toEqual([]);
  });
});
