// ffmpeg for the archive. ffmpeg-static is only optional (its install downloads a binary,
// which fails on machines without internet): FFMPEG_PATH wins, then ffmpeg-static if it is
// installed, then the system's ffmpeg (Debian's package).
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createRequire } from 'node:module';

export type Codec = 'opus' | 'mp3' | 'wav';

const CODEC_ARGS: Record<Codec, (kbps: number) => string[]> = {
  // VoIP tuning: speech at a low bitrate; 16 kb/s mono is ~7 MB per hour.
  opus: (kbps) => ['-c:a', 'libopus', '-b:a', `${kbps}k`, '-application', 'voip', '-f', 'ogg'],
  mp3: (kbps) => ['-c:a', 'libmp3lame', '-b:a', `${kbps}k`, '-f', 'mp3'],
  wav: () => ['-c:a', 'pcm_s16le', '-f', 'wav'],
};

export const CODEC_EXT: Record<Codec, string> = { opus: 'opus', mp3: 'mp3', wav: 'wav' };
export const CODEC_MIME: Record<Codec, string> = { opus: 'audio/ogg', mp3: 'audio/mpeg', wav: 'audio/wav' };

export function resolveFfmpeg(configured: string | undefined): string {
  if (configured) return configured;
  try {
    const p = createRequire(import.meta.url)('ffmpeg-static') as string | null;
    if (p) return p;
  } catch {
    // not installed: the optional dependency's download failed, as expected offline
  }
  return 'ffmpeg';
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Transcoding is background work sharing the machine with Asterisk and live calls: at a
    // lower CPU priority it takes what they leave (measured by the load benchmark).
    if (p.pid) {
      try {
        setPriority(p.pid, 10);
      } catch {
        // not allowed here: it runs at normal priority
      }
    }
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 64_000) err = err.slice(-32_000);
    });
    p.on('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}`)));
    p.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').slice(-2).join(' ')}`))));
  });
}

export async function transcode(bin: string, src: string, dest: string, codec: Codec, kbps: number): Promise<void> {
  await transcodeMany(bin, [{ src, dest }], codec, kbps);
}

/**
 * Several recordings in one ffmpeg process: input i is mapped to output i. Starting ffmpeg
 * (loading its libraries, probing) costs about 60 ms of CPU, more than encoding a short call:
 * measured here, 20 five-second recordings took 1.8 s of CPU one process each and 0.75 s in one.
 * One bad input fails the whole process; the batcher then retries each alone.
 */
export async function transcodeMany(bin: string, items: readonly { src: string; dest: string }[], codec: Codec, kbps: number): Promise<void> {
  const inputs = items.flatMap((i) => ['-i', i.src]);
  const outputs = items.flatMap((i, n) => ['-map', `${n}:a`, '-ac', '1', ...CODEC_ARGS[codec](kbps), i.dest]);
  await run(bin, ['-nostdin', '-v', 'error', '-y', ...inputs, ...outputs]);
}

/** Duration by decoding the whole file: works on any ffmpeg build, with or without ffprobe. */
export async function decodedDurationMs(bin: string, file: string): Promise<number> {
  const out = await run(bin, ['-nostdin', '-v', 'info', '-i', file, '-f', 'null', '-']);
  const times = [...out.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  const last = times.at(-1);
  if (!last) throw new Error(`ffmpeg reported no duration for ${file}`);
  return Math.round((Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])) * 1000);
}
