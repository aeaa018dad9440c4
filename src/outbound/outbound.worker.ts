import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { OUTBOUND_QUEUE, type OutboundJob } from './outbound.queue.js';

export function startOutboundWorker(
  connection: Redis,
  prefix: string,
  handlers: { drain: (subscriptionId: string) => Promise<unknown>; sweep: () => Promise<unknown>; poll: () => Promise<unknown> },
  log: Logger,
): Worker<OutboundJob> {
  const worker = new Worker<OutboundJob>(
    OUTBOUND_QUEUE,
    async (job) => (job.data.kind === 'drain' ? handlers.drain(job.data.subscriptionId) : job.data.kind === 'poll' ? handlers.poll() : handlers.sweep()),
    { connection, prefix, concurrency: 8 },
  );
  worker.on('failed', (job, err) => log.warn({ job: job?.id, err: err.message }, 'outbound job failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'outbound worker error'));
  return worker;
}
