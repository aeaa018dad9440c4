// Every string of the panel and the supervisor pages comes from one catalogue, in both
// languages: the same keys in Russian and English, and every key the pages use exists.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

let keys: { ru: string[]; en: string[] };
beforeAll(async () => {
  (globalThis as Record<string, unknown>).localStorage = { getItem: () => null, setItem: () => undefined };
  // @ts-expect-error -- a browser module without types
  keys = (await import('../../src/panel/web/i18n.js')).CATALOGUE_KEYS;
});

const WEB = 'src/panel/web';
const used = (file: string, re: RegExp) => [...readFileSync(`${WEB}/${file}`, 'utf8').matchAll(re)].map((m) => m[1] as string);

describe('the UI catalogue', () => {
  it('has the same keys in Russian and English', () => {
    expect([...keys.ru].sort()).toEqual([...keys.en].sort());
  });

  it('has every key the pages name', () => {
    const all = new Set(keys.ru);
    const named = [
      ...used('operator.html', /data-i18n="([^"]+)"/g),
      ...used('supervisor.html', /data-i18n="([^"]+)"/g),
      // Every module of the pages (each feature has its own), not only the two main ones.
      ...readdirSync(WEB).filter((f) => f.endsWith('.js') && f !== 'i18n.js').flatMap((f) => used(f, /\bt\('([a-z][\w.-]*)'\)/g)),
    ];
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((k) => !all.has(k))).toEqual([]);
  });
});
