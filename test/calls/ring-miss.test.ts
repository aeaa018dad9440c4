// Whose a missed ring is (src/calls/ring-miss.ts): the operator's (paused as missed) when their
// phone rang out or they declined; not when the phone was never reached, nor while the service
// sheds load (then every ring is late, and a pause would take the operator from the dialplan's
// fallback queue too).
import { describe, expect, it } from 'vitest';
import { isOperatorsMiss } from '../../src/calls/ring-miss.js';

const cause = (code: number) => ({ code, text: '' });

describe('a missed ring', () => {
  it('is the operator’s when the phone rang out, was declined or refused the call, or no reason was given', () => {
    // 38 (SIP 500), 34 (503), 58 (488): a phone can send those itself, so they are no way out of a pause.
    for (const c of [cause(19), cause(17), cause(21), cause(16), cause(38), cause(34), cause(58), cause(0), undefined]) expect(isOperatorsMiss({ cause: c, shedding: false })).toBe(true);
  });

  it('is not when the phone never answered the INVITE or is not registered', () => {
    for (const code of [18, 20]) expect(isOperatorsMiss({ cause: cause(code), shedding: false })).toBe(false);
  });

  it('is nobody’s while the service sheds load, whatever the cause', () => {
    for (const c of [cause(19), cause(17), undefined]) expect(isOperatorsMiss({ cause: c, shedding: true })).toBe(false);
  });
});
