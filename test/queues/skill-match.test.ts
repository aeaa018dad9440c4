import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchCallers, waitView, widened, type FreeOperator, type MatchInput, type WaitingCaller } from '../../src/queues/skill-match.js';
import { meets, type Skills } from '../../src/queues/skills.js';

// A fake clock: every time is ms on it, `now` is passed in.
const T0 = 1_000_000;
const sec = (s: number) => T0 + s * 1000;
const caller = (id: string, requires: Skills = {}, waitingSince = T0): WaitingCaller => ({ id, requires, waitingSince });
const op = (id: string, skills: Skills = {}, idleSince = T0): FreeOperator => ({ id, skills, idleSince });
const pairs = (input: MatchInput) => matchCallers(input).pairs.map((p) => `${p.callerId}→${p.operatorId}`);

describe('skill matching', () => {
  it('without skills: the head caller takes the operator idle longest, in order', () => {
    const input = { waiting: [caller('a'), caller('b')], free: [op('x', {}, sec(-50)), op('y', {}, sec(-90)), op('z', {}, sec(-10))], widenAfterSec: 30, now: sec(1) };
    expect(pairs(input)).toEqual(['a→y', 'b→x']);
  });

  it('without skills and equal idle times: the order the operators were given in', () => {
    expect(pairs({ waiting: [caller('a')], free: [op('x'), op('y')], widenAfterSec: 30, now: sec(1) })).toEqual(['a→x']);
  });

  it('an English caller goes to the en operator although a Russian-only one has been idle longer', () => {
    const input = { waiting: [caller('en-caller', { en: 1 })], free: [op('ru', { ru: 5 }, sec(-300)), op('en', { en: 2 }, sec(-5))], widenAfterSec: 5, now: sec(1) };
    expect(matchCallers(input).pairs).toEqual([{ callerId: 'en-caller', operatorId: 'en', by: 'skills' }]);
  });

  it('prefers the best level, then the longest idle', () => {
    const free = [op('en2-old', { en: 2 }, sec(-100)), op('en4', { en: 4 }, sec(-1)), op('en4-old', { en: 4 }, sec(-50))];
    expect(pairs({ waiting: [caller('c', { en: 2 })], free, widenAfterSec: 30, now: sec(1) })).toEqual(['c→en4-old']);
  });

  it('a level below the one asked does not count until the wait widens', () => {
    const input = { waiting: [caller('c', { billing: 3 }, sec(0))], free: [op('b2', { billing: 2 })], widenAfterSec: 30 };
    expect(pairs({ ...input, now: sec(29.999) })).toEqual([]);
    expect(matchCallers({ ...input, now: sec(30) }).pairs).toEqual([{ callerId: 'c', operatorId: 'b2', by: 'widened' }]);
  });

  it('needs every skill asked: one of two is not enough before widening', () => {
    const free = [op('en', { en: 5 }), op('both', { en: 1, billing: 1 })];
    expect(pairs({ waiting: [caller('c', { en: 1, billing: 1 })], free, widenAfterSec: 30, now: sec(1) })).toEqual(['c→both']);
    expect(pairs({ waiting: [caller('c', { en: 1, billing: 1 })], free: [op('en', { en: 5 })], widenAfterSec: 30, now: sec(1) })).toEqual([]);
  });

  it('widening: after widenAfterSec the caller goes to anyone, still the nearest to skilled first', () => {
    const free = [op('none', {}, sec(-100)), op('en-only', { en: 3 }, sec(-1))];
    const c = caller('c', { en: 1, billing: 2 }, sec(0));
    expect(pairs({ waiting: [c], free, widenAfterSec: 5, now: sec(4) })).toEqual([]);
    expect(pairs({ waiting: [c], free, widenAfterSec: 5, now: sec(5) })).toEqual(['c→en-only']);
    // Nobody nearer: then the one idle longest.
    expect(pairs({ waiting: [c], free: [op('p', {}, sec(-1)), op('q', { ru: 4 }, sec(-9))], widenAfterSec: 5, now: sec(6) })).toEqual(['c→q']);
  });

  it('tells when the next narrowed caller widens, so the ACD looks again without another trigger', () => {
    const waiting = [caller('a', { en: 1 }, sec(0)), caller('b', { en: 1 }, sec(2)), caller('plain', {}, sec(3))];
    const r = matchCallers({ waiting, free: [op('ru', { ru: 1 })], widenAfterSec: 5, now: sec(3) });
    expect(r.pairs.map((p) => p.callerId)).toEqual(['plain']);
    expect(r.nextWidenAt).toBe(sec(5));
    // Nothing narrowed is left once both waited long enough.
    expect(matchCallers({ waiting, free: [], widenAfterSec: 5, now: sec(7) }).nextWidenAt).toBeNull();
    // With nobody free, the next widening is still told.
    expect(matchCallers({ waiting, free: [], widenAfterSec: 5, now: sec(6) }).nextWidenAt).toBe(sec(7));
  });

  it('no head-of-line blocking: an en caller waiting for an en operator lets the Russian caller behind have the Russian operator', () => {
    const waiting = [caller('en-caller', { en: 1 }, sec(0)), caller('ru-caller', { ru: 1 }, sec(1))];
    expect(pairs({ waiting, free: [op('ru-op', { ru: 3 })], widenAfterSec: 30, now: sec(2) })).toEqual(['ru-caller→ru-op']);
    // A plain caller behind them too.
    expect(pairs({ waiting: [caller('en-caller', { en: 1 }), caller('plain')], free: [op('ru-op', { ru: 3 })], widenAfterSec: 30, now: sec(2) })).toEqual(['plain→ru-op']);
  });

  it('once widened, the caller in front is served first again (they kept their place)', () => {
    const waiting = [caller('en-caller', { en: 1 }, sec(0)), caller('plain', {}, sec(1))];
    expect(pairs({ waiting, free: [op('ru-op', { ru: 3 })], widenAfterSec: 30, now: sec(30) })).toEqual(['en-caller→ru-op']);
  });

  it('a plain caller in front leaves the only en operator to the English caller behind when another is free', () => {
    const waiting = [caller('plain', {}, sec(0)), caller('en-caller', { en: 1 }, sec(1))];
    const free = [op('en-op', { en: 2 }, sec(-100)), op('ru-op', { ru: 2 }, sec(-1))];
    expect(pairs({ waiting, free, widenAfterSec: 30, now: sec(2) })).toEqual(['plain→ru-op', 'en-caller→en-op']);
  });

  it('a caller whose skills no logged-in operator has is widened at once', () => {
    const c = caller('c', { de: 1 }, sec(0));
    const free = [op('ru-op', { ru: 2 })];
    expect(pairs({ waiting: [c], free, widenAfterSec: 30, now: sec(1), staffed: [{ ru: 2 }, { en: 1 }] })).toEqual(['c→ru-op']);
    // Somebody logged in (on a call now) has it: the caller waits for them until the wait widens.
    expect(pairs({ waiting: [c], free, widenAfterSec: 30, now: sec(1), staffed: [{ ru: 2 }, { de: 4 }] })).toEqual([]);
    expect(widened(c, 30, sec(1))).toBe(false);
  });

  it('an avoided operator (the assignee whose sticky ring the caller missed) is passed over while anybody else of the line could take them', () => {
    const a = caller('c', {}, T0);
    const avoiding = { ...a, avoid: ['x'] };
    // x idle longest: the caller alone would get x.
    const free = [op('x', {}, sec(-100)), op('y', {}, sec(-10))];
    expect(pairs({ waiting: [a], free, widenAfterSec: 30, now: sec(1), staffed: [{}, {}] })).toEqual(['c→x']);
    expect(pairs({ waiting: [avoiding], free, widenAfterSec: 30, now: sec(1), staffed: [{}, {}] })).toEqual(['c→y']);
    // y on a call (logged in, not free): the caller waits for y; the caller behind takes x.
    expect(pairs({ waiting: [avoiding, caller('d')], free: [op('x', {}, sec(-100))], widenAfterSec: 30, now: sec(1), staffed: [{}, {}] })).toEqual(['d→x']);
    // Nobody else logged in: x after all.
    expect(pairs({ waiting: [avoiding], free: [op('x', {}, sec(-100))], widenAfterSec: 30, now: sec(1), staffed: [{}] })).toEqual(['c→x']);
    // Staffing not known: avoided.
    expect(pairs({ waiting: [avoiding], free: [op('x', {}, sec(-100))], widenAfterSec: 30, now: sec(1) })).toEqual([]);
  });

  it('avoiding under skills: the others who count are those who can take the caller (by skills, or anyone once widened)', () => {
    const en = { ...caller('c', { en: 1 }, sec(0)), avoid: ['x'] };
    const free = [op('x', { en: 3 }, sec(-100)), op('ru', { ru: 5 }, sec(-200))];
    // x is the only en operator logged in: nobody else can take them before the widening, so x.
    expect(pairs({ waiting: [en], free, widenAfterSec: 30, now: sec(1), staffed: [{ en: 3 }, { ru: 5 }] })).toEqual(['c→x']);
    // Another en operator logged in (busy): the caller waits for them rather than x.
    expect(pairs({ waiting: [en], free, widenAfterSec: 30, now: sec(1), staffed: [{ en: 3 }, { ru: 5 }, { en: 1 }] })).toEqual([]);
    // Widened: the Russian-only operator can take them now, so not x.
    expect(matchCallers({ waiting: [en], free, widenAfterSec: 30, now: sec(30), staffed: [{ en: 3 }, { ru: 5 }] }).pairs).toEqual([{ callerId: 'c', operatorId: 'ru', by: 'widened' }]);
  });

  it('callback placeholders (no skills) are matched like any plain entry', () => {
    expect(pairs({ waiting: [caller('cb:1'), caller('c', { en: 1 })], free: [op('en', { en: 1 }), op('x')], widenAfterSec: 30, now: sec(1) })).toEqual(['cb:1→x', 'c→en']);
  });
});

