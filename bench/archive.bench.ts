// Archive benchmark (issue: recordings): transcode speed as real-time factor per core, size per
// hour before and after, and hangup → archived latency through the real BullMQ job at 10
// hangups a second. Needs the stack's environment (eval "$(scripts/stack.sh env)").
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { insertCall } from '../src/calls/call.repository.js';
import { insertRecording, findRecordingById } from '../src/recordings/recording.repository.js';
import { RecordingArchiveQueue } from '../src/recordings/recording-archive.queue.js';
import { startArchiveWorker } from '../src/recordings/recording-archive.worker.js';
import { RecordingService } from '../src/recordings/recording.service.js';
import { resolveFfmpeg, transcode } from '../src/recordings/ffmpeg.js';
import { benchDatabase, percentile } from './bench-support.js';

const run = promisify(execFile);
const CACHE = process.env.PBXDESK_BENCH_CACHE ?? '/var/cache/pbxdesk/bench';

/** Ten minutes of speech-like audio (espeak-ng, Russian and English), 8 kHz mono 16-bit: not silence. */
async function speechSource(): Promise<string> {
  const file = path.join(CACHE, 'speech-10min.wav');
  if (await stat(file).then(() => true, () => false)) return file;
  await mkdir(CACHE, { recursive: true });
  const parts: string[] = [];
  const texts = [
    ['ru', 'Здравствуйте, служба поддержки, меня зовут Анна. Назовите, пожалуйста, номер договора. Спасибо за ожидание, я проверила ваш тариф.'],
    ['en', 'Hello, you are speaking with technical support. Could you read me the ticket number please? Thank you for waiting, the fix is on its way.'],
  ];
  for (const [i, [voice, text]] of texts.entries()) {
    const p = path.join(CACHE, `part${i}.wav`);
    await run('espeak-ng', ['-v', voice as string, '-w', p, (text as string).repeat(4)]);
    parts.push(p);
  }
  const joined = path.join(CACHE, 'joined.wav');
  await run('sox', [...parts, '-r', '8000', '-c', '1', '-b', '16', joined]);
  const { stdout } = await run('soxi', ['-D', joined]);
  const reps = Math.ceil(600 / Number(stdout.trim()));
  await run('sox', [...Array(reps).fill(joined), file, 'trim', '0', '600']);
  return file;
}

export async function archiveBench(opts: { hours: number; hangups: number }) {
  const config = loadConfig();
  const ffmpeg = resolveFfmpeg(config.recordings.ffmpegPath);
  const src = await speechSource();
  const srcBytes = (await stat(src)).size;
  const out = path.join(CACHE, 'out');
  await mkdir(out, { recursive: true });

  // 1. Transcode speed: 10-minute files, two at a time (the machine's two cores).
  const files = Math.max(1, Math.round((opts.hours * 60) / 10));
  const t0 = performance.now();
  let next = 0;
  let opusBytes = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < files) {
        const i = next++;
        const dest = path.join(out, `t${i}.opus`);
        await transcode(ffmpeg, src, dest, config.recordings.codec, config.recordings.bitrateKbps);
        opusBytes = (await stat(dest)).size;
        await rm(dest);
      }
    }),
  );
  const wallSec = (performance.now() - t0) / 1000;
  const audioSec = files * 600;

  // 2. Hangup → archived through BullMQ and the real service code, 10 hangups a second, in a
  // database of its own: the bench's rows and chain entries must never mix with real ones.
  const { db, drop } = await benchDatabase(config.databaseUrl, 4);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const queue = new RecordingArchiveQueue(redis, prefix, config.ari.node, { attempts: 3, backoffMs: 500 });
  const service = new RecordingService(db, { ...config.recordings, node: config.ari.node, archiveDir: path.join(out, 'archive'), ffmpeg }, queue, pino({ level: 'silent' }));
  const worker = startArchiveWorker(redis.duplicate(), prefix, config.ari.node, (id, final) => service.archive(id, final), pino({ level: 'silent' }));
  const oneMinute = path.join(CACHE, 'speech-1min.wav');
  await run('sox', [src, oneMinute, 'trim', '0', '60']);
  const started = new Map<string, number>();
  for (let i = 0; i < opts.hangups; i++) {
    const call = await insertCall(db, { status: 'completed', caller_channel_id: `bench-${randomUUID()}`, ended_at: new Date(), pbx_node: config.ari.node });
    const name = `bench-${call.id}`;
    const spool = path.join(out, `${name}.wav`);
    await copyFile(oneMinute, spool);
    const rec = await insertRecording(db, { call_id: call.id, name, status: 'spooled', spool_path: spool, ended_at: new Date(), pbx_node: config.ari.node });
    started.set(rec.id, performance.now());
    await queue.enqueue(rec.id);
    await new Promise((r) => setTimeout(r, 100));
  }
  const latencies: number[] = [];
  const deadline = Date.now() + 300_000;
  while (started.size && Date.now() < deadline) {
    for (const [id, at] of started) {
      const r = await findRecordingById(db, id);
      if (r?.status === 'archived') {
        latencies.push(r.archived_at!.getTime() - (performance.timeOrigin + at));
        started.delete(id);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await worker.close();
  await queue.obliterate();
  await queue.close();
  redis.disconnect();
  await drop();
  await rm(out, { recursive: true, force: true });

  return {
    case: 'archive',
    codec: `${config.recordings.codec} ${config.recordings.bitrateKbps} kb/s`,
    backlogCallHours: audioSec / 3600,
    wallSeconds: Math.round(wallSec * 10) / 10,
    realTimeFactorPerCore: Math.round(audioSec / wallSec / 2),
    mbPerHourBefore: Math.round((srcBytes / 600) * 3600 / 1e5) / 10,
    mbPerHourAfter: Math.round((opusBytes / 600) * 3600 / 1e5) / 10,
    hangupToArchived: {
      hangupsPerSecond: 10,
      calls: opts.hangups,
      lost: started.size,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
    },
    targets: { realTimeFactorPerCore: '>= 100', mbPerHourAfter: '<= 7' },
  };
}
