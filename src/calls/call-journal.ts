// The call ledger's local append-only journal: every change to a live call is appended here
// before it is applied in memory, and acknowledged once Postgres has it. After a crash (the
// service SIGKILLed, perhaps while Postgres was away) the unacknowledged changes are replayed
// at start, before the calls are reclaimed from Postgres.
//
// Why a file and not Redis: it is on the caller's path, and a write(2) into the page cache
// costs microseconds and survives the process being killed; Redis would be a network round
// trip and another thing that can be away. The flush loop fdatasyncs the file before each
// batch goes to Postgres, so a machine crash loses at most the changes of one batch interval.
// That fdatasync runs in libuv's thread pool, not on the event loop: with Asterisk writing
// hundreds of recordings to the same ext4 disk, one sync can wait on the journal commit of all
// their dirty pages, and a synchronous one stalled every call for that long.
// One instance drives a node (the node lock), so one journal per node is never shared.
import { closeSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { LedgerOp } from './call-ledger.repository.js';

/** A change as journalled: its place in the journal (n) and the change itself. */
export interface JournalEntry {
  n: number;
  op: LedgerOp;
}

/** Past this size the journal is rewritten with only what is not acknowledged (compact). */
const COMPACT_BYTES = 4 * 1024 * 1024;

export class CallJournal {
  private fd: number | undefined;
  private size = 0;
  private lastN = 0;
  private ackedN = 0;
  /** The fdatasync in flight, if any: the descriptor is closed only after it. */
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    /** Past this size it is rewritten with only what is not acknowledged (compact). */
    private readonly compactBytes = COMPACT_BYTES,
  ) {}

  /** Opens the journal and returns what Postgres has not acknowledged yet, in order. */
  open(): JournalEntry[] {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const entries: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec: { n?: number; op?: LedgerOp; ack?: number };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue; // a line cut short by a crash mid-write: its change never reached memory either
      }
      if (typeof rec.ack === 'number') this.ackedN = Math.max(this.ackedN, rec.ack);
      else if (typeof rec.n === 'number' && rec.op) entries.push({ n: rec.n, op: rec.op });
    }
    const pending = entries.filter((e) => e.n > this.ackedN);
    // A loop, not Math.max(...): a long outage leaves more entries than a call's arguments may hold.
    this.lastN = this.ackedN;
    for (const e of entries) if (e.n > this.lastN) this.lastN = e.n;
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = Buffer.byteLength(text);
    return pending;
  }

  /** Appends one change; returns its journal number. */
  append(op: LedgerOp): number {
    const n = ++this.lastN;
    this.write(JSON.stringify({ n, op }) + '\n');
    return n;
  }

  /** Everything up to n is in Postgres. */
  ack(n: number): void {
    this.ackedN = n;
    this.write(JSON.stringify({ ack: n }) + '\n');
  }

  /** Grown past its bound: time to compact (with what is still unacknowledged). */
  get oversized(): boolean {
    return this.size > this.compactBytes;
  }

  /**
   * Rewrites the journal with only `pending` (the changes not acknowledged yet), so it does not
   * grow for ever under steady traffic: written beside it, synced, then renamed over it.
   */
  compact(pending: readonly JournalEntry[]): void {
    if (this.fd === undefined) return;
    const tmp = `${this.file}.tmp`;
    const text = [JSON.stringify({ ack: this.ackedN }), ...pending.map((e) => JSON.stringify({ n: e.n, op: e.op }))].join('\n') + '\n';
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = Buffer.byteLength(text);
  }

  /** On disk, not only in the page cache (before a batch is sent); off the event loop. */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    this.syncing = p;
    void p.catch(() => undefined).finally(() => {
      if (this.syncing === p) this.syncing = null;
    });
    return p;
  }

  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    // Closing under a sync in flight could let it sync (or fail on) a descriptor reused meanwhile.
    if (this.syncing) void this.syncing.catch(() => undefined).finally(() => closeSync(fd));
    else closeSync(fd);
  }

  private write(line: string): void {
    if (this.fd === undefined) throw new Error('call journal is not open');
    // The string as it is (no Buffer copy of every change): writeSync encodes it straight into the write.
    const bytes = Buffer.byteLength(line);
    const written = writeSync(this.fd, line);
    if (written !== bytes) {
      // A short write (the disk filled): take the torn line back, so the next one starts clean.
      ftruncateSync(this.fd, this.size);
      throw new Error(`call journal: short write (${written} of ${bytes} bytes)`);
    }
    this.size += bytes;
  }
}
