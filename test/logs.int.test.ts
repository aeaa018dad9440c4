// Logs at the most verbose level never carry a token or a SIP password used in the run.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, waitFor, type TestApp } from './support/app.js';

let t: TestApp;
let captured = '';
const sink = new Writable({
  write(chunk, _enc, done) {
    captured += chunk.toString();
    done();
  },
});

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'trace' }, sink);
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => t?.stop());

describe('logs', () => {
  it('carry no token and no password, even at trace level', async () => {
    const secrets = [t.adminToken];
    const tok = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('log-'), role: 'supervisor' });
    secrets.push(tok.body.token);
    await t.api('GET', '/api/calls', undefined, tok.body.token);
    await t.api('GET', '/api/calls', undefined, `${tok.body.token}x`);
    const sipPassword = `sip-${uniq()}-${uniq()}`;
    secrets.push(sipPassword);
    await t.api('POST', '/api/operators', { login: uniq('lg'), name: 'Logs', line: 'first', sipPassword });
    await t.api('POST', '/api/operators', { login: 'BAD LOGIN', name: 'Logs', line: 'first', sipPassword });
    expect(captured.length).toBeGreaterThan(1000);
    for (const s of secrets) expect(captured.includes(s), `a secret is in the logs`).toBe(false);
    expect(captured).toContain('"msg":"ARI connected"');
  });
});
