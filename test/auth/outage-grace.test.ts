// Credentials Postgres confirmed lately get in while it is away, never otherwise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutageGrace } from '../../src/auth/outage-grace.js';

const away = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const wrong = Object.assign(new Error('permission denied'), { code: '42501' });

describe('the outage grace', () => {
  afterEach(() => vi.useRealTimers());

  it('lets in what Postgres confirmed within the grace, only while Postgres is away', () => {
    vi.useFakeTimers();
    const g = new OutageGrace<string>(60_000);
    g.confirmed('a', 'admin');
    expect(g.orThrow('a', away)).toBe('admin');
    expect(() => g.orThrow('a', wrong)).toThrow(wrong); // any other failure is not an outage
    expect(() => g.orThrow('b', away)).toThrow(away); // never confirmed
    vi.advanceTimersByTime(60_001);
    expect(() => g.orThrow('a', away)).toThrow(away); // confirmed too long ago
  });

  it('forgets a credential Postgres refused, and keeps at most its bound', () => {
    const g = new OutageGrace<number>(60_000, 2);
    g.confirmed('a', 1);
    g.refused('a');
    expect(() => g.orThrow('a', away)).toThrow(away);
    g.confirmed('x', 1);
    g.confirmed('y', 2);
    g.confirmed('x', 3); // confirmed again: now the newest
    g.confirmed('z', 4); // over the bound: the oldest (y) goes
    expect(() => g.orThrow('y', away)).toThrow(away);
    expect([g.orThrow('x', away), g.orThrow('z', away)]).toEqual([3, 4]);
  });

  it('forgets every credential of one holder at once (a password reset ends all their sessions)', () => {
    const g = new OutageGrace<{ operator: string }>(60_000);
    g.confirmed('s1', { operator: 'anna' });
    g.confirmed('s2', { operator: 'anna' });
    g.confirmed('s3', { operator: 'boris' });
    g.forgetWhere((v) => v.operator === 'anna');
    expect(() => g.orThrow('s1', away)).toThrow(away);
    expect(() => g.orThrow('s2', away)).toThrow(away);
    expect(g.orThrow('s3', away)).toEqual({ operator: 'boris' });
  });

  it('keeps nothing with a grace of 0', () => {
    const g = new OutageGrace<string>(0);
    g.confirmed('a', 'admin');
    expect(() => g.orThrow('a', away)).toThrow(away);
  });
});