describe('honest position and wait under skills', () => {
  const aht = 300;
  const staffed: Skills[] = [{ ru: 3 }, { ru: 2 }, { ru: 5 }, { en: 2 }];
  const ruAhead = [1, 2, 3, 4, 5].map((i) => caller(`ru${i}`, { ru: 1 }, sec(-10)));

  it('an English caller behind five Russian callers counts only those competing for the en operator', () => {
    const v = waitView({ me: caller('me', { en: 1 }, sec(0)), ahead: ruAhead, staffed, widenAfterSec: 600, now: sec(1), avgHandleSec: aht });
    expect(v).toEqual({ position: 1, staffed: 1, ewtSec: 300 });
    // A plain caller ahead competes for the en operator too.
    const w = waitView({ me: caller('me', { en: 1 }, sec(0)), ahead: [...ruAhead, caller('plain')], staffed, widenAfterSec: 600, now: sec(1), avgHandleSec: aht });
    expect(w).toEqual({ position: 2, staffed: 1, ewtSec: 600 });
  });

  it('a caller who needs nothing is estimated as before: everyone ahead, every logged-in operator', () => {
    expect(waitView({ me: caller('me'), ahead: ruAhead, staffed, widenAfterSec: 30, now: sec(1), avgHandleSec: aht })).toEqual({ position: 6, staffed: 4, ewtSec: 450 });
  });

  it('the sooner of waiting for a skilled operator and the widening', () => {
    const enAhead = [1, 2, 3].map((i) => caller(`en${i}`, { en: 1 }, sec(0)));
    // Three English callers ahead for one en operator: 4 × 300 s; widening in 20 s, then 7th of 4 operators: 20 + 525 s.
    expect(waitView({ me: caller('me', { en: 1 }, sec(0)), ahead: enAhead, staffed, widenAfterSec: 30, now: sec(10), avgHandleSec: aht })).toEqual({ position: 4, staffed: 4, ewtSec: 320 });
    // Widened already: everyone ahead, every operator.
    expect(waitView({ me: caller('me', { en: 1 }, sec(0)), ahead: enAhead, staffed, widenAfterSec: 30, now: sec(30), avgHandleSec: aht })).toEqual({ position: 4, staffed: 4, ewtSec: 300 });
  });

  it('a caller nobody logged in could take is estimated from everyone (they are widened at once)', () => {
    expect(waitView({ me: caller('me', { de: 1 }, sec(0)), ahead: ruAhead, staffed, widenAfterSec: 600, now: sec(1), avgHandleSec: aht })).toEqual({ position: 6, staffed: 4, ewtSec: 450 });
  });
});

