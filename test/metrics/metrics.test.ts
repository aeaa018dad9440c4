// The per-line gauges follow the configured lines: every line has its series (0 when nobody
// waits), a third line included, and a line nobody is configured for or waits on drops out.
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';

describe('metrics per configured line', () => {
  it('has a waiting series for every configured line and for any line a caller still waits on', async () => {
    let lines = ['first', 'second', 'third'];
    let waiting = [{ line: 'second', count: 2, longestMs: 4000 }];
    const m = new Metrics({
      calls: () => ({ calls: [], waiting }),
      lines: () => lines,
      operators: async () => [],
      connections: () => ({ ari: true, ami: true, ariReconnects: 0, amiReconnects: 0 }),
      queues: async () => ({}),
    });
    const text = await m.registry.metrics();
    expect(text).toMatch(/pbxdesk_callers_waiting\{line="first"\} 0/);
    expect(text).toMatch(/pbxdesk_callers_waiting\{line="second"\} 2/);
    expect(text).toMatch(/pbxdesk_callers_waiting\{line="third"\} 0/);
    expect(text).toMatch(/pbxdesk_longest_wait_seconds\{line="second"\} 4/);
    // The admin API removed the third line while a caller of a line removed earlier still waits.
    lines = ['first', 'second'];
    waiting = [{ line: 'billing', count: 1, longestMs: 1000 }];
    const after = await m.registry.metrics();
    expect(after).not.toMatch(/line="third"/);
    expect(after).toMatch(/pbxdesk_callers_waiting\{line="billing"\} 1/);
    expect(after).toMatch(/pbxdesk_callers_waiting\{line="second"\} 0/);
  });
});
