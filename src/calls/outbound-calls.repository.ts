// Click-to-call's share of the callback rules' per-number limit: under the same lock as a
// callback booking of the number, callbacks booked and click-to-calls made within the day count
// together, and the new call's row is written before the lock goes, so parallel clicks cannot
// all pass (the count, then the row, as the callback service's guard does).
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { countRecentCallbacks, lockCallbackKeys } from '../callbacks/callback.repository.js';
import { CallbackRateLimitedError } from '../errors.js';

const DAY_MS = 86_400_000;

export async function countRecentOutboundCalls(db: Db, number: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('calls')
    .select(sql<string>`count(*)`.as('n'))
    .where('direction', '=', 'outbound')
    .where('caller_number', '=', number)
    .where('entered_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Runs `start` (which writes the call's row) if `number` is under `maxPerDay` calls and callbacks in 24 hours; else 429. */
export async function withinNumberLimit(db: Db, number: string, maxPerDay: number, start: () => Promise<void>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockCallbackKeys(trx, number, null);
    const since = new Date(Date.now() - DAY_MS);
    const n = (await countRecentCallbacks(trx, 'number', number, since)) + (await countRecentOutboundCalls(trx, number, since));
    if (n >= maxPerDay) throw new CallbackRateLimitedError('number', maxPerDay);
    await start();
  });
}
