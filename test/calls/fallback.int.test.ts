// The dialplan's safety net: with the Stasis app not connected, Stasis() fails and the
// caller goes to Asterisk's own first-line queue, whose members the service keeps in step
// over AMI. The caller reaches an operator instead of silence.
import { describe, expect, it } from 'vitest';
import { allocPorts, answerOnce, registerPhone, runCaller } from '../../bench/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor } from '../support/app.js';

describe('calls while the service is down', () => {
  it('go to the fallback queue and ring an operator the service had made available', async () => {
    const t = await startTestApp();
    await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
    await clearLine(t.api, 'first');
    const password = uniq('pw-') + uniq();
    const op = await t.api<{ id: string; sip: { username: string } }>('POST', '/api/operators', {
      login: uniq('fb'), name: 'Fallback', line: 'first', sipPassword: password,
    });
    const ports = allocPorts();
    expect((await registerPhone({ username: op.body.sip.username, password, sipPort: ports.sip })).code).toBe(0);
    await t.api('PUT', `/api/operators/${op.body.id}/state`, { state: 'available' });
    // QueueAdd over AMI is done when the state call returns; the app now goes away.
    await t.stop();

    const phone = answerOnce({ sipPort: ports.sip, mediaPort: ports.media });
    const [c, p] = await Promise.all([runCaller({ caller: randomPhone(), number: '88005553535', steps: [], talkMs: 4000 }), phone]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(p.code, p.stdout + p.stderr).toBe(0);

    // Back up: take the operator out of the fallback queue again so other tests are not affected.
    const again = await startTestApp();
    await waitFor('readyz', async () => (await fetch(`${again.base}/readyz`)).status === 200);
    await again.api('PUT', `/api/operators/${op.body.id}/state`, { state: 'offline' });
    await again.stop();
  });
});
