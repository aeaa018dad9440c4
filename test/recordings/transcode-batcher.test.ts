import { describe, expect, it } from 'vitest';
import { TranscodeBatcher, type TranscodeItem } from '../../src/recordings/transcode-batcher.js';

/** A runner whose batches finish only when the test says so. */
function gatedRunner(fail: (items: readonly TranscodeItem[]) => boolean = () => false) {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  const run = (items: readonly TranscodeItem[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push(items.map((i) => i.src));
      gates.push(() => (fail(items) ? reject(new Error('ffmpeg exited 1')) : resolve()));
    });
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { run, calls, release };
}

describe('TranscodeBatcher', () => {
  it('starts a lone recording at once and batches what arrives while a process runs', async () => {
    const r = gatedRunner();
    const b = new TranscodeBatcher(r.run, 1, 16);
    const first = b.transcode('a', 'a.opus');
    expect(r.calls).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((x) => b.transcode(x, `${x}.opus`));
    expect(r.calls).toHaveLength(1);
    await r.release();
    await first;
    expect(r.calls).toEqual([['a'], ['b', 'c', 'd']]);
    await r.release();
    await Promise.all(rest);
  });

  it('never runs more processes than slots, nor more than maxBatch in one', async () => {
    const r = gatedRunner();
    const b = new TranscodeBatcher(r.run, 2, 2);
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => b.transcode(x, `${x}.opus`));
    expect(r.calls).toEqual([['a'], ['b']]);
    await r.release();
    expect(r.calls).toEqual([['a'], ['b'], ['c', 'd']]);
    await r.release();
    await r.release();
    await r.release();
    await Promise.all(all);
    expect(r.calls).toEqual([['a'], ['b'], ['c', 'd'], ['e', 'f']]);
  });

  it('retries each alone after a batch fails, so only the bad recording fails', async () => {
    const r = gatedRunner((items) => items.some((i) => i.src === 'bad'));
    const b = new TranscodeBatcher(r.run, 1, 16);
    const first = b.transcode('a', 'a.opus');
    const batch = ['b', 'bad', 'c'].map((x) => b.transcode(x, `${x}.opus`).then(() => 'ok', (e: Error) => e.message));
    await r.release();
    await first;
    for (let i = 0; i < 4; i++) await r.release();
    expect(await Promise.all(batch)).toEqual(['ok', 'ffmpeg exited 1', 'ok']);
    expect(r.calls).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });
});
