// Callback-timing benchmark (issue: verification and callbacks): 1,000 scheduled callbacks due
// within 10 s, through the real booking, BullMQ delayed jobs and the real worker, in a database
// of its own. Lateness is from each callback's due time to its placeholder entering its line's
// queue (what happens next, the dial, is the ACD's business). Target p99 < 1 s.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { CallbackQueue } from '../src/callbacks/callback.queue.js';
import { TicketService } from '../src/tickets/ticket.service.js';
import { CallbackService } from '../src/callbacks/callback.service.js';
import { startCallbackWorker } from '../src/callbacks/callback.worker.js';
import type { BusinessHours } from '../src/lines/business-hours.js';
import { benchDatabase, percentile } from './bench-support.js';

const allDay = ['00:00-24:00'];
const week = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
const OPEN: BusinessHours = { lines: { first: { timeZone: 'UTC', week, holidays: [] }, second: { timeZone: 'UTC', week, holidays: [] } } };

export async function callbackBench(opts: { callbacks: number; windowSec: number }) {
  const config = loadConfig();
  const { db, drop } = await benchDatabase(config.databaseUrl, 10);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const queue = new CallbackQueue(redis, prefix);
  const due = new Map<string, number>();
  const lateness: number[] = [];
  const silent = pino({ level: 'silent' });
  const service = new CallbackService(
    db,
    queue,
    () => OPEN,
    { ...config.callbacks, maxPerNumberDay: 1000, maxPerAccountDay: 100_000 },
    () => ({
      placeCallback: (_line, id) => {
        const at = due.get(id);
        if (at !== undefined) lateness.push(Date.now() - at);
      },
      removeCallback: () => undefined,
    }),
    silent,
    new TicketService(db),
  );
  const worker = startCallbackWorker(redis.duplicate(), prefix, (job) => service.due(job), silent);
  try {
    // Booked first, all due later within the window: the booking's own time is not measured.
    const bookingStart = Date.now();
    const firstDue = bookingStart + 15_000;
    for (let i = 0; i < opts.callbacks; i++) {
      const at = firstDue + Math.floor((i / opts.callbacks) * opts.windowSec * 1000);
      const row = await service.book(
        { number: `79${100_000_000 + i}`, line: i % 2 ? 'first' : 'second', notBefore: new Date(at) },
        'bench',
      );
      due.set(row.id, row.next_attempt_at?.getTime() ?? at);
    }
    const bookedSec = (Date.now() - bookingStart) / 1000;
    if (Date.now() > firstDue) throw new Error(`booking took ${bookedSec} s: longer than the lead time`);
    const deadline = firstDue + opts.windowSec * 1000 + 60_000;
    while (lateness.length < opts.callbacks && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    return {
      case: 'callback-timing',
      callbacks: opts.callbacks,
      windowSec: opts.windowSec,
      bookingPerSecond: Math.round(opts.callbacks / bookedSec),
      placed: lateness.length,
      lost: opts.callbacks - lateness.length,
      latenessMs: { p50: percentile(lateness, 50), p95: percentile(lateness, 95), p99: percentile(lateness, 99), max: Math.max(0, ...lateness) },
      targetP99Ms: 1000,
      met: lateness.length === opts.callbacks && percentile(lateness, 99) < 1000,
    };
  } finally {
    await worker.close();
    await queue.obliterate().catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await drop();
  }
}
