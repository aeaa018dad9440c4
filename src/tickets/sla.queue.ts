// SLA timers as BullMQ delayed jobs, one per moment a ticket's SLA state may change (80% of a
// target, and the target itself), not a polling loop. Job ids are the ticket and the moment,
// so scheduling the same moments twice (a retry, another instance) adds nothing. A job that
// fires after the ticket changed (answered, resolved, priority moved) just finds nothing to do.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SlaScheduler } from './ticket.service.js';

export const SLA_QUEUE = 'ticket-sla';
export interface SlaJob {
  ticketId: string;
  /** When the check was meant to run (ms): the state is judged as of then at the earliest. */
  at: number;
}

export class SlaQueue implements SlaScheduler {
  private readonly queue: Queue<SlaJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<SlaJob>(SLA_QUEUE, { connection, prefix });
  }

  async schedule(ticketId: string, at: readonly Date[]): Promise<void> {
    const now = Date.now();
    await this.queue.addBulk(
      at.map((d) => ({
        name: 'check',
        data: { ticketId, at: d.getTime() },
        opts: { jobId: `${ticketId}.${d.getTime()}`, delay: Math.max(0, d.getTime() - now), attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: false },
      })),
    );
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
