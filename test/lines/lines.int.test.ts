// Lines as configuration through the admin API, on a service started with the three-line test
// configuration plus each line's own settings and a spare line of this file's own (a copy: a PUT
// rewrites its file): a bad document is refused with every path and changes nothing, a change the
// running IVR flow cannot take is refused naming the flow's paths, so is removing a line an
// operator serves (naming them), a good one replaces the file and the running lines, and a line
// that is not configured is a 400 wherever a request names one. The lines' own service level
// (wallboard, line report, staffing plan) and SLA targets (tickets created on or moved to a line) apply.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCall } from '../../src/calls/call.repository.js';
import { createDb } from '../../src/db/database.js';
import { startTestApp, uniq, type TestApp } from '../support/app.js';

type Doc = { lines: { id: string; escalatesTo?: string | null; escalationOnly?: boolean; serviceLevel?: unknown; sla?: string }[] };
type Ticket = { id: string; line: string | null; createdAt: string; sla: { firstResponseDue: string; resolutionDue: string } };
type ErrorReply = { error: { code: string; details: { errors?: { path: string }[]; line?: string; path?: string } } };

let dir: string;
let file: string;
let t: TestApp;
let started: Doc;
// A line only this file uses: operators left by other files serve first, second and third.
const spare = uniq('spare-');
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-lines-'));
  file = path.join(dir, 'lines.json');
  const three = JSON.parse(await readFile('test/fixtures/lines-three.json', 'utf8')) as Doc;
  const [first, second, third] = three.lines;
  started = {
    lines: [
      { ...first!, serviceLevel: { withinSec: 15, percent: 85 } },
      { ...second!, serviceLevel: { withinSec: 45, percent: 90 }, wrapUp: { sec: 600, rule: 'always' } } as Doc['lines'][number],
      { ...third!, sla: 'critical=30m/4h' },
      { id: spare, name: { ru: 'Запасная', en: 'Spare' }, fallbackQueue: 'first-line' } as Doc['lines'][number],
    ],
  };
  await writeFile(file, JSON.stringify(started));
  t = await startTestApp({ LINES_FILE: file, SERVICE_LEVEL_SEC: '20', SLA_TARGETS: 'critical=1h/1d', WRAPUP_SEC: '0', WRAPUP_REQUIRES_NOTE: 'never' });
});
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('lines admin API', () => {
  it('lists the lines the service was started with', async () => {
    const r = await t.api<Doc>('GET', '/api/admin/lines');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(started);
    expect(r.body.lines.map((l) => l.id)).toEqual(['first', 'second', 'third', spare]);
  });

  it("measures and plans each line by its own service level, SERVICE_LEVEL_SEC and STAFFING_SERVICE_LEVEL where it has none", async () => {
    const board = await t.api<{ serviceLevelSec: number; lines: { line: string; serviceLevelSec: number }[] }>('GET', '/api/supervisor/wallboard');
    expect(board.body.serviceLevelSec).toBe(20);
    expect(board.body.lines.map((l) => [l.line, l.serviceLevelSec])).toEqual([['first', 15], ['second', 45], ['third', 20], [spare, 20]]);
    const to = new Date();
    const report = await t.api<{ lines: { line: string; serviceLevelSec: number }[] }>('GET', `/api/supervisor/reports/lines?from=${new Date(to.getTime() - 86_400_000).toISOString()}&to=${to.toISOString()}`);
    expect(report.body.lines.filter((l) => started.lines.some((s) => s.id === l.line)).map((l) => [l.line, l.serviceLevelSec])).toEqual([['first', 15], ['second', 45], ['third', 20], [spare, 20]]);
    const plan = await t.api<{ lines: { line: string; target: { share: number; withinSec: number } }[] }>('GET', '/api/supervisor/reports/staffing?weeks=1');
    expect(plan.body.lines.map((l) => [l.line, l.target])).toEqual([
      ['first', { share: 0.85, withinSec: 15 }],
      ['second', { share: 0.9, withinSec: 45 }],
      ['third', { share: 0.8, withinSec: 20 }],
      [spare, { share: 0.8, withinSec: 20 }],
    ]);
  });

  it("gives a ticket created on a line, or moved to it, the line's own SLA targets; SLA_TARGETS elsewhere", async () => {
    const dueMin = (x: Ticket) => [x.sla.firstResponseDue, x.sla.resolutionDue].map((d) => Math.round((Date.parse(d) - Date.parse(x.createdAt)) / 60_000));
    const onThird = await t.api<Ticket>('POST', '/api/tickets', { subject: uniq('sla-'), line: 'third', priority: 'critical' });
    expect([onThird.status, onThird.body.line, dueMin(onThird.body)]).toEqual([201, 'third', [30, 240]]);
    const onFirst = await t.api<Ticket>('POST', '/api/tickets', { subject: uniq('sla-'), line: 'first', priority: 'critical' });
    expect(dueMin(onFirst.body)).toEqual([60, 1440]);
    const moved = await t.api<Ticket>('PATCH', `/api/tickets/${onFirst.body.id}`, { line: 'third' });
    expect([moved.body.line, dueMin(moved.body)]).toEqual(['third', [30, 240]]);
    // Another priority on the line: its SLA_TARGETS target, the line having none of its own.
    const normal = await t.api<Ticket>('PATCH', `/api/tickets/${onFirst.body.id}`, { priority: 'normal' });
    expect(dueMin(normal.body)).toEqual([24 * 60, 5 * 24 * 60]);
  });

  it('refuses a bad document with the path of every problem, and changes nothing', async () => {
    const before = (await t.api<Doc>('GET', '/api/admin/lines')).body;
    const bad = { lines: [{ ...before.lines[0], escalatesTo: 'gold' }, { ...before.lines[1], id: 'first' }, { id: 'Third', name: { ru: 'x' }, fallbackQueue: 'a b' }] };
    const r = await t.api<ErrorReply>('PUT', '/api/admin/lines', bad);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_lines');
    expect(r.body.error.details.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['/lines/2/id', '/lines/2/name/en', '/lines/2/fallbackQueue']));
    const relations = await t.api<ErrorReply>('PUT', '/api/admin/lines', { lines: bad.lines.slice(0, 2) });
    expect(relations.body.error.details.errors?.map((e) => e.path).sort()).toEqual(['/lines/0/escalatesTo', '/lines/1/escalatesTo', '/lines/1/id']);
    expect((await t.api('GET', '/api/admin/lines')).body).toEqual(before);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(before);
  });

  it('refuses to take away a line the running IVR flow routes callers to, naming the paths', async () => {
    const before = (await t.api<Doc>('GET', '/api/admin/lines')).body;
    const noSecond = { lines: [{ ...before.lines[0], escalatesTo: 'third' }, before.lines[2]] };
    const r = await t.api<ErrorReply>('PUT', '/api/admin/lines', noSecond);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('lines_in_use');
    expect(r.body.error.details.errors?.length).toBeGreaterThan(0);
    expect(r.body.error.details.errors?.every((e) => e.path.startsWith('/nodes/') || e.path.startsWith('/overflow/'))).toBe(true);
    expect((await t.api('GET', '/api/admin/lines')).body).toEqual(before);
  });

  it("wraps a call up by its line's rule (the call's row when the call core has forgotten it), a call of no line by the operator's home line's", async () => {
    const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('op'), name: 'Wrap', line: 'first', lines: ['first', 'second'], sipPassword: `${uniq('pw-')}${uniq()}` });
    const db = createDb(process.env.DATABASE_URL as string, 1);
    try {
      const call = await insertCall(db, { line: 'second', status: 'completed', operator_id: op.body.id, caller_channel_id: uniq('f1-'), pbx_node: 'lines-test', ended_at: new Date() });
      await t.app.operators.callStarted(op.body.id);
      await t.app.operators.callEnded(op.body.id, new Date(), call.id);
      const onSecond = await t.app.operators.get(op.body.id);
      expect([onSecond.state, onSecond.wrapup_call_id]).toEqual(['wrap_up', call.id]);
      expect((onSecond.wrapup_until?.getTime() ?? 0) - Date.now()).toBeGreaterThan(500_000);
      await t.api('PUT', `/api/operators/${op.body.id}/state`, { state: 'offline' });
      await t.app.operators.wrappedUp(op.body.id, call.id);
      await t.app.operators.callStarted(op.body.id);
      await t.app.operators.callEnded(op.body.id, new Date());
      expect((await t.app.operators.get(op.body.id)).state).toBe('available');
    } finally {
      await t.api('PUT', `/api/operators/${op.body.id}/state`, { state: 'offline' });
      await db.destroy();
    }
  });

  it('refuses to remove a line an operator serves, naming them; replaces the file and the running lines once nobody does; only admins may', async () => {
    const before = (await t.api<Doc>('GET', '/api/admin/lines')).body;
    const login = uniq('op');
    const op = await t.api<{ id: string }>('POST', '/api/operators', { login, name: 'Spare', line: 'first', lines: ['first', spare], sipPassword: `${uniq('pw-')}${uniq()}` });
    expect(op.status).toBe(201);
    const without = { lines: before.lines.filter((l) => l.id !== spare) };
    const refused = await t.api<ErrorReply>('PUT', '/api/admin/lines', without);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'lines_in_use']);
    expect(refused.body.error.details.errors).toEqual([{ path: `/operators/${op.body.id}/lines`, message: `operator ${login} serves "${spare}", which this configuration removes` }]);
    expect((await t.api('GET', '/api/admin/lines')).body).toEqual(before);
    expect((await t.api('PUT', `/api/operators/${op.body.id}/lines`, { lines: ['first'] })).status).toBe(200);

    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('PUT', '/api/admin/lines', without, sup)).status).toBe(403);
    expect((await t.api('GET', '/api/admin/lines', undefined, sup)).status).toBe(403);
    const r = await t.api<Doc>('PUT', '/api/admin/lines', without);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(without);
    expect((await t.api('GET', '/api/admin/lines')).body).toEqual(without);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(without);
    // The running lines followed: the spare line is gone for every request that names a line.
    const gone = await t.api<ErrorReply>('GET', `/api/calls?line=${spare}`);
    expect([gone.status, gone.body.error.code, gone.body.error.details.path]).toEqual([400, 'unknown_line', '/query/line']);
    expect((await t.api('PUT', '/api/admin/lines', before)).status).toBe(200);
  });

  it('refuses an IVR flow that routes callers to an escalation-only line, naming the path', async () => {
    const doc = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as Record<string, unknown>;
    const r = await t.api<ErrorReply>('PUT', '/api/ivr/flow', { ...doc, overflow: { second: { maxWaitSec: 60, action: { route: 'third' } } } });
    expect([r.status, r.body.error.code]).toEqual([422, 'invalid_ivr_flow']);
    expect(r.body.error.details.errors?.map((e) => e.path)).toEqual(['/overflow/second/action/route']);
  });

  it('will not start with a bad lines file, a flow naming a line that is not configured, or a setting naming one', async () => {
    const bad = path.join(dir, 'bad-lines.json');
    await writeFile(bad, JSON.stringify({ lines: [{ id: 'first', name: { ru: 'П', en: 'F' }, escalatesTo: 'gold', fallbackQueue: 'first-line' }] }));
    await expect(startTestApp({ LINES_FILE: bad })).rejects.toThrow(/\/lines\/0\/escalatesTo "gold" is not a line/);
    const flow = path.join(dir, 'flow.json');
    await writeFile(flow, JSON.stringify({ start: 'main', nodes: { main: [{ verb: 'route', line: 'vip' }] } }));
    await expect(startTestApp({ IVR_FLOW_FILE: flow })).rejects.toThrow(/\/nodes\/main\/0\/line line "vip" is not configured/);
    await expect(startTestApp({ CLICK_TO_CALL_CALLER_ID: '+74951234567,vip=+74951234568' })).rejects.toThrow(/CLICK_TO_CALL_CALLER_ID names "vip"/);
  });

  it('answers 400 unknown_line, never a 500 or an empty result, for a line that is not configured', async () => {
    const ticket = await t.api<ErrorReply>('POST', '/api/tickets', { subject: uniq('lines-'), line: 'vip' });
    expect([ticket.status, ticket.body.error.code, ticket.body.error.details.line, ticket.body.error.details.path]).toEqual([400, 'unknown_line', 'vip', '/body/line']);
    expect((await t.api<ErrorReply>('GET', '/api/recordings?line=vip')).body.error.code).toBe('unknown_line');
    expect((await t.api('GET', '/api/calls?line=third')).status).toBe(200);
  });
});
