// The call ledger's guarantees, through a fake sink in place of Postgres (the SQL side is checked
// against the real Postgres in call-ledger.int.test.ts): order per call, batching, retry while
// the database is away, replay of the journal after a crash, and a bad change not blocking others.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CallJournal } from '../../src/calls/call-journal.js';
import { CallLedger, coalesce, newCallRow, type LedgerSink } from '../../src/calls/call-ledger.js';
import type { LedgerOp } from '../../src/calls/call-ledger.repository.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function journalFile(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'pbxdesk-ledger-'));
  dirs.push(d);
  return path.join(d, 'calls.jsonl');
}

/** Records what it is sent; fails while `down` (as a refused connection), or for a poisoned op (as a constraint). */
class FakeSink implements LedgerSink {
  batches: LedgerOp[][] = [];
  down = false;
  poison: ((op: LedgerOp) => boolean) | undefined;
  async apply(ops: readonly LedgerOp[]): Promise<void> {
    await Promise.resolve();
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    if (this.poison && ops.some(this.poison)) throw Object.assign(new Error('violates foreign key constraint'), { code: '23503' });
    this.batches.push([...ops]);
  }
  get ops(): LedgerOp[] {
    return this.batches.flat();
  }
}

const call = () => newCallRow({ caller_number: '79001234567', dialled_number: null, language: 'ru', status: 'ivr', caller_channel_id: 'ch-' + Math.random(), pbx_node: 'pbx1' });
const seqsOf = (ops: LedgerOp[], id: string) => ops.filter((o) => o.k !== 'insert' && o.id === id).map((o) => (o as { seq: number }).seq);

