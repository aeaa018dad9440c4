// Starts the real service in-process against the suite's stack (env from scripts/test.sh),
// with its own BullMQ prefix so tests never see each other's jobs.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { apiClient as harnessClient } from '../harness/api-client.js';
import { createApp, type App, type AppParts } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/database.js';
import { LOG_REDACT } from '../../src/log-redact.js';

export interface TestApp {
  app: App;
  base: string;
  adminToken: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export function uniq(prefix = ''): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export function randomPhone(): string {
  const n = `79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  // +7 940 is Abkhazia, which callbacks refuse: a random Russian mobile is never one.
  return n.startsWith('7940') ? randomPhone() : n;
}

/** `parts`: a fake PbxPort (no Asterisk) or the ledger's sink, for the call core's fast tests (src/app.ts AppParts). */
export async function startTestApp(env: Record<string, string> = {}, logStream?: NodeJS.WritableStream, parts?: AppParts): Promise<TestApp> {
  const config = loadConfig({
    ...process.env,
    HTTP_PORT: '0',
    PBXDESK_QUEUE_PREFIX: uniq('test-'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HTTP_VALIDATE_RESPONSES: 'true',
    // Webhook and connector tests deliver to receivers on loopback, which the SSRF guard refuses
    // unless allowed (test/outbound/webhook-targets.int.test.ts runs without this).
    OUTBOUND_PRIVATE_ALLOWLIST: '127.0.0.1,::1',
    // Lines open around the clock, so that callbacks ring whenever the suite runs.
    BUSINESS_HOURS_FILE: 'pbx-config/business-hours.always-open.json',
    // No survey unless a test asks for one: callers would otherwise wait for it after every operator hangup.
    SURVEY_TIMEOUT_SEC: '0',
    // Every test signs in from loopback: one address's failures must not lock out the next file
    // (test/auth/sign-in-hardening.int.test.ts checks the per-address rule from its own address).
    PANEL_SIGNIN_MAX_FAILURES_PER_ADDRESS: '1000000',
    // The global failed-code budget is counted in Postgres across every app of the suite: one
    // file's wrong codes must not slow the next file's checks (code-guessing.int sets its own).
    VERIFY_FAILURE_BUDGET_PER_MIN: '100000',
    ...env,
  });
  const app = await createApp(config, pino({ level: config.logLevel, redact: LOG_REDACT }, logStream ?? process.stdout), parts);
  const base = await app.start();
  const adminToken = process.env.PBXDESK_BOOTSTRAP_ADMIN_TOKEN as string;
  const api = apiClient(base, adminToken);
  return {
    app, base, adminToken, api,
    stop: async () => {
      const t0 = Date.now();
      await app.stop();
      if (process.env.TEST_LOG_LEVEL) console.log('app stopped in', Date.now() - t0, 'ms');
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Takes every operator of a line offline, so a test's caller can only reach the operator the
 * test itself makes available (an operator left available by an aborted run would be rung).
 */
export async function clearLine(api: TestApp['api'], line: string): Promise<void> {
  const ops = await api<{ operators: { id: string; line: string; lines?: string[]; state: string }[] }>('GET', '/api/operators');
  for (const o of ops.body.operators) {
    // Everyone who serves the line (issue 21: an operator may serve several), not only those homed on it.
    if ((o.lines ?? [o.line]).includes(line) && o.state !== 'offline') await api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });
  }
}

/**
 * Cancels the callbacks left open (all, or those of `ids`). An earlier file of the shard may
 * leave one waiting, and every instance adopts waiting callbacks as places in its lines, so a
 * test's callers would queue, and its operators be rung, behind them: call it before the test's
 * app starts.
 */
export async function cancelOpenCallbacks(ids?: string[]): Promise<void> {
  const db = createDb(process.env.DATABASE_URL as string, 1);
  try {
    let q = db.updateTable('callbacks').set({ status: 'cancelled', closed_reason: 'test cleanup' }).where('status', 'in', ['scheduled', 'waiting', 'dialling']);
    if (ids) q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
    await q.execute();
  } finally {
    await db.destroy();
  }
}

/** An API client for a service at `base`, as the admin. */
export function apiClient(base: string, token = process.env.PBXDESK_BOOTSTRAP_ADMIN_TOKEN as string): TestApp['api'] {
  return harnessClient(base, token);
}
