// The BullMQ queue of recordings waiting to be archived. Jobs retry with backoff and are
// kept when they fail for good, so a failure stays visible (the row says 'failed' too).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const ARCHIVE_QUEUE = 'recording-archive';

/**
 * The spool files are on the node that wrote them, so each node's recordings are archived by
 * that node's instance: one queue per node (docs/scaling.md).
 */
export function archiveQueueName(node: string): string {
  return `${ARCHIVE_QUEUE}-${node}`;
}

export interface ArchiveJob {
  recordingId: string;
}

export class RecordingArchiveQueue {
  private readonly queue: Queue<ArchiveJob>;

  constructor(connection: Redis, prefix: string, node: string, private readonly retry: { attempts: number; backoffMs: number }) {
    this.queue = new Queue<ArchiveJob>(archiveQueueName(node), { connection, prefix });
  }

  async enqueue(recordingId: string): Promise<void> {
    // jobId = recording id: a second enqueue of the same recording (sweeper and event both) is a no-op.
    await this.queue.add(
      'archive',
      { recordingId },
      {
        jobId: recordingId,
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
        removeOnComplete: 1000,
        removeOnFail: false,
      },
    );
  }

  /** Jobs by state, for the archive backlog metric. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  /** Removes the queue and all its jobs (benchmarks and tests that made their own). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
