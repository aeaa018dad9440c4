// Builds the missed-calls worklist from what the call ledger has already written, never from
// the caller's path (issue 17: nothing there waits on Postgres). Every couple of seconds it
// reads the call_events rows since its watermark that may miss (abandoned in the queue, a
// voicemail without an operator) or reach (bridged), joined with their calls, and applies them:
// missed calls into their line's entry of the number, reaches clearing the entries before them.
//
// Why a watermark over call_events rather than a hook in the ledger: the events are what is
// durable (the ledger's journal replays into them after a crash or an outage), every instance
// and the dialplan fallback's calls land there alike, and a follower that was down catches up
// from its watermark. The ids are a sequence, and a transaction can commit after a later id is
// visible (another instance's batch, a journal replay), so each look re-reads the last
// RESCAN_MS of transitions; an entry counts each call once (missed_call_sources) and clearing is
// idempotent, so re-reading is harmless. A call committed more than RESCAN_MS after a later
// id was read would be missed: the ledger's batches commit in milliseconds.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { planPass, shouldAutoBook } from './missed-call-rules.js';
import type { MissedCallNotifier } from './missed-call.notifier.js';
import { clearReached, listTransitions, readCursor, recordMissed, settleBooked, startCursor, writeCursor, type MissedCallRow } from './missed-call.repository.js';
import type { MissedCallService, MissedCallbacks } from './missed-call.service.js';

const RESCAN_MS = 15_000;
const BATCH = 10_000;

export interface FollowerSettings {
  /** Where national caller IDs are read (CALLBACK_DEFAULT_REGION). */
  defaultRegion: string;
  /** MISSED_CALLS_AUTO_CALLBACK_SEC: 0 off. */
  autoCallbackAfterSec: number;
}

export class MissedCallFollower {
  /** Re-read from here; persisted, so a restart re-reads at most RESCAN_MS. */
  private low: string | undefined;
  private readonly seen = new Set<string>();
  /** The highest id read by each look, to move `low` once it is RESCAN_MS old. */
  private readonly looks: { at: number; maxId: string }[] = [];
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly service: Pick<MissedCallService, 'autoBook'>,
    private readonly callbacks: Pick<MissedCallbacks, 'withdraw'>,
    private readonly notifier: MissedCallNotifier,
    private readonly s: FollowerSettings,
    private readonly log: Logger,
  ) {}

  /** One look (the app's 2-second timer); a look still running makes this one a no-op. */
  async follow(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.look();
      await this.notifier.catchUp();
    } finally {
      this.running = false;
    }
  }

  private async look(): Promise<void> {
    this.low ??= (await readCursor(this.db)) ?? (await startCursor(this.db));
    const rows = await listTransitions(this.db, this.low, BATCH);
    const fresh = rows.filter((r) => !this.seen.has(r.eventId));
    const plan = planPass(fresh, this.s.defaultRegion);
    const changed: MissedCallRow[] = [];
    for (const m of plan.missed) {
      const row = await recordMissed(this.db, m);
      if (!row) continue;
      changed.push(row);
      if (row.status === 'open' && shouldAutoBook(m, this.s.autoCallbackAfterSec)) await this.service.autoBook(row);
    }
    for (const r of plan.reached) {
      for (const row of await clearReached(this.db, r)) {
        changed.push(row);
        // A callback booked from it would ring a customer who is served: withdrawn unless it is dialling.
        if (row.callback_id) await this.callbacks.withdraw(row.callback_id);
      }
    }
    changed.push(...(await settleBooked(this.db)));
    for (const r of fresh) this.seen.add(r.eventId);
    if (changed.length) this.log.info({ missed: plan.missed.length, reached: plan.reached.length, entries: changed.length }, 'missed calls followed');
    await this.advance(rows.length ? (rows[rows.length - 1] as { eventId: string }).eventId : undefined, rows.length >= BATCH);
  }

  /** Moves the re-read start to what was read RESCAN_MS ago (at once when a look was full: a backlog). */
  private async advance(maxId: string | undefined, full: boolean): Promise<void> {
    const now = Date.now();
    if (maxId) this.looks.push({ at: now, maxId });
    let low = this.low as string;
    if (full && maxId) low = maxId;
    while (this.looks.length && (this.looks[0] as { at: number }).at <= now - RESCAN_MS) low = max(low, (this.looks.shift() as { maxId: string }).maxId);
    if (low === this.low) return;
    this.low = low;
    for (const id of this.seen) if (BigInt(id) <= BigInt(low)) this.seen.delete(id);
    await writeCursor(this.db, low);
  }
}

function max(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}
