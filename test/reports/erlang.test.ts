// Erlang C and Erlang A against published worked examples. The expected numbers are the
// published ones, at the precision they were published with.
import { describe, expect, it } from 'vitest';
import { agentsNeededA, agentsNeededC, erlangA, erlangB, erlangC, meanWaitC, serviceLevelC } from '../../src/reports/erlang.js';

// Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls in
// 30 minutes, AHT 180 s, target 80% answered within 20 s, 30% shrinkage: 10 erlangs, the first
// try of 11 agents waits with probability 68.21%, 14 agents are needed (20 with shrinkage).
// The same example, computed by the R package ErlangC 0.1.0 (rdocumentation.org/packages/ErlangC,
// its README: erlang_c(100, 30 min, 180 s, 20 s, 14) and calculate_agents(...)) and by
// pyworkforce (pypi.org/project/pyworkforce, README: ErlangC(transactions=100, asa=20/60, aht=3,
// interval=30, shrinkage=0.3).required_positions(service_level=0.8)): wait probability
// 0.1741319, service level 0.88835, average speed of answer 7.83593701177724 s, occupancy
// 0.7142857 at 14 agents; wait probability 0.6821182 at 11.
const helper = { arrivalsPerSec: 100 / 1800, handleSec: 180 };
const target = { share: 0.8, withinSec: 20 };

describe('Erlang C', () => {
  it('reproduces the Call Centre Helper worked example', () => {
    expect(helper.arrivalsPerSec * helper.handleSec).toBeCloseTo(10, 12);
    expect(erlangC(11, 10)).toBeCloseTo(0.6821182, 7);
    expect(erlangC(14, 10)).toBeCloseTo(0.1741319, 7);
    expect(serviceLevelC(14, helper, 20)).toBeCloseTo(0.88835, 5);
    expect(meanWaitC(14, helper)).toBeCloseTo(7.83593701177724, 10);
    expect(10 / 14).toBeCloseTo(0.7142857, 7);
    expect(agentsNeededC(helper, target)).toBe(14);
    // pyworkforce's "positions" with 30% shrinkage: ceil(14 / 0.7).
    expect(Math.ceil(agentsNeededC(helper, target) / (1 - 0.3))).toBe(20);
  });

  it('stays finite and exact for hundreds of agents (no factorial overflow)', () => {
    // 171! is already Infinity in a double; the recurrence does not care.
    const b = erlangB(600, 550);
    expect(Number.isFinite(b)).toBe(true);
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThan(1);
    const big = { arrivalsPerSec: 10, handleSec: 60 }; // 600 erlangs
    const n = agentsNeededC(big, target);
    expect(n).toBeGreaterThan(600);
    expect(n).toBeLessThan(650);
    expect(serviceLevelC(n, big, 20)).toBeGreaterThanOrEqual(0.8);
    expect(serviceLevelC(n - 1, big, 20)).toBeLessThan(0.8);
  });

  it('needs no agents without calls, and answers nobody in time with fewer agents than erlangs', () => {
    expect(agentsNeededC({ arrivalsPerSec: 0, handleSec: 180 }, target)).toBe(0);
    expect(erlangC(10, 10)).toBe(1);
    expect(serviceLevelC(9, helper, 20)).toBe(0);
    expect(() => agentsNeededC(helper, { share: 1, withinSec: 20 })).toThrow(RangeError);
  });
});

// Erlang A: pyworkforce's ErlangA (pyworkforce.rodrigo-arenas.com, guide "Erlang A
// (abandonment)", and its test suite pyworkforce/queuing/tests/test_abandonment.py): the same
// 100 calls per 30 min, AHT 3 min, target 20 s, mean patience 5 min. Published for 14 agents:
// wait probability 0.14526, abandonment 0.013984, occupancy 0.704297, average speed of answer
// 0.069919 min, service level 0.916792; and the staffing for 80% (max occupancy 0.85, max
// abandonment 5%): 13 agents, service level 0.858…, occupancy 0.750…, abandonment 0.025…,
// wait probability 0.226…, average speed of answer 0.125… min.
describe('Erlang A', () => {
  const patient = { ...helper, patienceSec: 300 };

  it('reproduces the published pyworkforce figures', () => {
    const r14 = erlangA(14, patient, 20);
    expect(r14.waitProbability).toBeCloseTo(0.14526, 5);
    expect(r14.abandonProbability).toBeCloseTo(0.013984, 6);
    expect(r14.occupancy).toBeCloseTo(0.704297, 6);
    expect(r14.meanWaitSec / 60).toBeCloseTo(0.069919, 6);
    expect(r14.serviceLevel).toBeCloseTo(0.916792, 6);
    // Published rounded to three decimals ("0.858…").
    const r13 = erlangA(13, patient, 20);
    expect(r13.serviceLevel).toBeCloseTo(0.858, 3);
    expect(r13.occupancy).toBeCloseTo(0.75, 3);
    expect(r13.abandonProbability).toBeCloseTo(0.025, 3);
    expect(r13.waitProbability).toBeCloseTo(0.226, 3);
    expect(r13.meanWaitSec / 60).toBeCloseTo(0.125, 3);
    // 12 agents stay under 80% (occupancy and abandonment are within the example's limits there).
    expect(agentsNeededA(patient, target)).toBe(13);
  });

  it('tends to Erlang C as callers become endlessly patient', () => {
    const r = erlangA(14, { ...helper, patienceSec: 1e9 }, 20);
    expect(r.waitProbability).toBeCloseTo(erlangC(14, 10), 5);
    expect(r.serviceLevel).toBeCloseTo(serviceLevelC(14, helper, 20), 4);
    expect(r.meanWaitSec).toBeCloseTo(meanWaitC(14, helper), 2);
  });

  it('sizes an overloaded line (more erlangs than Erlang C can take) and hundreds of agents', () => {
    const heavy = { arrivalsPerSec: 5, handleSec: 60, patienceSec: 60 }; // 300 erlangs
    const n = agentsNeededA(heavy, target);
    expect(n).toBeGreaterThan(200);
    expect(n).toBeLessThanOrEqual(agentsNeededC(heavy, target));
    expect(erlangA(n, heavy, 20).serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(erlangA(n - 1, heavy, 20).serviceLevel).toBeLessThan(0.8);
  });
});
