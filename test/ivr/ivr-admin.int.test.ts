// The IVR flow through the admin API: a bad document is refused with the exact path of each
// error and changes nothing; a good one replaces the running flow and its file.
import { copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';

const file = path.join(tmpdir(), `${uniq('flow-')}.json`);
let t: TestApp;
beforeAll(async () => {
  await copyFile('pbx-config/ivr/main.json', file);
  t = await startTestApp({ IVR_FLOW_FILE: file });
});
afterAll(async () => t?.stop());

describe('IVR admin API', () => {
  it('refuses a bad flow with the path of every error and keeps the running one', async () => {
    const before = (await t.api<{ start: string }>('GET', '/api/ivr/flow')).body;
    const bad = { start: 'main', nodes: { main: [{ verb: 'menu', prompt: 'main-menu', timeoutSec: 0, maxAttempts: 2, options: { '1': { goto: 'nowhere' } } }, { verb: 'dance' }] } };
    const r = await t.api<{ error: { code: string; details: { errors: { path: string }[] } } }>('PUT', '/api/ivr/flow', bad);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_ivr_flow');
    expect(r.body.error.details.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/nodes/main/0/timeoutSec', '/nodes/main/1/verb']));
    expect((await t.api('GET', '/api/ivr/flow')).body).toEqual(before);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(before);
  });

  it('replaces the running flow and its file with a valid one', async () => {
    const doc = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as { nodes: { main: { timeoutSec?: number }[] } };
    doc.nodes.main[2]!.timeoutSec = 7; // the main menu (after the greeting and the hours check)
    const r = await t.api<{ nodes: number }>('PUT', '/api/ivr/flow', doc);
    expect(r.status).toBe(200);
    expect(r.body.nodes).toBe(5);
    expect((await t.api('GET', '/api/ivr/flow')).body).toEqual(doc);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(doc);
  });

  it('lets supervisors read the flow but only admins replace it', async () => {
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('GET', '/api/ivr/flow', undefined, sup)).status).toBe(200);
    expect((await t.api('PUT', '/api/ivr/flow', { start: 'x', nodes: {} }, sup)).status).toBe(403);
  });
});
