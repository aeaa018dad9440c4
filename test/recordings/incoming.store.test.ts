// The spool side of the incoming store: the raw file found where the row says, or by its name
// in this process's spool dir (a worker that sees the spool at another mount point).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localSpoolFile, SpoolIncomingStore } from '../../src/recordings/incoming.store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tmp = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'pbxdesk-incoming-'));
  dirs.push(d);
  return d;
};

describe('spool incoming store', () => {
  it('finds the file where the row says, else by name in its own spool dir', async () => {
    const pbx = await tmp();
    const mount = await tmp();
    const rec = { name: 'call-1', spool_path: path.join(pbx, 'call-1.wav'), pbx_node: 'pbx1' };
    await writeFile(rec.spool_path, 'x');
    expect(await localSpoolFile(mount, rec)).toBe(rec.spool_path);
    await rm(rec.spool_path);
    expect(await localSpoolFile(mount, rec)).toBe(path.join(mount, 'call-1.wav'));
    expect(await localSpoolFile(mount, { ...rec, spool_path: null })).toBe(path.join(mount, 'call-1.wav'));
  });

  it('hands the spool file to the worker as it is, and removes it only when consumed (twice is harmless)', async () => {
    const spool = await tmp();
    const store = new SpoolIncomingStore(spool);
    const rec = { name: 'call-2', spool_path: path.join(spool, 'call-2.wav'), pbx_node: 'pbx1' };
    await writeFile(rec.spool_path, 'x');
    await store.offer();
    const raw = await store.open(rec);
    expect(raw.file).toBe(rec.spool_path);
    await raw.cleanup();
    expect(existsSync(rec.spool_path)).toBe(true);
    await store.consumed(rec);
    await store.consumed(rec);
    expect(existsSync(rec.spool_path)).toBe(false);
  });
});
