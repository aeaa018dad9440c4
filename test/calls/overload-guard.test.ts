// When the service sheds new callers to the dialplan, and when it takes them back: any signal
// over its bound switches shedding on at once; all of them under half their bound for the
// recovery time switch it off (no flapping around the bound).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OverloadGuard } from '../../src/calls/overload-guard.js';

function rig() {
  const sig = { lag: 10, backlog: 0, unanswered: 0 };
  const switched: boolean[] = [];
  const guard = new OverloadGuard(
    { lagMs: () => sig.lag, backlogMs: () => sig.backlog, unanswered: () => sig.unanswered },
    { setShedding: async (on) => void switched.push(on) },
    { lagMs: 300, backlogMs: 5000, unanswered: 60, recoverSec: 15 },
    pino({ level: 'silent' }),
  );
  return { sig, switched, guard };
}

describe('overload guard', () => {
  it('sheds when one signal is over its bound two looks in a row, not for a single blip', () => {
    for (const over of [{ lag: 301 }, { backlog: 5001 }, { unanswered: 61 }]) {
      const { sig, switched, guard } = rig();
      guard.sample(0);
      Object.assign(sig, over);
      guard.sample(500);
      expect(guard.shedding).toBe(false);
      guard.sample(1000);
      expect(guard.shedding).toBe(true);
      expect(switched).toEqual([true]);
    }
    const { sig, guard } = rig();
    sig.lag = 400;
    guard.sample(0);
    sig.lag = 10;
    guard.sample(500);
    sig.lag = 400;
    guard.sample(1000);
    expect(guard.shedding).toBe(false);
  });

  it('takes callers back only after every signal stayed under half its bound for the recovery time', () => {
    const { sig, switched, guard } = rig();
    sig.lag = 400;
    guard.sample(0);
    guard.sample(500);
    sig.lag = 200; // under the bound but over half of it: still shedding
    guard.sample(1000);
    guard.sample(30_000);
    expect(guard.shedding).toBe(true);
    sig.lag = 100;
    guard.sample(31_000);
    sig.unanswered = 40; // a relapse restarts the recovery time
    guard.sample(40_000);
    sig.unanswered = 0;
    guard.sample(41_000);
    guard.sample(55_000);
    expect(guard.shedding).toBe(true);
    guard.sample(56_000);
    expect(guard.shedding).toBe(false);
    expect(switched).toEqual([true, false]);
    expect(guard.sheds).toBe(1);
  });

  it('watches no signal whose bound is 0', () => {
    const sig = { lag: 1e6 };
    const guard = new OverloadGuard({ lagMs: () => sig.lag, backlogMs: () => 0, unanswered: () => 0 }, { setShedding: async () => undefined }, { lagMs: 0, backlogMs: 0, unanswered: 0, recoverSec: 1 }, pino({ level: 'silent' }));
    guard.sample(0);
    expect(guard.shedding).toBe(false);
  });
  it('sets the switch again for a caller who reaches the app while it sheds, at most every 5 s', () => {
    const { sig, switched, guard } = rig();
    guard.callerWhileShedding(100_000);
    expect(switched).toEqual([]); // not shedding: nothing to set again
    sig.lag = 400;
    guard.sample(0);
    guard.sample(500);
    expect(switched).toEqual([true]);
    guard.callerWhileShedding(100_000); // a dialplan reload reset [globals]: set it again
    guard.callerWhileShedding(101_000);
    guard.callerWhileShedding(104_999);
    expect(switched).toEqual([true, true]);
    guard.callerWhileShedding(105_000);
    expect(switched).toEqual([true, true, true]);
  });
});
