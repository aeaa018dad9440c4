import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ARCHIVE_QUEUE, type ArchiveJob } from './recording-archive.queue.js';

export function startArchiveWorker(
  connection: Redis,
  prefix: string,
  archive: (recordingId: string, final: boolean) => Promise<void>,
  log: Logger,
): Worker<ArchiveJob> {
  const worker = new Worker<ArchiveJob>(
    ARCHIVE_QUEUE,
    async (job) => archive(job.data.recordingId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
    { connection, prefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) => log.warn({ recordingId: job?.data.recordingId, err: err.message }, 'archive job failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'archive worker error'));
  return worker;
}
