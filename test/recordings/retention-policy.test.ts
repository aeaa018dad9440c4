// RECORDING_RETENTION_DAYS: one number for every line, or with lines of their own, any line id
// (a third line, or one the configuration has since lost, keeps its own days).
import { describe, expect, it } from 'vitest';
import { parseRetentionDays, retentionOf } from '../../src/recordings/retention-policy.js';

describe('recording retention per line', () => {
  it('reads one number for every line, and lines of their own beside it', () => {
    expect(parseRetentionDays('365')).toEqual({ default: 365, byLine: {} });
    const p = parseRetentionDays(' 365 , third=730, vip-en=1825 ');
    expect(p).toEqual({ default: 365, byLine: { third: 730, 'vip-en': 1825 } });
    expect([retentionOf(p, 'first'), retentionOf(p, 'third'), retentionOf(p, 'vip-en'), retentionOf(p, null)]).toEqual([365, 730, 1825, 365]);
  });

  it('refuses what is no number of days, no line id, or leaves every other line without days', () => {
    for (const bad of ['', '0', '36501', '365d', 'third=730', '365,Third=1', '365,third=', '365,=30', '365,th ird=3']) expect(() => parseRetentionDays(bad), bad).toThrow();
  });
});
