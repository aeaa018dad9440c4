import { describe, expect, it } from 'vitest';
import { headStartSec } from '../../src/queues/priority.js';

const rule = { verifiedAheadSec: 300, highAheadSec: 600, criticalAheadSec: 1800 };

describe('queue priority as a head start', () => {
  it('gives verified callers and high/critical tickets their head start; the largest wins, they do not add up', () => {
    expect(headStartSec({ verified: false, ticketPriority: null }, rule)).toBe(0);
    expect(headStartSec({ verified: false, ticketPriority: 'normal' }, rule)).toBe(0);
    expect(headStartSec({ verified: true, ticketPriority: null }, rule)).toBe(300);
    expect(headStartSec({ verified: false, ticketPriority: 'high' }, rule)).toBe(600);
    expect(headStartSec({ verified: true, ticketPriority: 'high' }, rule)).toBe(600);
    expect(headStartSec({ verified: true, ticketPriority: 'critical' }, rule)).toBe(1800);
  });
  it('is configurable down to nothing', () => {
    expect(headStartSec({ verified: true, ticketPriority: 'critical' }, { verifiedAheadSec: 0, highAheadSec: 0, criticalAheadSec: 0 })).toBe(0);
  });
});
