import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcm16Rms, readWavInfo } from '../../src/recordings/wav.js';

function wav(samples: number, declared: number | null): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 5) * 8000), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(declared === null ? 36 + data.length : declared, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(declared === null ? data.length : declared, 40);
  return Buffer.concat([h, data]);
}

async function info(buf: Buffer) {
  const dir = await mkdtemp(path.join(tmpdir(), 'wav-'));
  const f = path.join(dir, 'a.wav');
  await writeFile(f, buf);
  const fh = await open(f, 'r');
  try {
    return await readWavInfo(fh);
  } finally {
    await fh.close();
  }
}

describe('WAV reading', () => {
  it('measures a cleanly closed 8 kHz file', async () => {
    const i = await info(wav(16000, null));
    expect(i).toMatchObject({ sampleRate: 8000, channels: 1, durationMs: 2000, headerIncomplete: false });
  });

  it('takes the length from the file when Asterisk died before writing the sizes', async () => {
    const i = await info(wav(8000, 0));
    expect(i.durationMs).toBe(1000);
    expect(i.headerIncomplete).toBe(true);
  });

  it('rejects what is not a WAV', async () => {
    await expect(info(Buffer.from('hello world, not audio at all....................'))).rejects.toThrow('RIFF');
  });

  it('tells silence from sound', () => {
    expect(pcm16Rms(Buffer.alloc(1000))).toBe(0);
    expect(pcm16Rms(wav(1000, null).subarray(44))).toBeGreaterThan(1000);
  });
});
