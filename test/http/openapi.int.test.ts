// The route schemas are the one source for validation and documentation: no route goes
// without them, the OpenAPI document carries them, and /docs serves a reference page.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN: 'metrics-token-for-tests-only' });
});
afterAll(async () => t?.stop());

describe('route schemas', () => {
  it('every documented route has a success response schema, and params/body where it takes them', () => {
    const routes = t.app.server.registeredRoutes.filter((r) => !r.schema.hide && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(8);
    for (const r of routes) {
      const name = `${r.method} ${r.url}`;
      const responses = Object.keys((r.schema.response ?? {}) as object);
      expect(responses.some((code) => code.startsWith('2')), `${name} has no 2xx response schema`).toBe(true);
      if (r.url.includes(':')) expect(r.schema.params, `${name} has no params schema`).toBeTruthy();
      if (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') expect(r.schema.body, `${name} has no body schema`).toBeTruthy();
    }
  });

  it('serves the OpenAPI document with bearer auth and error bodies on every /api route', async () => {
    const doc = (await (await fetch(`${t.base}/openapi.json`)).json()) as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    const apiPaths = Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/'));
    expect(apiPaths.map(([p]) => p)).toEqual(expect.arrayContaining(['/api/operators', '/api/calls/{id}', '/api/tickets/{id}']));
    for (const [p, ops] of apiPaths) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${p}`).toEqual([{ bearerAuth: [] }]);
        expect(op.responses, `${method} ${p}`).toHaveProperty('401');
      }
    }
  });

  it('renders an interactive reference at /docs', async () => {
    const res = await fetch(`${t.base}/docs`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});

describe('/metrics', () => {
  it('needs its token', async () => {
    expect((await fetch(`${t.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.base}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } })).status).toBe(401);
  });

  it('scrapes cleanly in the Prometheus text format', async () => {
    await new Promise((r) => setTimeout(r, 500)); // let ARI/AMI connect
    const res = await fetch(`${t.base}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-tests-only' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.eE+-]+|NaN|\+Inf$/;
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line, 'not a Prometheus sample line').toMatch(sample);
    }
    for (const name of [
      'pbxdesk_calls_in_progress', 'pbxdesk_callers_waiting', 'pbxdesk_longest_wait_seconds', 'pbxdesk_operators',
      'pbxdesk_calls_total', 'pbxdesk_queue_to_ring_seconds', 'pbxdesk_ivr_step_seconds', 'pbxdesk_pbx_connected',
      'pbxdesk_pbx_reconnects', 'pbxdesk_queue_jobs', 'pbxdesk_job_duration_seconds', 'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/pbxdesk_callers_waiting\{line="first"\} \d+/);

    // The shipped Grafana dashboard only queries metrics that exist.
    const dash = JSON.parse(await readFile('docs/grafana-dashboard.json', 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const queried = dash.panels.flatMap((p) => p.targets.flatMap((x) => x.expr.match(/\b(pbxdesk|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(queried.length).toBeGreaterThan(10);
    for (const m of queried) expect(text, m).toContain(`# TYPE ${m.replace(/_(bucket|sum|count)$/, '')} `);
  });
});
