// Extensions for internal calls: what an extension may be, the automatic pick, and the caller-ID
// name colleagues' phones show (operators/extension.ts); the colleague list's states (colleague.ts).
import { describe, expect, it } from 'vitest';
import { callerIdName, extensionProblem, lowestFreeExtension, RESERVED_EXTENSIONS } from '../../src/operators/extension.js';
import { colleagueState } from '../../src/operators/colleague.js';

describe('extensions', () => {
  it('are 3 or 4 digits not starting with 0', () => {
    for (const ok of ['200', '998', '1000', '9999', '2041']) expect(extensionProblem(ok)).toBeNull();
    for (const bad of ['', '12', '12345', '0123', '012', '1a3', '+123', '12 3', ' 123', '123\n', '1*3', '١٢٣']) expect(extensionProblem(bad)).toBe('format');
  });

  it('are never an emergency or service number', () => {
    for (const n of ['112', '911', '999', '101', '102', '103', '104']) expect(extensionProblem(n)).toBe('reserved');
    expect(RESERVED_EXTENSIONS.has('1120')).toBe(false);
  });

  it('are picked as the lowest free number from 1000', () => {
    expect(lowestFreeExtension([])).toBe('1000');
    expect(lowestFreeExtension(['1000', '1001', null, '1003', '200'])).toBe('1002');
    const all = Array.from({ length: 9000 }, (_, i) => String(1000 + i));
    expect(lowestFreeExtension(all)).toBeNull();
    expect(lowestFreeExtension(all.filter((x) => x !== '9999'))).toBe('9999');
  });

  it('show a name a SIP caller ID cannot be broken by', () => {
    expect(callerIdName('Анна Петрова')).toBe('Анна Петрова');
    expect(callerIdName('Evil" <9999>\\\r\nX-Header: 1')).toBe('Evil 9999X-Header: 1');
    expect(callerIdName('x'.repeat(100))).toHaveLength(60);
  });
});

describe("a colleague's state", () => {
  it('is busy on a call, in wrap-up or talking to a colleague, and offline whatever the phone does', () => {
    expect(colleagueState('available', false)).toBe('available');
    expect(colleagueState('available', true)).toBe('busy');
    expect(colleagueState('on_call', false)).toBe('busy');
    expect(colleagueState('wrap_up', false)).toBe('busy');
    expect(colleagueState('paused', false)).toBe('paused');
    expect(colleagueState('paused', true)).toBe('busy');
    expect(colleagueState('offline', true)).toBe('offline');
  });
});
