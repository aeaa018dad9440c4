import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/pbx/backoff.js';

describe('reconnect backoff', () => {
  it('doubles from 200 ms and stays under the cap forever', () => {
    const max = () => 1; // jitter at its top
    expect(backoffDelay(0, 5000, max)).toBe(200);
    expect(backoffDelay(1, 5000, max)).toBe(400);
    expect(backoffDelay(5, 5000, max)).toBe(5000);
    expect(backoffDelay(10_000, 5000, max)).toBe(5000);
  });

  it('jitters between half and the whole delay so reconnecting clients do not stampede', () => {
    expect(backoffDelay(3, 5000, () => 0)).toBe(800);
    expect(backoffDelay(3, 5000, () => 1)).toBe(1600);
  });
});
