// The dialplan's safety net: with the Stasis app not connected, Stasis() fails and the
// caller goes to Asterisk's own fallback menu and the chosen line's queue, whose members the service keeps in step
// over AMI. The caller reaches an operator instead of silence.
import { describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, waitFor } from '../support/app.js';

describe('calls while the service is down', () => {
  it('go to the fallback queue and ring an operator the service had made available', async () => {
    const t = await startTestApp();
    await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
    await clearLine(t.api, 'first');
    const op = await operatorWithPhone(t.api, 'first');
    // QueueAdd over AMI is done when the state call returns; the app now goes away.
    await t.stop();

    const phone = op.phone;
    const [c, p] = await Promise.all([runCaller({ caller: randomPhone(), number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 4000 }), phone]);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(p.code, p.stdout + p.stderr).toBe(0);

    // Back up: take the operator out of the fallback queue again so other tests are not affected.
    const again = await startTestApp();
    await waitFor('readyz', async () => (await fetch(`${again.base}/readyz`)).status === 200);
    await again.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    await again.stop();
  });
});
