// The call core's fast tests: the real service (call core, ledger, Postgres, Redis, BullMQ) with
// a FakePbx in place of Asterisk. Each file gets its own node (PBX_NODE), so its operators are
// rung only by its ACD and its calls are reclaimed only by it, its own journal dir and IVR flow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AppParts } from '../../src/app.js';
import type { CallEventRow } from '../../src/calls/call.table.js';
import type { DialRequest } from '../../src/calls/pbx.port.js';
import { listCallEvents } from '../../src/calls/call.repository.js';
import { db } from './recordings.js';
import { FakePbx } from './fake-pbx.js';
import { cancelOpenCallbacks, randomPhone, startTestApp, uniq, type TestApp } from './app.js';
import type { Line } from '../../src/vocabulary.js';

export { db };

/**
 * The flow of these tests: 1 and 2 route to the lines, 7 ends the call after a goodbye, 8 takes a
 * voicemail, 5 offers a callback before the queue; no key routes to the first line.
 */
export const CORE_FLOW = {
  start: 'main',
  nodes: {
    main: [
      { verb: 'play', prompt: 'greeting' },
      {
        verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1,
        options: { '1': { route: 'first' }, '2': { route: 'second' }, '7': { goto: 'bye' }, '8': { goto: 'vm' }, '5': { goto: 'cb' } },
        onFail: { route: 'first' },
      },
    ],
    bye: [{ verb: 'hangup', prompt: 'goodbye' }],
    vm: [{ verb: 'voicemail', prompt: 'voicemail', maxSec: 30 }],
    cb: [{ verb: 'callback', line: 'first', prompt: 'callback-offer' }, { verb: 'route', line: 'first' }],
  },
};

export interface CoreApp {
  t: TestApp;
  pbx: FakePbx;
  node: string;
  journalDir: string;
  /** What the service logged (JSON lines), to check an error was reported. */
  logs: { level: number; msg: string; [k: string]: unknown }[];
  stop(): Promise<void>;
}

// cancelOpenCallbacks: one implementation for every test (test/support/app.ts).
export { cancelOpenCallbacks } from './app.js';

