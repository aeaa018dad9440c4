// The call core while the service sheds (overload-guard.ts), through the fake PbxPort. While it
// sheds, the dialplan's PBXDESK_SHED global keeps new callers out of the app; one who reaches it
// anyway is handed back to the fallback, and shows that Asterisk lost the switch (a `dialplan
// reload` resets [globals]): it is set again. The end-to-end path is test/calls/overload-shed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone } from '../support/app.js';
import { startCoreApp, until, type CoreApp } from '../support/call-core.js';

let c: CoreApp;
beforeAll(async () => {
  // Any event-loop lag is overload: the guard sheds at its first looks (5 s after the start) and never recovers.
  c = await startCoreApp({ env: { SHED_LAG_MS: '1', SHED_RECOVER_SEC: '3600' } });
});
afterAll(async () => c?.stop());

describe('the call core while shedding', () => {
  it('hands a caller who reached the app to the dialplan fallback, and sets the lost shed switch again', async () => {
    await until('shedding', () => c.pbx.argsOf('setShedding').some((a) => a[0] === true), 20_000);
    const before = c.pbx.argsOf('setShedding').length;
    const ch = c.pbx.inbound(randomPhone());
    await until('the caller handed back', () => c.pbx.argsOf('continueToFallback').some((a) => a[0] === ch));
    expect(c.pbx.argsOf('setShedding').slice(before)).toEqual([[true]]);
    expect(c.pbx.trace(ch)).toEqual(['continueToFallback']); // never answered here, no call of ours
    expect(c.t.app.calls.liveSessions().size).toBe(0);
    c.pbx.gone(ch);
  });
});
