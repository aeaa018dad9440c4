// The load benchmark's 30-second smoke run (npm run bench:load is the full one): one step of
// callers at 2 calls/s through pbxdesk and through the plain-dialplan baseline, SIPp operators
// answering; it checks the bench still measures what it reports, not capacity.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBench } from '../../bench/load.bench.js';
import { cancelOpenCallbacks } from '../support/app.js';
import { db } from '../support/recordings.js';

beforeAll(async () => {
  // Operators other tests left available have no phones: the bench's callers must not go to them.
  await db.updateTable('operators').set({ state: 'offline' }).where('state', '!=', 'offline').execute();
  await cancelOpenCallbacks();
});

describe('the load benchmark (smoke)', () => {
  it('runs callers through pbxdesk and the baseline and reports every measure', async () => {
    const r = await loadBench({ startCps: 2, stepCps: 2, maxCps: 2, stepSec: 6, talkSec: 3, operators: 8 });
    const ours = r.pbxdesk.steps[0]!;
    expect(ours.calls).toBeGreaterThanOrEqual(10);
    expect(ours.failedPct, JSON.stringify(r.pbxdesk)).toBeLessThanOrEqual(1);
    expect(r.baseline?.steps[0]?.failedPct, JSON.stringify(r.baseline)).toBeLessThanOrEqual(1);
    expect(ours.maxConcurrent).toBeGreaterThan(0);
    expect(r.latencyMs.dtmfToNextPrompt.p99).not.toBeNull();
    expect(r.latencyMs.queueToRing.p99).not.toBeNull();
    expect(r.latencyMs.stasisStartToCallRow.p50).not.toBeNull();
    expect(r.service.cpuPctAt100Concurrent).not.toBeNull();
    expect(r.recordings.answered).toBe(ours.succeeded);
    expect(r.recordings.lost, JSON.stringify(r.recordings)).toBe(0);
  });
});
