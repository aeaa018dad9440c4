// The live calls' rows, owned in memory, written behind to Postgres.
//
// A caller never waits on the database: a call's id is minted here, each change is applied to
// its row in memory at once, appended to the local journal (call-journal.ts), and queued. A
// flush loop sends the queue in batches (one round trip, applied in order by SQL, migration
// 0013) and retries for as long as Postgres is away. Every change carries the call's own
// sequence number, so a batch sent twice (a retry whose commit we never heard of, a journal
// replay after a crash) changes nothing the second time.
//
// Guarantees: per call, changes reach Postgres in the order they were made; a change made
// before a crash is in Postgres once the service has started again and Postgres is there;
// GET /api/calls/:id reads the row from here while the call is live, so the API tells the
// truth before the row is written.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRow, CallUpdate } from './call.table.js';
import type { CallJournal, JournalEntry } from './call-journal.js';
import type { LedgerOp } from './call-ledger.repository.js';
import { assertTransition, isFinal, type CallStatus } from './call-state-machine.js';
import { isDataError, nextBackoff } from '../db/pg-errors.js';
import { NO_SKILLS } from '../queues/skills.js';

/** Where batches go: Postgres in the service (applyLedgerOps), a fake in unit tests. */
export interface LedgerSink {
  apply(ops: readonly LedgerOp[]): Promise<void>;
}

export interface LedgerSettings {
  /** Changes sent in one round trip at most. */
  batchMax: number;
  /** Longest wait between two tries while Postgres is away. */
  retryMaxMs: number;
}

export interface LedgerStats {
  /** Changes not yet in Postgres. */
  backlog: number;
  /** How long the oldest of them has waited, ms. */
  oldestMs: number;
  /** Since when Postgres has refused the writes (epoch ms), or null. */
  failingSince: number | null;
  live: number;
}

interface Live {
  row: CallRow;
  /** The journal number of this call's latest change: the row may be dropped once it is acknowledged. */
  lastN: number;
  /**
   * The transitions this instance made, kept while the call is live: the API tells a call's
   * history from them while Postgres is away (a few per call; gone with the row).
   */
  events: { seq: number; from: string | null; to: string; at: string; detail: Record<string, unknown> }[];
}

type Queued = JournalEntry & { queuedAt: number };

/** The columns a new call starts with; what the caller and the node give is filled in by `inbound`. */
export function newCallRow(f: Pick<CallRow, 'caller_number' | 'dialled_number' | 'language' | 'status' | 'caller_channel_id' | 'pbx_node'> & Partial<CallRow>): CallRow {
  return {
    id: randomUUID(), ticket_id: null, line: null, ivr_path: [], operator_id: null, operator_channel_id: null, bridge_id: null,
    entered_at: new Date(), queued_at: null, answered_at: null, ended_at: null, hangup_cause: null, hangup_cause_code: null, hangup_by: null,
    recording_id: null, legal_hold: false, keyed_ticket_number: null, verification_status: 'none', verified_account_id: null,
    verification_method: null, verified_at: null, verification_flagged: false, callback_id: null, survey_score: null, on_hold: false,
    disposition: null, wrapped_up_at: null, ledger_seq: 1, required_skills: NO_SKILLS,
    ...f,
  };
}

/** The columns a ledger update may change: pbx_apply_call_ops (migrations 0013, 0028) sets exactly these. */
const LEDGER_COLUMNS: ReadonlySet<string> = new Set([
  'ticket_id', 'language', 'line', 'ivr_path', 'operator_id', 'status', 'operator_channel_id', 'bridge_id', 'queued_at',
  'answered_at', 'ended_at', 'hangup_cause', 'hangup_cause_code', 'hangup_by', 'recording_id', 'keyed_ticket_number',
  'verification_status', 'verified_account_id', 'verification_method', 'verified_at', 'callback_id', 'survey_score', 'on_hold',
  'required_skills',
]);

/**
 * A batch as sent: the updates of one call merged into one, at the place of its last update
 * (later keys win, the last sequence number), so Postgres writes each row once per batch instead
 * of once per change. Safe at that place: the call's insert and any recording its patch names
 * come before it. Events and inserts go as they are, in order.
 */
export function coalesce(ops: readonly LedgerOp[]): LedgerOp[] {
  const last = new Map<string, number>();
  ops.forEach((op, i) => op.k === 'update' && last.set(op.id, i));
  const merged = new Map<string, { seq: number; patch: Record<string, unknown> }>();
  const out: LedgerOp[] = [];
  ops.forEach((op, i) => {
    if (op.k !== 'update') return void out.push(op);
    const m = merged.get(op.id) ?? { seq: 0, patch: {} };
    const next = { seq: Math.max(m.seq, op.seq), patch: { ...m.patch, ...op.patch } };
    merged.set(op.id, next);
    if (last.get(op.id) === i) out.push({ k: 'update', id: op.id, ...next });
  });
  return out;
}

