// The pop made ahead (panel/pop-cache.ts): served for the same key while fresh, made again when
// what it was made from changed or it aged, kept while a refresh is on its way, dropped when the
// build failed or the call is over.
import { describe, expect, it } from 'vitest';
import { MAX_AGE_MS, PopCache } from '../../src/panel/pop-cache.js';

describe('the screen pop made ahead', () => {
  it('serves one build per key, refreshes it in the background, and drops it when over', async () => {
    const c = new PopCache<string>();
    let builds = 0;
    const build = (v: string) => async () => `${v}${++builds}`;
    expect(await c.fill('call', 'k1', build('a'), 5_000, 0)).toBe('a1');
    expect(await c.fill('call', 'k1', build('a'), 5_000, 1_000)).toBe('a1'); // fresh: no second build
    expect(c.get('call', 'k1', 2_000)?.ready).toBe('a1');
    expect(c.get('call', 'k2', 2_000)).toBeUndefined(); // made from something else (a verification, a move)
    // Refreshed after 5 s: the old pop is served while the new one is built.
    const next = c.fill('call', 'k1', build('a'), 5_000, 6_000);
    expect(c.get('call', 'k1', 6_000)?.ready).toBe('a1');
    expect(await next).toBe('a2');
    expect(c.get('call', 'k1', 6_000 + MAX_AGE_MS)).toBeUndefined(); // too old to serve
    c.retain((id) => id !== 'call');
    expect(c.size).toBe(0);
  });

  it('does not keep a failed build', async () => {
    const c = new PopCache<string>();
    expect(await c.fill('call', 'k', () => Promise.reject(new Error('Postgres away')), 5_000, 0)).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
