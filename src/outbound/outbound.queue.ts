// Delivery jobs: "drain subscription N" (send its pending deliveries in order), and a sweep
// every 15 s that drains any subscription with deliveries due. The sweep is the safety net
// for a kick lost to BullMQ's job-id dedupe (a drain finishing just as a new event arrives)
// and for deliveries left when an instance died mid-drain.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const OUTBOUND_QUEUE = 'outbound-delivery';
export type OutboundJob = { kind: 'drain'; subscriptionId: string } | { kind: 'sweep' } | { kind: 'poll' };

export interface OutboundKicker {
  kick(subscriptionId: string, delayMs?: number): Promise<void>;
}

export class OutboundQueue implements OutboundKicker {
  private readonly queue: Queue<OutboundJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<OutboundJob>(OUTBOUND_QUEUE, { connection, prefix });
  }

  async kick(subscriptionId: string, delayMs = 0): Promise<void> {
    // One immediate drain per subscription at a time (the id dedupes); a retry later is its own job.
    const jobId = delayMs > 0 ? `drain.${subscriptionId}.at.${Date.now() + delayMs}` : `drain.${subscriptionId}`;
    await this.queue.add('drain', { kind: 'drain', subscriptionId }, { jobId, delay: delayMs, removeOnComplete: true, removeOnFail: true });
  }

  async startSweeper(): Promise<void> {
    await this.queue.upsertJobScheduler('outbound-sweep', { every: 15_000 }, { name: 'sweep', data: { kind: 'sweep' }, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }

  /** Helpdesk connectors that can (RT) are asked for changes made there at this interval. */
  async startPoller(everySec: number): Promise<void> {
    await this.queue.upsertJobScheduler('connector-poll', { every: everySec * 1000 }, { name: 'poll', data: { kind: 'poll' }, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