export class CallLedger {
  private readonly live = new Map<string, Live>();
  private queue: Queued[] = [];
  private flushing = false;
  private ackedN = 0;
  private nextN = 0;
  private failingSince: number | null = null;
  private readonly waiters: { n: number; done: () => void }[] = [];
  private stopped = false;
  private journalFailing = false;
  private recoveredAt = 0;

  constructor(
    private readonly sink: LedgerSink,
    private readonly journal: CallJournal | null,
    private readonly log: Logger,
    private readonly s: LedgerSettings = { batchMax: 500, retryMaxMs: 1000 },
    /** How long each change took to reach Postgres, ms (a metric: a transition should within 1 s). */
    private readonly observe: (ms: number) => void = () => undefined,
  ) {}

  /** Replays what the journal holds that Postgres never acknowledged (a crash), before any new call. */
  open(): number {
    const pending = this.journal?.open() ?? [];
    const now = Date.now();
    for (const e of pending) this.queue.push({ ...e, queuedAt: now });
    this.nextN = this.ackedN = pending.length ? pending[0]!.n - 1 : 0;
    if (pending.length) this.nextN = pending[pending.length - 1]!.n;
    if (pending.length) this.log.warn({ changes: pending.length }, 'call journal: replaying changes Postgres never acknowledged');
    this.kick();
    return pending.length;
  }

  /** A new call, live from now on. */
  insert(row: CallRow): CallRow {
    const r = { ...row, ledger_seq: 1 };
    const live: Live = { row: r, lastN: 0, events: [] };
    this.live.set(r.id, live);
    this.push(live, { k: 'insert', t: 'calls', row: plain(r) });
    this.push(live, { k: 'event', id: r.id, seq: 1, from: null, to: r.status, detail: {}, at: r.entered_at.toISOString() });
    return { ...r };
  }

  /** A call read back from Postgres (reclaimed after a restart): live again, its sequence going on. */
  adopt(row: CallRow): void {
    if (!this.live.has(row.id)) this.live.set(row.id, { row: { ...row }, lastN: this.ackedN, events: [] });
  }

  /** Moves a call to `to` with the row's changes, and records the transition; the new row. */
  transition(callId: string, from: CallStatus, to: CallStatus, patch: CallUpdate = {}, detail: Record<string, unknown> = {}): CallRow {
    assertTransition(from, to);
    const l = this.must(callId);
    if (l.row.status !== from) throw new Error(`call ${callId} is ${l.row.status}, not ${from}`);
    const seq = this.apply(l, { ...patch, status: to });
    this.push(l, { k: 'event', id: callId, seq, from, to, detail, at: new Date().toISOString() });
    return { ...l.row };
  }

  /** Changes a live call's row without a transition. */
  update(callId: string, patch: CallUpdate): CallRow {
    const l = this.must(callId);
    this.apply(l, patch);
    return { ...l.row };
  }

  /** An event that changes who is on the call, not its status (a warm transfer completed). */
  event(callId: string, detail: Record<string, unknown>): void {
    const l = this.must(callId);
    const seq = ++l.row.ledger_seq;
    this.push(l, { k: 'update', id: callId, seq, patch: {} });
    this.push(l, { k: 'event', id: callId, seq, from: l.row.status, to: l.row.status, detail, at: new Date().toISOString() });
  }

  /** A recording's row, written in order with its call's (it refers to the call, and the call to it). */
  recording(callId: string, row: Record<string, unknown>): void {
    this.push(this.must(callId), { k: 'insert', t: 'recordings', row });
  }

  /** The live row of a call (a copy), while the call is live or its last changes are unwritten. */
  row(callId: string): CallRow | undefined {
    const l = this.live.get(callId);
    return l ? { ...l.row } : undefined;
  }

  /**
   * A live call's transitions held here, in order: all those this instance made (a reclaimed
   * call's earlier ones are in Postgres only), among them every one not in Postgres yet. Readers
   * merge them with what Postgres has by sequence number.
   */
  pendingEvents(callId: string): Live['events'] {
    return [...(this.live.get(callId)?.events ?? [])];
  }

  has(callId: string): boolean {
    return this.live.has(callId);
  }

  stats(): LedgerStats {
    const oldest = this.queue[0];
    // Changes queued during an outage are not "behind" from the moment Postgres is back: their age counts from then.
    const since = oldest ? Math.max(oldest.queuedAt, this.recoveredAt) : 0;
    return { backlog: this.queue.length, oldestMs: oldest ? Date.now() - since : 0, failingSince: this.failingSince, live: this.live.size };
  }

  /**
   * Resolves when everything changed so far (of one call, when named) is in Postgres: for a
   * write elsewhere that refers to the call's row (a callback attempt names its call).
   */
  written(callId?: string): Promise<void> {
    const n = callId === undefined ? this.nextN : (this.live.get(callId)?.lastN ?? 0);
    if (n <= this.ackedN) return Promise.resolve();
    return new Promise((done) => this.waiters.push({ n, done }));
  }

