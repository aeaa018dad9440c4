// Every /api route × every role × an operator of the resource's own line and of the other line,
// generated from the routes' declared access rules (http/access.ts): a role the rule leaves out
// gets 403 before anything else happens; a role it allows never gets 401/403; on a route that
// declares line "own", an operator of the other line gets 403 or 404. A route without a
// declared rule fails this test (and is refused to everyone at run time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/token.table.js';
import type { RegisteredRoute } from '../../src/http/server.js';
import { randomUUID } from 'node:crypto';
import { insertCall } from '../../src/calls/call.repository.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { insertCallback } from '../../src/callbacks/callback.repository.js';
import { recordMissed } from '../../src/missed/missed-call.repository.js';
import { randomPhone, startTestApp, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import { makePrincipals, routesOf, sample, send, urlOf, type Principals } from '../support/route-fuzz.js';

let t: TestApp;
let p: Principals;
beforeAll(async () => {
  t = await startTestApp();
  p = await makePrincipals(t);
});
afterAll(async () => t?.stop());

/**
 * Resources of a known line (the second), by route: a fresh one per request (a request may move,
 * merge or close it). A route that declares line "own" needs its resource here, or the matrix
 * fails it. Values named like a body field (e.g. `into`) go into the sampled body too.
 */
const secondLineTicket = async () => (await t.api<{ id: string }>('POST', '/api/tickets', { subject: 'matrix', line: 'second' })).body.id;
const secondLineCall = async () => {
  const ticket = await secondLineTicket();
  const call = await insertCall(db, {
    ticket_id: ticket, caller_number: randomPhone(), dialled_number: '88005553535', status: 'completed', line: 'second',
    caller_channel_id: `matrix-${randomUUID()}`, operator_id: p.operatorIds.second, ended_at: new Date(), pbx_node: DEFAULT_PBX_NODE,
  });
  return call.id;
};
const FIXTURES: { match: RegExp; make: () => Promise<Record<string, string>> }[] = [
  { match: /^\/api\/tickets\/:id(\/|$)/, make: async () => ({ id: await secondLineTicket(), into: await secondLineTicket() }) },
  { match: /^\/api\/(panel\/)?calls\/:id(\/|$)/, make: async () => ({ id: await secondLineCall() }) },
  // Click-to-call from a ticket: the operator of the ticket's line may, the other line's may not.
  { match: /^\/api\/calls\/outbound$/, make: async () => ({ ticketId: await secondLineTicket() }) },
  // A line's waiting list: its own operators' only.
  { match: /^\/api\/lines\/:line\/queue$/, make: async () => ({ line: 'second' }) },
  {
    match: /^\/api\/callbacks\/:id(\/|$)/,
    make: async () => {
      const cb = await insertCallback(db, {
        // Booked by the panel token: a panel reaches the callbacks it booked.
        kind: 'scheduled', number: randomPhone(), line: 'second', status: 'cancelled', rank: new Date(), max_attempts: 1, requested_by: `token:${p.panelTokenId}`, closed_reason: 'matrix',
      });
      return { id: cb.id };
    },
  },
  {
    match: /^\/api\/missed-calls\/:id(\/|$)/,
    make: async () => {
      const e = await recordMissed(db, { line: 'second', number: `+${randomPhone()}`, reason: 'abandoned', callId: randomUUID(), at: new Date(), waitedSec: 5, ticketId: null });
      return { id: (e as { id: string }).id };
    },
  },
];
// The fixtures are on the second line: its operator is "own", the first line's is "foreign".
const principals = (): { who: string; role: Role; token: string; line?: 'own' | 'foreign' }[] => [
  { who: 'admin', role: 'admin', token: p.admin },
  { who: 'supervisor', role: 'supervisor', token: p.supervisor },
  { who: 'panel', role: 'panel', token: p.panel },
  { who: 'operator (own line)', role: 'operator', token: p.operatorSecond, line: 'own' },
  { who: 'operator (foreign line)', role: 'operator', token: p.operatorFirst, line: 'foreign' },
];

const paramSample = (r: RegisteredRoute, name: string) =>
  String(sample(((r.schema.params as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties ?? {})[name], name) ?? '1');

describe('authorization matrix', () => {
  it('every /api route declares who may call it', () => {
    const undeclared = routesOf(t).filter((r) => r.url.startsWith('/api/') && !r.access).map((r) => `${r.method} ${r.url}`);
    expect(undeclared, 'routes without a declared access rule (requireRole(...) as preHandler, or config.access)').toEqual([]);
  });

  it('answers every route × role × line as declared', async () => {
    const wrong: string[] = [];
    for (const r of routesOf(t).filter((x) => x.url.startsWith('/api/') && x.access)) {
      const rule = r.access!;
      const fixture = FIXTURES.find((f) => f.match.test(r.url));
      if (rule.line === 'own' && !fixture) {
        wrong.push(`${r.method} ${r.url}: declares line "own" but FIXTURES has no resource for it`);
        continue;
      }
      for (const who of principals()) {
        const lineCheck = rule.line === 'own' && fixture;
        const ids = lineCheck ? await fixture.make() : {};
        const params = Object.fromEntries([...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, k]) => [k as string, encodeURIComponent(ids[k as string] ?? paramSample(r, k as string))]));
        // A valid body where the line decides (validation comes before the service's line check), else an empty one.
        const sampled = lineCheck ? ((sample(r.schema.body as Record<string, unknown>) ?? {}) as Record<string, unknown>) : {};
        for (const k of Object.keys(sampled)) if (ids[k]) sampled[k] = ids[k];
        const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? sampled : undefined;
        const res = await send(t.base, { method: r.method, path: urlOf(r.url, params), body, token: who.token });
        const at = `${r.method} ${r.url} as ${who.who}: ${res.status} ${res.text.slice(0, 160)}`;
        if (!rule.roles.includes(who.role)) {
          if (res.status !== 403) wrong.push(`${at} (role not allowed: want 403)`);
        } else if (lineCheck && who.line === 'foreign') {
          if (res.status !== 403 && res.status !== 404) wrong.push(`${at} (another line's resource: want 403 or 404)`);
        } else if (res.status === 401 || res.status === 403 || res.status >= 500) {
          wrong.push(`${at} (allowed: want neither 401/403 nor 5xx)`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
