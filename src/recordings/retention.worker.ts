import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobObserver } from './recording-archive.worker.js';
import { RETENTION_QUEUE } from './retention.queue.js';

export function startRetentionWorker(
  connection: Redis,
  prefix: string,
  purge: () => Promise<{ count: number; bytes: number }>,
  log: Logger,
  observer?: JobObserver,
): Worker {
  const worker = new Worker(
    RETENTION_QUEUE,
    async () => {
      const r = await purge();
      log.info({ purged: r.count, bytes: r.bytes }, 'retention purge done');
      return r;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('completed', (job) => observer?.jobDone(RETENTION_QUEUE, (job.finishedOn ?? 0) - (job.processedOn ?? 0), true));
  worker.on('failed', (job, err) => {
    observer?.jobDone(RETENTION_QUEUE, 0, false);
    log.error({ err: err.message }, 'retention purge failed');
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'retention worker error'));
  return worker;
}
