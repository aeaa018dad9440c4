import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobObserver } from '../recordings/recording-archive.worker.js';
import { CALLBACK_QUEUE, type CallbackDueJob } from './callback.queue.js';

/** Runs due callback attempts: `due` puts the callback in its line's queue (or closes it). */
export function startCallbackWorker(
  connection: Redis,
  prefix: string,
  due: (job: CallbackDueJob) => Promise<void>,
  log: Logger,
  observer?: JobObserver & { callbackLateness?(ms: number): void },
): Worker<CallbackDueJob> {
  const worker = new Worker<CallbackDueJob>(
    CALLBACK_QUEUE,
    async (job) => {
      observer?.callbackLateness?.(Date.now() - job.data.dueAt);
      await due(job.data);
    },
    { connection, prefix, concurrency: 20 },
  );
  worker.on('completed', (job) => observer?.jobDone(CALLBACK_QUEUE, (job.finishedOn ?? 0) - (job.processedOn ?? 0), true));
  worker.on('failed', (job, err) => {
    observer?.jobDone(CALLBACK_QUEUE, 0, false);
    log.error({ err: err.message, callbackId: job?.data.callbackId }, 'callback job failed');
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'callback worker error'));
  return worker;
}
