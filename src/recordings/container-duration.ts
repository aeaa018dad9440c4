// A transcoded recording's duration read from its container, not by decoding it again: the
// archive used to run a second ffmpeg per recording just to learn its length, which halved how
// many recordings a core could archive (issue 17). Ogg/Opus keeps the length in the last
// page's granule position (48 kHz samples, less the pre-skip of the OpusHead header); WAV in its
// data chunk. MP3 has no reliable length in the container, so it is still decoded.
import { open } from 'node:fs/promises';

const OPUS_RATE = 48_000;
/** The last Ogg page is within this many bytes of the end (a page is at most ~65 kB). */
const TAIL_BYTES = 70_000;

/** Duration in ms from the container, or undefined when the container does not tell it. */
export async function containerDurationMs(file: string, format: 'opus' | 'wav' | 'mp3'): Promise<number | undefined> {
  if (format === 'mp3') return undefined;
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const headLen = Math.min(size, 4096);
    const head = Buffer.alloc(headLen);
    await fh.read(head, 0, headLen, 0);
    if (format === 'wav') return wavDurationMs(head);
    const tailLen = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    return oggOpusDurationMs(head, tail);
  } finally {
    await fh.close();
  }
}

/** `head`: the file's first bytes (the OpusHead packet); `tail`: its last bytes (the last page). */
export function oggOpusDurationMs(head: Buffer, tail: Buffer): number | undefined {
  const opusHead = head.indexOf('OpusHead');
  if (head.indexOf('OggS') !== 0 || opusHead < 0 || opusHead + 12 > head.length) return undefined;
  const preSkip = head.readUInt16LE(opusHead + 10);
  for (let at = tail.lastIndexOf('OggS'); at >= 0; at = at > 0 ? tail.lastIndexOf('OggS', at - 1) : -1) {
    if (at + 14 > tail.length || tail[at + 4] !== 0) continue; // not a page header (version 0), or cut off
    const granule = tail.readBigInt64LE(at + 6);
    if (granule < 0n) continue; // -1: no packet ends on this page
    return Math.max(0, Math.round((Number(granule) - preSkip) / (OPUS_RATE / 1000)));
  }
  return undefined;
}

export function wavDurationMs(head: Buffer): number | undefined {
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let byteRate: number | undefined;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('ascii', at, at + 4);
    const len = head.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 20 <= head.length) byteRate = head.readUInt32LE(at + 16);
    // ffmpeg writes the real sizes when it closes the file; 0 or 0xFFFFFFFF would mean it did not.
    if (id === 'data') return byteRate && len > 0 && len < 0xffffffff ? Math.round((len / byteRate) * 1000) : undefined;
    at += 8 + len + (len % 2);
  }
  return undefined;
}