describe('skill matching properties', () => {
  const skills = fc.dictionary(fc.constantFrom('en', 'ru', 'billing', 'vip'), fc.integer({ min: 1, max: 5 }), { maxKeys: 3 });
  const input = fc.record({
    waiting: fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), requires: skills, waitingSince: fc.integer({ min: 0, max: 60_000 }) }), { selector: (c) => c.id, maxLength: 12 }),
    free: fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), skills, idleSince: fc.integer({ min: 0, max: 60_000 }) }), { selector: (o) => o.id, maxLength: 8 }),
    widenAfterSec: fc.integer({ min: 0, max: 60 }),
    now: fc.integer({ min: 0, max: 120_000 }),
  });

  it('nobody is paired twice, and only callers and operators given', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { pairs: ps } = matchCallers(i);
        expect(new Set(ps.map((p) => p.callerId)).size).toBe(ps.length);
        expect(new Set(ps.map((p) => p.operatorId)).size).toBe(ps.length);
        for (const p of ps) {
          expect(i.waiting.some((c) => c.id === p.callerId)).toBe(true);
          expect(i.free.some((o) => o.id === p.operatorId)).toBe(true);
        }
      }),
    );
  });

  it('no caller goes to an operator without their skills before their wait widens', () => {
    fc.assert(
      fc.property(input, (i) => {
        for (const p of matchCallers(i).pairs) {
          const c = i.waiting.find((x) => x.id === p.callerId) as WaitingCaller;
          const o = i.free.find((x) => x.id === p.operatorId) as FreeOperator;
          if (!meets(o.skills, c.requires)) expect(widened(c, i.widenAfterSec, i.now)).toBe(true);
        }
      }),
    );
  });

  it('nobody who could be served is left waiting while an operator stays free (work-conserving)', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { pairs: ps } = matchCallers(i);
        const freeLeft = i.free.filter((o) => !ps.some((p) => p.operatorId === o.id));
        const left = i.waiting.filter((c) => !ps.some((p) => p.callerId === c.id));
        for (const c of left) for (const o of freeLeft) expect(meets(o.skills, c.requires) || widened(c, i.widenAfterSec, i.now)).toBe(false);
      }),
    );
  });

  it('a caller who needs nothing is served whenever an operator is free (with the callers in front taken care of)', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { pairs: ps } = matchCallers(i);
        if (ps.length < i.free.length) for (const c of i.waiting) if (Object.keys(c.requires).length === 0) expect(ps.some((p) => p.callerId === c.id)).toBe(true);
      }),
    );
  });
});
