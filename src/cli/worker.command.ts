// `pbxdesk worker archive`: the archive worker alone, as its own process, on the PBX's machine
// or any other. It works the node's archive queue (recording-archive-<PBX_NODE>) with the very
// RecordingService.archive the service runs in-process (custody, checksums, the hash chain), and
// serves nothing else: no HTTP, no ARI. The raw recordings reach it through the incoming store
// (ARCHIVE_INCOMING: a shared spool, or S3's incoming/). Set ARCHIVE_WORKERS=external on the
// service so that it leaves the queue to these workers.
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { createDb } from '../db/database.js';
import { LOG_REDACT } from '../log-redact.js';
import { OutboundQueue } from '../outbound/outbound.queue.js';
import { OutboundService } from '../outbound/outbound.service.js';
import { archiveQueueName } from '../recordings/recording-archive.queue.js';
import { startArchiveWorker } from '../recordings/recording-archive.worker.js';
import { findRecordingById } from '../recordings/recording.repository.js';
import { RecordingService } from '../recordings/recording.service.js';
import { resolveFfmpeg } from '../recordings/ffmpeg.js';

export async function archiveWorkerCommand(config: Config, concurrency = availableParallelism()): Promise<number> {
  const node = config.ari.node;
  const log = pino({ level: config.logLevel, base: { service: 'pbxdesk-archive-worker', node }, redact: LOG_REDACT });
  // `concurrency` is ffmpeg processes at once; each takes batches of the jobs in hand.
  const jobs = concurrency * 8;
  const db = createDb(config.databaseUrl, Math.min(jobs, 16) + 2);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  let outboundQueue: OutboundQueue | undefined;
  try {
    try {
      await redis.connect();
    } catch (err) {
      throw new Error(`Redis at REDIS_URL is unreachable (${(err as Error).message})`);
    }
    // Postgres is asked once now, so a wrong DATABASE_URL stops the worker at once instead of
    // failing every job it takes (a row that does not exist is the cheapest question).
    await findRecordingById(db, '00000000-0000-0000-0000-000000000000').catch((err: Error) => {
      throw new Error(`Postgres at DATABASE_URL is unreachable (${err.message})`);
    });
    // Made only now: a BullMQ queue connects its connection itself.
    outboundQueue = new OutboundQueue(redis, config.queuePrefix);
    const recordings = new RecordingService(
      db,
      { ...config.recordings, node, ffmpeg: resolveFfmpeg(config.recordings.ffmpegPath), transcodeSlots: concurrency },
      // The worker archives; it never queues (recordings are queued by the node's service).
      { enqueue: async () => { throw new Error('an archive worker does not queue recordings'); } },
      log.child({ component: 'recordings' }),
    );
    // `recording.archived` for webhooks and helpdesks: stored and kicked here, delivered by the services' outbound workers.
    const outbound = new OutboundService(db, config.secretKey, new Map(), config.outbound, log.child({ component: 'outbound' }), config.connectors);
    outbound.useQueue(outboundQueue);
    recordings.useEvents(outbound);

    const worker = startArchiveWorker(redis.duplicate(), config.queuePrefix, node, (id, final) => recordings.archive(id, final), log, undefined, jobs);
    await worker.waitUntilReady();
    log.info({ queue: archiveQueueName(node), prefix: config.queuePrefix, concurrency, incoming: config.recordings.incoming, store: config.recordings.store }, 'archive worker ready');

    // First signal: no new job is taken and the ones in hand finish (a transcode takes seconds).
    // A second signal does not wait: the process exits, a job in hand keeps its raw recording and
    // is taken again by another worker once its lock lapses (15 s), exactly as after a crash.
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log.info({ signal }, 'stopping: finishing the jobs in hand');
    const again = () => {
      log.warn('stopping at once: the jobs in hand are taken again once their lock lapses');
      process.exit(1);
    };
    process.once('SIGTERM', again);
    process.once('SIGINT', again);
    await worker.close();
    await recordings.settled();
    log.info('archive worker stopped');
    return 0;
  } finally {
    await outboundQueue?.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await db.destroy();
  }
}
