import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ARCHIVE_QUEUE, archiveQueueName, type ArchiveJob } from './recording-archive.queue.js';

export interface JobObserver {
  jobDone(queue: string, ms: number, ok: boolean): void;
}

export function startArchiveWorker(
  connection: Redis,
  prefix: string,
  node: string,
  archive: (recordingId: string, final: boolean) => Promise<void>,
  log: Logger,
  observer?: JobObserver,
  /**
   * Jobs in hand at once. Most of a job's time is its transcode, which waits in the recording
   * service's batcher for a free ffmpeg process: the more jobs in hand, the fuller each batch
   * (the processes at once are the batcher's `transcodeSlots`, not this).
   */
  concurrency = 16,
): Worker<ArchiveJob> {
  const worker = new Worker<ArchiveJob>(
    archiveQueueName(node),
    async (job) => archive(job.data.recordingId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
    // A worker that dies mid-transcode (SIGKILL, OOM) holds its job's lock until the lock
    // lapses; BullMQ's 30 s lock plus its 30 s stall check left recordings unarchived for up to a
    // minute. The lock is renewed every lockDuration/2 while a transcode runs, so 15 s is safe.
    { connection, prefix, concurrency, lockDuration: 15_000, stalledInterval: 10_000 },
  );
  const took = (job: { processedOn?: number; finishedOn?: number } | undefined) =>
    job?.processedOn && job.finishedOn ? job.finishedOn - job.processedOn : 0;
  worker.on('completed', (job) => observer?.jobDone(ARCHIVE_QUEUE, took(job), true));
  worker.on('failed', (job, err) => {
    observer?.jobDone(ARCHIVE_QUEUE, took(job), false);
    log.warn({ recordingId: job?.data.recordingId, err: err.message }, 'archive job failed');
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'archive worker error'));
  return worker;
}
