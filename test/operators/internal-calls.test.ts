// Calls between colleagues as the service hears of them (AMI UserEvents from extensions.conf
// [pbxdesk-internal]): who is busy for the ACD, what listeners are told, and how a missed end
// (a reconnect, or a very old call) does not bench an operator for good.
import { describe, expect, it } from 'vitest';
import { InternalCalls } from '../../src/operators/internal-calls.js';

describe('internal calls', () => {
  it('marks both operators busy from start to end, and tells who changed', () => {
    const ic = new InternalCalls();
    const told: [string[], boolean][] = [];
    ic.onChange((eps, busy) => told.push([eps, busy]));
    ic.apply({ kind: 'started', id: 'c1', caller: 'op-anna', callee: 'op-boris' });
    expect(ic.busy('op-anna')).toBe(true);
    expect(ic.busy('op-boris')).toBe(true);
    expect(ic.busy('op-vera')).toBe(false);
    ic.apply({ kind: 'started', id: 'c1', caller: 'op-anna', callee: 'op-boris' }); // repeated: counted once
    ic.apply({ kind: 'ended', id: 'c1', caller: 'op-anna', callee: 'op-boris' });
    expect(ic.busy('op-anna')).toBe(false);
    expect(ic.busy('op-boris')).toBe(false);
    expect(told).toEqual([
      [['op-anna', 'op-boris'], true],
      [['op-anna', 'op-boris'], false],
    ]);
    ic.apply({ kind: 'ended', id: 'c1', caller: 'op-anna', callee: 'op-boris' }); // unknown now: ignored
    expect(told).toHaveLength(2);
  });

  it('keeps an operator in two calls busy until both end, and ignores endpoints that are not operators', () => {
    const ic = new InternalCalls();
    ic.apply({ kind: 'started', id: 'a', caller: 'op-anna', callee: 'op-boris' });
    ic.apply({ kind: 'started', id: 'b', caller: 'op-vera', callee: 'op-anna' });
    ic.apply({ kind: 'ended', id: 'a', caller: '', callee: '' });
    expect(ic.busy('op-anna')).toBe(true);
    expect(ic.busy('op-boris')).toBe(false);
    ic.apply({ kind: 'started', id: 'c', caller: 'trunk', callee: 'op-gleb' });
    expect(ic.busy('trunk')).toBe(false);
    expect(ic.busy('op-gleb')).toBe(true);
  });

  it('forgets everything at an AMI reconnect, and a call whose end was never heard after hours', () => {
    let now = 0;
    const ic = new InternalCalls(() => now);
    ic.apply({ kind: 'started', id: 'a', caller: 'op-anna', callee: 'op-boris' });
    ic.apply({ kind: 'reset' });
    expect(ic.busy('op-anna')).toBe(false);
    ic.apply({ kind: 'started', id: 'b', caller: 'op-anna', callee: 'op-boris' });
    now = 3 * 3600_000;
    expect(ic.busy('op-anna')).toBe(true);
    now = 5 * 3600_000;
    expect(ic.busy('op-anna')).toBe(false);
  });

  it('drops a start heard after its own end', () => {
    let now = 0;
    const ic = new InternalCalls(() => now);
    ic.apply({ kind: 'ended', id: 'fallback-1', caller: '', callee: '' });
    ic.apply({ kind: 'started', id: 'fallback-1', caller: 'op-anna', callee: '' });
    expect(ic.busy('op-anna')).toBe(false);
    // Remembered for a minute only: ids are the caller channel's unique id, never reused.
    now = 3 * 60_000;
    ic.apply({ kind: 'ended', id: 'other', caller: '', callee: '' });
    ic.apply({ kind: 'started', id: 'fallback-1', caller: 'op-anna', callee: '' });
    expect(ic.busy('op-anna')).toBe(true);
  });
});
