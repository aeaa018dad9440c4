import { describe, expect, it } from 'vitest';
import { firstDue, nextAttemptAt, normaliseNumber, refusalReason } from '../../src/callbacks/callback-rules.js';

const rules = { allowedNumbers: [/^[78][0-9]{10}$/], deniedPrefixes: ['7809', '8809', '810', '00'] };

describe('toll-fraud guard', () => {
  it('allows national numbers', () => {
    expect(refusalReason('79991234567', rules)).toBeUndefined();
    expect(refusalReason(normaliseNumber('+7 (999) 123-45-67'), rules)).toBeUndefined();
  });
  it('refuses premium-rate and international numbers even when a pattern would allow them', () => {
    expect(refusalReason('78091234567', rules)).toMatch(/7809/);
    expect(refusalReason('88091234567', rules)).toMatch(/8809/);
    expect(refusalReason(normaliseNumber('+44 20 7946 0958'), rules)).toMatch(/numbering plan/);
    expect(refusalReason('00442079460958', rules)).toMatch(/00/);
    expect(refusalReason('810442079460958', rules)).toMatch(/810/);
    expect(refusalReason('78091234567', { ...rules, allowedNumbers: [/.*/] })).toMatch(/premium/);
  });
  it('refuses what is not a number or outside the plan', () => {
    expect(refusalReason('12', rules)).toMatch(/not a phone number/);
    expect(refusalReason('1234567', rules)).toMatch(/numbering plan/);
  });
});

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
