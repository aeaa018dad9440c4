// BullMQ delayed jobs that say "this callback attempt is due now". The job id is the
// idempotency key (callback id + attempt number + due time): booking the same attempt twice (a retry after
// a crash, the start-up resync, a second instance) leaves one job. The database decides what
// a job may do when it runs, so a stray duplicate does nothing.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const CALLBACK_QUEUE = 'callback-due';

export interface CallbackDueJob {
  callbackId: string;
  attemptNo: number;
  dueAt: number;
}

export class CallbackQueue {
  private readonly queue: Queue<CallbackDueJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<CallbackDueJob>(CALLBACK_QUEUE, { connection, prefix });
  }

  async schedule(callbackId: string, attemptNo: number, dueAt: Date): Promise<void> {
    await this.queue.add(
      'due',
      { callbackId, attemptNo, dueAt: dueAt.getTime() },
      {
        // Due time in the id too: an attempt moved to the line's next opening is a new job.
        jobId: `${callbackId}.${attemptNo}.${dueAt.getTime()}`,
        delay: Math.max(0, dueAt.getTime() - Date.now()),
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        // Kept a day, so a resync within it finds the job and adds no second one.
        removeOnComplete: { age: 86_400 },
        removeOnFail: false,
      },
    );
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
