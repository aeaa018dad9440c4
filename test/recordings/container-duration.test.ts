// The archive's duration check reads the transcode's container instead of decoding it again:
// checked against the decoded length of real ffmpeg output (Debian's ffmpeg).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerDurationMs } from '../../src/recordings/container-duration.js';
import { decodedDurationMs, transcode, transcodeMany } from '../../src/recordings/ffmpeg.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pbxdesk-duration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A WAV of `sec` seconds of a 440 Hz tone, 8 kHz mono, as Asterisk spools them. */
function tone(sec: number): string {
  const rate = 8000;
  const n = Math.round(sec * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  const file = path.join(dir, `tone-${sec}.wav`);
  writeFileSync(file, Buffer.concat([h, data]));
  return file;
}

describe('container duration', () => {
  for (const sec of [0.5, 5.25, 61]) {
    it(`agrees with a full decode within 20 ms: opus and wav, ${sec} s`, async () => {
      const src = tone(sec);
      for (const codec of ['opus', 'wav'] as const) {
        const out = path.join(dir, `out-${sec}.${codec}`);
        await transcode('ffmpeg', src, out, codec, 16);
        const fromContainer = await containerDurationMs(out, codec);
        expect(fromContainer).toBeDefined();
        expect(Math.abs(fromContainer! - (await decodedDurationMs('ffmpeg', out)))).toBeLessThanOrEqual(20);
        expect(Math.abs(fromContainer! - sec * 1000)).toBeLessThanOrEqual(30);
      }
    });
  }

  it('one ffmpeg for several recordings gives each its own output (the archive batches)', async () => {
    const items = [0.5, 5.25, 2].map((sec) => ({ sec, src: tone(sec), dest: path.join(dir, `many-${sec}.opus`) }));
    await transcodeMany('ffmpeg', items, 'opus', 16);
    for (const i of items) expect(Math.abs((await containerDurationMs(i.dest, 'opus'))! - i.sec * 1000)).toBeLessThanOrEqual(30);
    await expect(transcodeMany('ffmpeg', [...items, { src: path.join(dir, 'missing.wav'), dest: path.join(dir, 'x.opus') }], 'opus', 16)).rejects.toThrow(/ffmpeg exited/);
  });

  it('tells nothing for mp3 (decoded instead) or a file that is not what it says', async () => {
    expect(await containerDurationMs(tone(1), 'mp3')).toBeUndefined();
    expect(await containerDurationMs(tone(1), 'opus')).toBeUndefined();
    execFileSync('truncate', ['-s', '30', path.join(dir, 'tone-1.wav')]);
    expect(await containerDurationMs(path.join(dir, 'tone-1.wav'), 'wav')).toBeUndefined();
  });
});
