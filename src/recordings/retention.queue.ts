// The daily retention purge as a BullMQ job scheduler: one run a day at 03:00 however many
// service instances there are, and none lost while the service is down at that hour.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const RETENTION_QUEUE = 'retention-purge';

export class RetentionQueue {
  private readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(RETENTION_QUEUE, { connection, prefix });
  }

  async scheduleDaily(): Promise<void> {
    await this.queue.upsertJobScheduler('daily-purge', { pattern: '0 3 * * *' }, { name: 'purge', opts: { removeOnComplete: 30, removeOnFail: false } });
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
