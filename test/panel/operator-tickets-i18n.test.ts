// The ticket lists' module (operator-tickets.js) takes every string from the catalogue too:
// each key it names, and each key its templates build (views, timeline kinds, SLA words), exists.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

let keys: Set<string>;
beforeAll(async () => {
  (globalThis as Record<string, unknown>).localStorage = { getItem: () => null, setItem: () => undefined };
  // @ts-expect-error -- a browser module without types
  keys = new Set((await import('../../src/panel/web/i18n.js')).CATALOGUE_KEYS.ru as string[]);
});

describe('the ticket lists in the catalogue', () => {
  it('has every key the module names and builds', () => {
    const js = readFileSync('src/panel/web/operator-tickets.js', 'utf8');
    const named = [...js.matchAll(/\bt\('([a-z][\w.-]*)'/g)].map((m) => m[1] as string);
    const built = [
      ...['mine', 'unassigned', 'sla', 'waiting', 'search'].map((v) => `tk.view.${v}`),
      ...['first_response', 'resolution'].map((x) => `tk.target.${x}`),
      ...['nearing', 'breached'].map((x) => `tk.sla.${x}`),
      ...['pending', 'synced', 'failed'].map((x) => `tk.syncState.${x}`),
      ...['caller', 'system'].map((x) => `tk.actor.${x}`),
      ...['created', 'status', 'line', 'priority', 'category', 'assignee', 'note', 'call', 'outbound-call', 'voicemail', 'verification', 'callback', 'callback-attempt', 'sla'].map((k) => `tl.${k}`),
    ];
    expect(named.length).toBeGreaterThan(20);
    expect([...named, ...built].filter((k) => !keys.has(k))).toEqual([]);
  });
});
