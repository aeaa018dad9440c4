// What the service runs beside its HTTP server once it holds its node's lock: the BullMQ workers
// (archive, retention, callbacks, SLA, outbound deliveries), the timers (app-timers.ts), and the
// restore of what a restart left (wrap-ups, free operators, callback placeholders), in the order
// calls need them. Part of the composition root (app.ts), apart only for its length.
import type { IntervalHistogram } from 'node:perf_hooks';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { startAppTimers } from './app-timers.js';
import type { CallbackService } from './callbacks/callback.service.js';
import { startCallbackWorker } from './callbacks/callback.worker.js';
import type { CallService } from './calls/call.service.js';
import type { OverloadGuard } from './calls/overload-guard.js';
import type { Config } from './config.js';
import type { Metrics } from './metrics/metrics.js';
import type { OperatorService } from './operators/operator.service.js';
import type { OutboundQueue } from './outbound/outbound.queue.js';
import type { OutboundService } from './outbound/outbound.service.js';
import { startOutboundWorker } from './outbound/outbound.worker.js';
import type { CustodyService } from './recordings/custody.service.js';
import { startArchiveWorker } from './recordings/recording-archive.worker.js';
import type { RecordingService } from './recordings/recording.service.js';
import type { RetentionQueue } from './recordings/retention.queue.js';
import { startRetentionWorker } from './recordings/retention.worker.js';
import { startSlaWorker } from './tickets/sla.worker.js';
import type { TicketService } from './tickets/ticket.service.js';

export interface BackgroundDeps {
  config: Config;
  redis: Redis;
  log: Logger;
  metrics: Metrics;
  lag: IntervalHistogram;
  recordings: RecordingService;
  custody: CustodyService;
  retentionQueue: RetentionQueue;
  outboundQueue: OutboundQueue;
  calls: CallService;
  operators: OperatorService;
  callbacks: CallbackService;
  tickets: TicketService;
  outbound: OutboundService;
  overload: OverloadGuard;
  followMissedCalls(): Promise<unknown>;
  evaluateAlerts(): Promise<unknown>;
}

export async function startBackground(d: BackgroundDeps): Promise<{ stop(): Promise<void> }> {
  const { config, redis, log, metrics } = d;
  const workers: Worker[] = [];
  let timers: { stop(): void } | undefined;
  const stop = async () => {
    timers?.stop();
    for (const w of workers) await w.close();
  };
  try {
    // ARCHIVE_WORKERS=external: `pbxdesk worker archive` processes work this node's archive queue instead.
    if (config.recordings.workers === 'in-process') workers.push(startArchiveWorker(redis.duplicate(), config.queuePrefix, config.ari.node, (id, final) => d.recordings.archive(id, final), log, metrics));
    workers.push(startRetentionWorker(redis.duplicate(), config.queuePrefix, () => d.custody.purge({ dryRun: false }), log, metrics));
    await d.retentionQueue.scheduleDaily();
    // Orphaned spool files are looked for regularly too, not only when ARI (re)connects.
    timers = startAppTimers({
      log,
      sweepIntervalSec: config.recordings.sweepIntervalSec,
      sweepRecordings: () => d.calls.sweepRecordings(),
      refreshOperators: () => d.operators.refreshAvailable(),
      recheckQueues: () => d.calls.recheckQueues(),
      adoptWaitingCallbacks: () => d.callbacks.adoptWaiting(),
      lag: d.lag,
      sampleOverload: () => d.overload.sample(),
      followMissedCalls: d.followMissedCalls,
      alertEvalSec: config.sip.alertEvalSec,
      evaluateAlerts: d.evaluateAlerts,
    });
    await d.operators.resumeWrapUps();
    await d.operators.refreshAvailable();
    // Placeholders back into their lines, scheduled attempts re-armed, before calls resume.
    await d.callbacks.restore();
    workers.push(startCallbackWorker(redis.duplicate(), config.queuePrefix, (job) => d.callbacks.due(job), log, metrics));
    workers.push(startSlaWorker(redis.duplicate(), config.queuePrefix, (id, at) => d.tickets.checkSla(id, at), log));
    workers.push(startOutboundWorker(redis.duplicate(), config.queuePrefix, { drain: (id) => d.outbound.drain(id), sweep: () => d.outbound.sweep(), poll: () => d.outbound.poll() }, log));
    await d.outboundQueue.startSweeper();
    await d.outboundQueue.startPoller(config.outbound.pollSec);
    return { stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
