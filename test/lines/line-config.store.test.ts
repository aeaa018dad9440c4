import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidLinesError, LinesInUseError } from '../../src/errors.js';
import { LineConfigStore } from '../../src/lines/line-config.store.js';

const line = (id: string, more: Record<string, unknown> = {}) => ({ id, name: { ru: id, en: id }, fallbackQueue: 'first-line', ...more });

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-lines-store-'));
  file = path.join(dir, 'lines.json');
  await copyFile('pbx-config/lines.json', file);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('the lines store', () => {
  it('swaps the running catalog and the file; writes land in the order asked', async () => {
    const store = await LineConfigStore.open(file);
    const catalog = store.catalog;
    const a = { lines: [line('first', { escalatesTo: 'second' }), line('second', { escalatesTo: 'third' }), line('third', { escalationOnly: true })] };
    const b = { lines: [line('billing')] };
    await Promise.all([store.replace(a), store.replace(b)]);
    expect(store.catalog).toBe(catalog); // the same object, which every service holds
    expect(catalog.ids()).toEqual(['billing']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(b);
    expect(store.current()).toEqual(b);
  });

  it('leaves the catalog and the file as they were when a document is refused, by validation or by a check', async () => {
    const store = await LineConfigStore.open(file);
    const before = await readFile(file, 'utf8');
    await expect(store.replace({ lines: [line('Bad')] })).rejects.toBeInstanceOf(InvalidLinesError);
    store.check((next) => {
      if (!next.has('second')) throw new LinesInUseError('the test', [{ path: '/x', message: 'needs second' }]);
    });
    await expect(store.replace({ lines: [line('first')] })).rejects.toBeInstanceOf(LinesInUseError);
    expect(store.catalog.ids()).toEqual(['first', 'second']);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('asks the reading checks between two rounds of the others (the second with the swap), and tells listeners of a saved replacement only', async () => {
    const store = await LineConfigStore.open(file);
    const asked: string[] = [];
    const told: string[][] = [];
    store.checkReading(async (next) => {
      asked.push('reading');
      await new Promise((r) => setTimeout(r, 1));
      if (!next.has('first')) throw new LinesInUseError('the test', [{ path: '/operators/x/lines', message: 'serves first' }]);
    });
    store.check(() => void asked.push('check'));
    store.onReplaced((c) => told.push([...c.ids()]));
    await expect(store.replace({ lines: [line('second')] })).rejects.toBeInstanceOf(LinesInUseError);
    expect([asked, told, store.catalog.ids()]).toEqual([['check', 'reading'], [], ['first', 'second']]);
    await store.replace({ lines: [line('first')] });
    expect([asked, told]).toEqual([['check', 'reading', 'check', 'reading', 'check'], [['first']]]);
  });

  it('runs on with the lines it had when the file cannot be written', async () => {
    const store = await LineConfigStore.open(file);
    await rm(dir, { recursive: true, force: true });
    await expect(store.replace({ lines: [line('billing')] })).rejects.toThrow(/ENOENT/);
    expect(store.catalog.ids()).toEqual(['first', 'second']);
  });
});
