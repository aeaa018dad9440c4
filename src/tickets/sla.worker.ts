import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SLA_QUEUE, type SlaJob } from './sla.queue.js';

export function startSlaWorker(connection: Redis, prefix: string, check: (ticketId: string, at: Date) => Promise<void>, log: Logger): Worker<SlaJob> {
  const worker = new Worker<SlaJob>(SLA_QUEUE, async (job) => check(job.data.ticketId, new Date(job.data.at)), { connection, prefix, concurrency: 4 });
  worker.on('failed', (job, err) => log.warn({ ticketId: job?.data.ticketId, err: err.message }, 'SLA check failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'SLA worker error'));
  return worker;
}