describe('call ledger', () => {
  it('applies changes in memory at once and writes them behind in order per call, many calls a batch', async () => {
    const sink = new FakeSink();
    const ledger = new CallLedger(sink, null, log);
    ledger.open();
    const rows = Array.from({ length: 20 }, () => ledger.insert(call()));
    for (const r of rows) {
      ledger.update(r.id, { ivr_path: ['menu:1'] });
      ledger.transition(r.id, 'ivr', 'queued', { line: 'first', queued_at: new Date() }, { line: 'first' });
      expect(ledger.row(r.id)?.status).toBe('queued'); // before anything was written
    }
    await ledger.written();
    expect(sink.batches.length).toBeLessThanOrEqual(2); // 80 changes of 20 calls
    for (const r of rows) {
      const seqs = seqsOf(sink.ops, r.id);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const inserted = sink.ops.findIndex((o) => o.k === 'insert' && o.row.id === r.id);
      const firstChange = sink.ops.findIndex((o) => o.k !== 'insert' && o.id === r.id);
      expect(inserted).toBeLessThan(firstChange);
    }
    expect(ledger.stats().backlog).toBe(0);
  });

  it('sends one update a call per batch: the patches merged at the place of the last, events and inserts as they were', () => {
    const ops: LedgerOp[] = [
      { k: 'insert', t: 'calls', row: { id: 'a' } },
      { k: 'update', id: 'a', seq: 2, patch: { line: 'first', ivr_path: ['menu:1'] } },
      { k: 'event', id: 'a', seq: 2, from: 'ivr', to: 'queued', detail: {}, at: 't' },
      { k: 'insert', t: 'recordings', row: { id: 'r', call_id: 'a' } },
      { k: 'update', id: 'b', seq: 5, patch: { status: 'ringing' } },
      { k: 'update', id: 'a', seq: 3, patch: { line: 'second', recording_id: 'r' } },
    ];
    expect(coalesce(ops)).toEqual([
      ops[0], ops[2], ops[3], ops[4],
      { k: 'update', id: 'a', seq: 3, patch: { line: 'second', ivr_path: ['menu:1'], recording_id: 'r' } },
    ]);
  });

  it('refuses a change to a column it does not write (Postgres would ignore it)', () => {
    const ledger = new CallLedger(new FakeSink(), null, log);
    const r = ledger.insert(call());
    expect(() => ledger.update(r.id, { disposition: 'resolved' } as never)).toThrow(/does not write calls.disposition/);
  });

  it('refuses a transition the state machine does not allow, and one from a state the call is not in', () => {
    const ledger = new CallLedger(new FakeSink(), null, log);
    const r = ledger.insert(call());
    expect(() => ledger.transition(r.id, 'ivr', 'bridged')).toThrow();
    expect(() => ledger.transition(r.id, 'queued', 'ringing')).toThrow();
    expect(ledger.row(r.id)?.status).toBe('ivr');
  });

  it('retries while Postgres is away; calls go on in memory and everything arrives in order once it is back', async () => {
    const sink = new FakeSink();
    const ledger = new CallLedger(sink, null, log, { batchMax: 500, retryMaxMs: 20 });
    sink.down = true;
    const r = ledger.insert(call());
    ledger.transition(r.id, 'ivr', 'queued', { line: 'first' });
    await new Promise((res) => setTimeout(res, 60));
    expect(ledger.stats().failingSince).not.toBeNull();
    ledger.transition(r.id, 'queued', 'ringing', { operator_id: '1' });
    ledger.transition(r.id, 'ringing', 'abandoned', { ended_at: new Date() });
    expect(ledger.row(r.id)?.status).toBe('abandoned');
    sink.down = false;
    await ledger.written();
    expect(ledger.stats().failingSince).toBeNull();
    const events = sink.ops.filter((o) => o.k === 'event').map((o) => (o as { to: string }).to);
    expect(events).toEqual(['ivr', 'queued', 'ringing', 'abandoned']);
    expect(ledger.row(r.id)).toBeUndefined(); // ended and written: no longer held
  });

  it('replays after a crash what Postgres never acknowledged, and nothing it did', async () => {
    const file = journalFile();
    const first = new FakeSink();
    const a = new CallLedger(first, new CallJournal(file), log);
    a.open();
    const written = a.insert(call());
    await a.written();
    first.down = true; // Postgres goes away, then the service is killed mid-outage
    a.transition(written.id, 'ivr', 'queued', { line: 'second' });
    const r = a.insert(call());
    a.transition(r.id, 'ivr', 'abandoned', { ended_at: new Date() });
    await new Promise((res) => setTimeout(res, 20));

    const second = new FakeSink();
    const b = new CallLedger(second, new CallJournal(file), log);
    expect(b.open()).toBe(6); // the first call moved (update, event); the second inserted (row, event) and ended (update, event)
    await b.written();
    const ops = second.ops;
    expect(ops.some((o) => o.k === 'insert' && o.row.id === written.id)).toBe(false); // acknowledged before the crash
    expect(ops.filter((o) => o.k === 'event').map((o) => [(o as { id: string }).id, (o as { to: string }).to])).toEqual([
      [written.id, 'queued'],
      [r.id, 'ivr'],
      [r.id, 'abandoned'],
    ]);
    // And a third start has nothing left to replay.
    expect(new CallLedger(new FakeSink(), new CallJournal(file), log).open()).toBe(0);
  });

  it('keeps the journal small under steady traffic, and what it still holds after compaction replays', async () => {
    const file = journalFile();
    const sink = new FakeSink();
    const a = new CallLedger(sink, new CallJournal(file, 4096), log);
    a.open();
    for (let i = 0; i < 200; i++) {
      const r = a.insert(call());
      a.transition(r.id, 'ivr', 'abandoned', { ended_at: new Date() });
      if (i % 20 === 0) await a.written();
    }
    await a.written();
    expect(statSync(file).size).toBeLessThan(4096 * 2);
    sink.down = true; // the last changes are not acknowledged when the service dies
    const last = a.insert(call());
    await new Promise((res) => setTimeout(res, 20));
    const b = new CallLedger(new FakeSink(), new CallJournal(file, 4096), log);
    expect(b.open()).toBe(2);
    expect(b.stats().backlog).toBe(2);
    await b.written();
    expect(last.id).toBeTruthy();
  });

  it('drops a change Postgres refuses for its content, and writes the others of the batch', async () => {
    const sink = new FakeSink();
    const ledger = new CallLedger(sink, null, log);
    const bad = ledger.insert(call());
    const good = ledger.insert(call());
    sink.poison = (op) => op.k === 'update' && op.id === bad.id;
    ledger.update(bad.id, { line: 'first' });
    ledger.update(good.id, { line: 'second' });
    await ledger.written();
    expect(sink.ops.some((o) => o.k === 'update' && o.id === good.id)).toBe(true);
    expect(sink.ops.some((o) => o.k === 'update' && o.id === bad.id)).toBe(false);
    expect(ledger.stats().backlog).toBe(0);
  });

  it('keeps the sequence of a call read back from Postgres (reclaimed), so its changes go on from there', async () => {
    const sink = new FakeSink();
    const ledger = new CallLedger(sink, null, log);
    const row = { ...call(), status: 'queued' as const, ledger_seq: 7 };
    ledger.adopt(row);
    ledger.transition(row.id, 'queued', 'ringing', { operator_id: '3' });
    await ledger.written();
    expect(seqsOf(sink.ops, row.id)).toEqual([8, 8]);
  });
});
