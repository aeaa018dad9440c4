// Lines as configuration through the admin API, on a service started with the three-line test
// configuration (a copy: a PUT rewrites its file): a bad document is refused with every path and
// changes nothing, a change the running IVR flow cannot take is refused naming the flow's paths,
// a good one replaces the file and the running lines, and a line that is not configured is a 400
// wherever a request names one.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';

type Doc = { lines: { id: string; escalatesTo?: string | null; escalationOnly?: boolean }[] };
type ErrorReply = { error: { code: string; details: { errors?: { path: string }[]; line?: string; path?: string } } };

let dir: string;
let file: string;
let t: TestApp;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-lines-'));
  file = path.join(dir, 'lines.json');
  await copyFile('test/fixtures/lines-three.json', file);
  t = await startTestApp({ LINES_FILE: file });
});
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('lines admin API', () => {
  it('lists the three lines the service was started with', async () => {
    const r = await t.api<Doc>('GET', '/api/admin/lines');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(await readFile('test/fixtures/lines-three.json', 'utf8')));
    expect(r.body.lines.map((l) => l.id)).toEqual(['first', 'second', 'third']);
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

  it('replaces the file and the running lines with a good document; only admins may', async () => {
    const before = (await t.api<Doc>('GET', '/api/admin/lines')).body;
    const two = { lines: [{ ...before.lines[0], escalatesTo: 'second' }, { ...before.lines[1], escalatesTo: null }] };
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('PUT', '/api/admin/lines', two, sup)).status).toBe(403);
    expect((await t.api('GET', '/api/admin/lines', undefined, sup)).status).toBe(403);
    const r = await t.api<Doc>('PUT', '/api/admin/lines', two);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(two);
    expect((await t.api('GET', '/api/admin/lines')).body).toEqual(two);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(two);
    // The running lines followed: third is gone for every request that names a line.
    const gone = await t.api<ErrorReply>('GET', '/api/calls?line=third');
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