export async function startCoreApp(opts: { env?: Record<string, string>; parts?: Omit<AppParts, 'pbx'>; node?: string; journalDir?: string; keepCallbacks?: boolean } = {}): Promise<CoreApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pbxdesk-call-core-'));
  const flowFile = path.join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify(CORE_FLOW));
  const journalDir = opts.journalDir ?? path.join(dir, 'journal');
  const node = opts.node ?? uniq('core-');
  if (!opts.keepCallbacks) await cancelOpenCallbacks();
  const pbx = new FakePbx();
  const logs: CoreApp['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as CoreApp['logs'][number]);
      if (process.env.TEST_LOG_LEVEL) process.stdout.write(chunk);
      done();
    },
  });
  const t = await startTestApp(
    {
      PBX_NODE: node,
      CALL_JOURNAL_DIR: journalDir,
      IVR_FLOW_FILE: flowFile,
      WRAPUP_SEC: '0',
      OPERATOR_RING_TIMEOUT_SEC: '5',
      QUEUE_ANNOUNCE_SEC: '0',
      // Nothing sheds: the guard would hand callers to the fallback on a slow machine.
      SHED_LAG_MS: '0',
      SHED_BACKLOG_MS: '0',
      SHED_UNANSWERED: '0',
      ARCHIVE_ATTEMPTS: '1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...opts.env,
    },
    sink,
    { ...opts.parts, pbx },
  );
  return {
    t, pbx, node, journalDir, logs,
    stop: async () => {
      // This node's operators go offline: nobody else rings them, and no count of available operators sees them.
      const ops = await t.api<{ operators: { id: string; pbxNode: string; state: string }[] }>('GET', '/api/operators');
      for (const o of ops.body.operators) if (o.pbxNode === node && o.state !== 'offline') await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * After a test: every channel still up ends (so no caller of a failed test waits in a line for
 * the next test's operator), the writes behind the calls finish, and this node's operators go
 * offline (an operator's wrap-up ending behind a call would otherwise make them available later).
 */
export async function cleanUp(c: CoreApp): Promise<void> {
  c.pbx.heal();
  c.pbx.autoFinishPlaybacks = true;
  for (const ch of [...c.pbx.channels]) c.pbx.gone(ch);
  await until('every call over', () => c.t.app.calls.liveSessions().size === 0);
  await c.t.app.ledger.written();
  await c.t.app.calls.settled(5000);
  const ops = await c.t.api<{ operators: { id: string; pbxNode: string; state: string }[] }>('GET', '/api/operators');
  for (const o of ops.body.operators) if (o.pbxNode === c.node && o.state !== 'offline') await setState(c, o.id, 'offline');
}

/** An operator of this node on `line`, available. */
export async function availableOperator(c: CoreApp, line: Line = 'first'): Promise<{ id: string; endpoint: string }> {
  const login = uniq('core-op-');
  const r = await c.t.api<{ id: string; sipUsername?: string }>('POST', '/api/operators', { login, name: login, line, sipPassword: 'a-long-sip-secret' });
  if (r.status !== 201) throw new Error(`operator not created: ${r.status} ${JSON.stringify(r.body)}`);
  await setState(c, r.body.id, 'available');
  return { id: r.body.id, endpoint: `op-${login}` };
}

export async function setState(c: CoreApp, id: string, state: 'available' | 'paused' | 'offline'): Promise<void> {
  const r = await c.t.api('PUT', `/api/operators/${id}/state`, { state, ...(state === 'paused' ? { reason: 'other' } : {}) });
  if (r.status !== 200) throw new Error(`operator state not set: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function operatorState(c: CoreApp, id: string): Promise<string> {
  return (await c.t.app.operators.get(id)).state;
}

/**
 * Waits for a condition the core reaches on its own (a pass of the ACD, a batch of the ledger):
 * polled every few ms, with a deadline only so that a broken core fails instead of hanging.
 */
export async function until<T>(what: string, fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, deadlineMs = 5000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The id of the live call whose caller is on `channelId` (from the ledger's live rows). */
export function callOf(c: CoreApp, channelId: string): string | undefined {
  for (const id of c.t.app.calls.liveSessions().keys()) if (c.t.app.calls.liveRow(id)?.row.caller_channel_id === channelId) return id;
  return undefined;
}

export async function newCall(c: CoreApp, channelId: string): Promise<string> {
  return until(`a call for channel ${channelId}`, () => callOf(c, channelId));
}

/** The call's status as this instance knows it now (the ledger's live row), or undefined once written and over. */
/** A new caller who keys `digit` in the menu (1: first line, 2: second): their channel and call. */
export async function keyedCall(c: CoreApp, digit: string): Promise<{ ch: string; id: string }> {
  const ch = c.pbx.inbound(randomPhone());
  c.pbx.press(ch, digit);
  return { ch, id: await newCall(c, ch) };
}

/** A new caller who keys `digit`, and the operator's phone the ACD rings for them. */
export async function rungCall(c: CoreApp, digit: string): Promise<{ ch: string; id: string; dial: DialRequest }> {
  const { ch, id } = await keyedCall(c, digit);
  return { ch, id, dial: await until('operator rung', () => c.pbx.lastDial(id)) };
}

export function liveStatus(c: CoreApp, callId: string): string | undefined {
  return c.t.app.calls.liveRow(callId)?.row.status;
}

export function reaches(c: CoreApp, callId: string, status: string): Promise<true> {
  return until(`call ${callId} ${status} (is ${liveStatus(c, callId)})`, () => liveStatus(c, callId) === status);
}

export interface ApiCall {
  id: string;
  status: string;
  line: string | null;
  operatorId: string | null;
  endedAt: string | null;
  hangupBy: string | null;
  transitions: { from: string | null; to: string }[];
}

export async function apiCall(c: CoreApp, callId: string): Promise<ApiCall> {
  const r = await c.t.api<ApiCall>('GET', `/api/calls/${callId}`);
  if (r.status !== 200) throw new Error(`GET /api/calls/${callId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Every transition of the call so far is in Postgres (none of them left in the ledger's queue). */
export async function written(c: CoreApp, callId: string): Promise<void> {
  await c.t.app.ledger.written(callId);
}

/** The call is over and all of it is in Postgres: the ledger has let its row go. */
export async function settled(c: CoreApp, callId: string): Promise<void> {
  await until(`call ${callId} over and written`, () => !c.t.app.ledger.has(callId));
}

/** The call's transitions as Postgres has them: [from, to] in the order written, with their seq. */
export async function storedEvents(callId: string): Promise<CallEventRow[]> {
  return listCallEvents(db, callId);
}

export function path2(events: CallEventRow[]): string[] {
  return events.map((e) => e.to_status);
}
