// Decodes any archived recording with the system's ffmpeg, for checks on what was stored.
import { spawn } from 'node:child_process';

export function decodeToPcm(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-ar', '8000', '-'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg ${code}: ${err}`))));
  });
}

const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const KEYS = ['123A', '456B', '789C', '*0#D'];

function goertzel(x: Float64Array, f: number): number {
  const k = (2 * Math.PI * f) / 8000;
  const c = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/**
 * DTMF digits heard in 8 kHz 16-bit mono PCM (Goertzel over 205-sample blocks, the classic
 * detector): a digit needs its row and column tone to dominate the block in two blocks running.
 */
export function detectDtmf(pcm: Buffer): string[] {
  const n = 205;
  const found: string[] = [];
  let prev = '';
  let last = '';
  for (let off = 0; off + n * 2 <= pcm.length; off += n * 2) {
    const x = new Float64Array(n);
    let energy = 0;
    for (let i = 0; i < n; i++) {
      const v = pcm.readInt16LE(off + i * 2) / 32768;
      x[i] = v;
      energy += v * v;
    }
    let digit = '';
    if (energy > 1e-4) {
      const r = ROWS.map((f) => goertzel(x, f));
      const c = COLS.map((f) => goertzel(x, f));
      const ri = r.indexOf(Math.max(...r));
      const ci = c.indexOf(Math.max(...c));
      const rMax = r[ri] as number;
      const cMax = c[ci] as number;
      const dominant = r.every((v, i) => i === ri || v * 6 < rMax) && c.every((v, i) => i === ci || v * 6 < cMax);
      // The two tones carry most of the block's energy: a tone of amplitude A gives Goertzel
      // power (A*n/2)^2 and block energy n*A^2/2, i.e. 2*power/n.
      const toneShare = (2 * (rMax + cMax)) / (n * energy);
      if (dominant && toneShare > 0.5) digit = (KEYS[ri] as string)[ci] as string;
    }
    if (digit && digit === prev && digit !== last) found.push(digit);
    last = digit && digit === prev ? digit : digit ? last : '';
    prev = digit;
  }
  return found;
}

/** PCM of DTMF digits (100 ms tone, 100 ms gap), to check the detector itself. */
export function synthDtmf(digits: string): Buffer {
  const out: number[] = [];
  for (const d of digits) {
    const ri = KEYS.findIndex((k) => k.includes(d));
    const ci = (KEYS[ri] as string).indexOf(d);
    for (let i = 0; i < 800; i++) {
      const t = i / 8000;
      out.push(0.3 * Math.sin(2 * Math.PI * (ROWS[ri] as number) * t) + 0.3 * Math.sin(2 * Math.PI * (COLS[ci] as number) * t));
    }
    for (let i = 0; i < 800; i++) out.push(0);
  }
  const b = Buffer.alloc(out.length * 2);
  out.forEach((v, i) => b.writeInt16LE(Math.round(v * 32767), i * 2));
  return b;
}