  /** Shutdown: waits up to `deadlineMs` for the backlog; what is left stays in the journal for the next start. */
  async close(deadlineMs: number): Promise<void> {
    await Promise.race([this.written(), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    this.stopped = true;
    if (this.queue.length) this.log.warn({ changes: this.queue.length }, 'call journal: changes left for the next start');
    this.journal?.close();
  }

  private must(callId: string): Live {
    const l = this.live.get(callId);
    if (!l) throw new Error(`call ${callId} is not live here`);
    return l;
  }

  private apply(l: Live, patch: CallUpdate): number {
    for (const k of Object.keys(patch)) if (!LEDGER_COLUMNS.has(k)) throw new Error(`the call ledger does not write calls.${k}`);
    const seq = ++l.row.ledger_seq;
    Object.assign(l.row, patch);
    const out: Record<string, unknown> = plain(patch as Record<string, unknown>);
    this.push(l, { k: 'update', id: l.row.id, seq, patch: out });
    return seq;
  }

  private push(l: Live, op: LedgerOp): void {
    if (this.stopped) {
      // After shutdown (a hangup event still in flight): the next instance reclaims the call
      // from Asterisk and Postgres, as it would after a crash.
      this.log.debug({ op: op.k }, 'call ledger closed: change not kept');
      return;
    }
    const n = this.journaled(() => this.journal?.append(op)) ?? this.nextN + 1;
    this.nextN = n;
    l.lastN = n;
    if (op.k === 'event') l.events.push({ seq: op.seq, from: op.from, to: op.to, at: op.at, detail: op.detail });
    this.queue.push({ n, op, queuedAt: Date.now() });
    this.kick();
  }

  /**
   * A journal that cannot be written (its disk full) must not stop calls: they go on, written
   * behind as usual, only not safe against a crash until the journal takes writes again.
   */
  private journaled<T>(fn: () => T): T | undefined {
    try {
      const r = fn();
      this.journalFailing = false;
      return r;
    } catch (err) {
      if (!this.journalFailing) this.log.error({ err: (err as Error).message }, 'call journal cannot be written: calls go on, not crash-safe until it can');
      this.journalFailing = true;
      return undefined;
    }
  }

  private kick(): void {
    if (this.flushing || this.stopped || this.queue.length === 0) return;
    this.flushing = true;
    // A tick's grace, so the changes of many calls made in the same moment share one round trip.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    let backoff = 50;
    while (this.queue.length && !this.stopped) {
      const batch = this.queue.slice(0, this.s.batchMax);
      try {
        // A sync that fails is a journal that fails (its disk): logged once, the batch goes on.
        const unsynced = await this.journal?.sync().then(() => null, (err: unknown) => err);
        this.journaled(() => {
          if (unsynced) throw unsynced;
        });
        await this.sink.apply(coalesce(batch.map((e) => e.op))).catch((err: unknown) => {
          if (isDataError(err)) return this.isolate(batch);
          throw err;
        });
      } catch (err) {
        if (this.failingSince === null) {
          this.failingSince = Date.now();
          this.log.error({ err: (err as Error).message, backlog: this.queue.length }, 'call ledger: Postgres refuses the writes; retrying, calls go on');
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = nextBackoff(backoff, this.s.retryMaxMs);
        continue;
      }
      if (this.failingSince !== null) {
        this.log.warn({ outageMs: Date.now() - this.failingSince, backlog: this.queue.length }, 'call ledger: Postgres takes the writes again');
        this.failingSince = null;
        this.recoveredAt = Date.now();
      }
      backoff = 50;
      this.acked(batch.length);
    }
    this.flushing = false;
    this.kick();
  }

  /** A batch Postgres refused for its content: sent one change at a time, and a bad change is logged and dropped. */
  private async isolate(batch: Queued[]): Promise<void> {
    for (const e of batch) {
      try {
        await this.sink.apply([e.op]);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.log.error({ err: (err as Error).message, op: e.op }, 'call ledger: a change Postgres refuses was dropped');
      }
    }
  }

  private acked(count: number): void {
    const done = this.queue.splice(0, count);
    const last = done[done.length - 1];
    if (!last) return;
    this.ackedN = last.n;
    this.journaled(() => {
      this.journal?.ack(last.n);
      if (this.journal?.oversized) this.journal.compact(this.queue);
    });
    const now = Date.now();
    for (const e of done) this.observe(now - e.queuedAt);
    for (const [id, l] of this.live) if (isFinal(l.row.status) && l.lastN <= this.ackedN) this.live.delete(id);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.n <= this.ackedN) {
        this.waiters.splice(i, 1);
        w.done();
      }
    }
  }
}

/** JSON-ready: dates as ISO strings (Postgres reads them back as timestamptz), undefined left out. */
function plain(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}
