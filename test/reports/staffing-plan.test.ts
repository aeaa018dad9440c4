import { describe, expect, it } from 'vitest';
import { agentsNeededA, agentsNeededC } from '../../src/reports/erlang.js';
import { MIN_ABANDONED_FOR_PATIENCE, MIN_SLOT_HANDLED, parseServiceTargets, planLine, targetOf } from '../../src/reports/staffing-plan.js';

const target = { share: 0.8, withinSec: 20 };
const quiet = { handled: 0, handleSecSum: 0, waited: 0, waitSecSum: 0, abandoned: 0 };

describe('staffing plan', () => {
  it('forecasts the mean per week and sizes each hour with Erlang C', () => {
    // Four Mondays 10:00-11:00 with 200 calls each (800 in all) of 180 s: the Call Centre
    // Helper load (10 erlangs) → 14 operators.
    const plan = planLine('first', target, 'Europe/Moscow', 4, { ...quiet, handled: 800, handleSecSum: 800 * 180 }, [
      { weekday: 1, hour: 10, calls: 800, handled: 800, handleSecSum: 800 * 180, operatorSec: 4 * 3600 * 12.5 },
    ]);
    expect(plan.slots).toHaveLength(168);
    const mon10 = plan.slots.find((s) => s.weekday === 1 && s.hour === 10)!;
    expect(mon10).toEqual({ weekday: 1, hour: 10, forecastCalls: 200, handleSec: 180, neededErlangC: 14, neededErlangA: null, loggedIn: 12.5 });
    const tue10 = plan.slots.find((s) => s.weekday === 2 && s.hour === 10)!;
    expect(tue10).toMatchObject({ forecastCalls: 0, neededErlangC: 0, loggedIn: 0 });
    expect(plan.patienceSec).toBeNull();
  });

  it("plans a slot with few handled calls with the line's handle time, and none without any", () => {
    const few = { weekday: 3, hour: 9, calls: 8, handled: MIN_SLOT_HANDLED - 1, handleSecSum: (MIN_SLOT_HANDLED - 1) * 1000, operatorSec: 0 };
    const plan = planLine('second', target, 'UTC', 2, { ...quiet, handled: 100, handleSecSum: 100 * 300 }, [few]);
    const s = plan.slots.find((x) => x.weekday === 3 && x.hour === 9)!;
    expect(s.handleSec).toBe(300);
    expect(s.forecastCalls).toBe(4);
    expect(s.neededErlangC).toBe(agentsNeededC({ arrivalsPerSec: 4 / 3600, handleSec: 300 }, target));
    const none = planLine('second', target, 'UTC', 2, quiet, [{ ...few, handled: 0, handleSecSum: 0 }]);
    expect(none.slots.find((x) => x.weekday === 3 && x.hour === 9)).toMatchObject({ handleSec: null, neededErlangC: null });
  });

  it('adds Erlang A once enough callers hung up to estimate their patience', () => {
    const totals = { handled: 800, handleSecSum: 800 * 180, waited: 1000, waitSecSum: MIN_ABANDONED_FOR_PATIENCE * 300, abandoned: MIN_ABANDONED_FOR_PATIENCE };
    const plan = planLine('first', target, 'UTC', 4, totals, [{ weekday: 5, hour: 14, calls: 800, handled: 800, handleSecSum: 800 * 180, operatorSec: 0 }]);
    expect(plan.patienceSec).toBe(300);
    const s = plan.slots.find((x) => x.weekday === 5 && x.hour === 14)!;
    expect(s.neededErlangA).toBe(agentsNeededA({ arrivalsPerSec: 200 / 3600, handleSec: 180, patienceSec: 300 }, target));
    expect(s.neededErlangA).toBeLessThanOrEqual(s.neededErlangC!);
    const fewer = planLine('first', target, 'UTC', 4, { ...totals, abandoned: MIN_ABANDONED_FOR_PATIENCE - 1 }, []);
    expect(fewer.patienceSec).toBeNull();
  });

  it('reads the service-level setting for every line or per line, any line id (a third line too)', () => {
    const t8020 = { share: 0.8, withinSec: 20 };
    expect(parseServiceTargets('80/20')).toEqual({ all: t8020, byLine: {} });
    expect(parseServiceTargets('second=90/60')).toEqual({ all: t8020, byLine: { second: { share: 0.9, withinSec: 60 } } });
    expect(parseServiceTargets(' first = 85/15 , second=70/120')).toEqual({ all: t8020, byLine: { first: { share: 0.85, withinSec: 15 }, second: { share: 0.7, withinSec: 120 } } });
    const mixed = parseServiceTargets('90/30,third=95/10');
    expect([targetOf(mixed, 'first'), targetOf(mixed, 'second'), targetOf(mixed, 'third')]).toEqual([{ share: 0.9, withinSec: 30 }, { share: 0.9, withinSec: 30 }, { share: 0.95, withinSec: 10 }]);
    expect(targetOf(parseServiceTargets('third=95/10'), 'vip-en')).toEqual(t8020);
    for (const bad of ['100/20', '0/20', '80', 'Third=80/20', '80/20s', 'first=', '80/20,', 'a b=80/20']) expect(() => parseServiceTargets(bad), bad).toThrow();
  });
});
