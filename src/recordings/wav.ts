// Reading what we need from Asterisk's WAV files. Asterisk writes the RIFF sizes only when it
// closes the file, so after a crash they say 0: the length is taken from the file size instead.
import type { FileHandle } from 'node:fs/promises';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  dataOffset: number;
  dataBytes: number;
  durationMs: number;
  /** Header sizes were 0 or wrong: the file was not closed cleanly. */
  headerIncomplete: boolean;
}

export async function readWavInfo(fh: FileHandle): Promise<WavInfo> {
  const { size } = await fh.stat();
  const head = Buffer.alloc(Math.min(size, 4096));
  await fh.read(head, 0, head.length, 0);
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let off = 12;
  let fmt: { channels: number; sampleRate: number; bits: number } | undefined;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const len = head.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      fmt = { channels: head.readUInt16LE(off + 10), sampleRate: head.readUInt32LE(off + 12), bits: head.readUInt16LE(off + 22) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before fmt chunk');
      const dataOffset = off + 8;
      const actual = size - dataOffset;
      const bytesPerSec = fmt.sampleRate * fmt.channels * (fmt.bits / 8);
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        dataOffset,
        dataBytes: actual,
        durationMs: Math.round((actual / bytesPerSec) * 1000),
        headerIncomplete: len !== actual,
      };
    }
    off += 8 + len + (len % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** RMS of 16-bit PCM samples, 0..32767: a quick "is this silence" measure. */
export function pcm16Rms(buf: Buffer): number {
  let sum = 0;
  const n = Math.floor(buf.length / 2);
  for (let i = 0; i < n; i++) {
    const s = buf.readInt16LE(i * 2);
    sum += s * s;
  }
  return n ? Math.sqrt(sum / n) : 0;
}

/** Peak amplitude per bucket, 0..1, for the supervisor player's waveform. */
export function pcm16Peaks(buf: Buffer, buckets = 400): number[] {
  const n = Math.floor(buf.length / 2);
  if (n === 0) return [];
  const size = Math.max(1, Math.ceil(n / buckets));
  const peaks: number[] = [];
  for (let start = 0; start < n; start += size) {
    let max = 0;
    for (let i = start; i < Math.min(n, start + size); i++) max = Math.max(max, Math.abs(buf.readInt16LE(i * 2)));
    peaks.push(Math.round((max / 32768) * 1000) / 1000);
  }
  return peaks;
}
