import { describe, expect, it } from 'vitest';
import { firstDue, mayHandleCallback, nextAttemptAt } from '../../src/callbacks/callback-rules.js';

describe('timing', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  it('is due at once, or at notBefore, and refuses an empty window', () => {
    expect(firstDue(now, null, null)).toEqual({ due: now });
    const later = new Date('2026-11-22T12:00:00Z');
    expect(firstDue(now, later, null)).toEqual({ due: later });
    expect(firstDue(now, later, later)).toHaveProperty('error');
  });
  it('retries until the attempts or the window run out', () => {
    expect(nextAttemptAt({ attempts: 1, max_attempts: 3, not_after: null }, now, 300)).toEqual(new Date('2026-11-22T10:05:00Z'));
    expect(nextAttemptAt({ attempts: 3, max_attempts: 3, not_after: null }, now, 300)).toBeNull();
    expect(nextAttemptAt({ attempts: 1, max_attempts: 3, not_after: new Date('2026-11-22T10:04:00Z') }, now, 300)).toBeNull();
  });
});

describe('who may read and cancel a callback', () => {
  const cb = { line: 'second', requested_by: 'token:7' };
  it('admins, supervisors, operators of its line and its booker', () => {
    expect(mayHandleCallback({ role: 'admin', line: null, label: 'token:1' }, cb)).toBe(true);
    expect(mayHandleCallback({ role: 'supervisor', line: 'first', label: 'operator:2' }, cb)).toBe(true);
    expect(mayHandleCallback({ role: 'operator', line: 'second', label: 'operator:3' }, cb)).toBe(true);
    expect(mayHandleCallback({ role: 'panel', line: null, label: 'token:7' }, cb)).toBe(true);
  });
  it('not an operator of the other line, nor another panel token', () => {
    expect(mayHandleCallback({ role: 'operator', line: 'first', label: 'operator:4' }, cb)).toBe(false);
    expect(mayHandleCallback({ role: 'panel', line: null, label: 'token:8' }, cb)).toBe(false);
  });
  it('an operator serving its line besides their home line, not one serving others only', () => {
    expect(mayHandleCallback({ role: 'operator', line: 'first', lines: ['first', 'second'], label: 'operator:5' }, cb)).toBe(true);
    expect(mayHandleCallback({ role: 'operator', line: 'first', lines: ['first', 'third'], label: 'operator:6' }, cb)).toBe(false);
    expect(mayHandleCallback({ role: 'operator', line: 'first', lines: ['first', 'third'], label: 'operator:6' }, { line: 'third', requested_by: 'token:7' })).toBe(true);
  });
});
