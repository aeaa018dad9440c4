// Review filters are validated like QA forms (every error with its path), and the random sample
// is reproducible for audit: the same seed and ISO week give the same calls every time, whatever
// order the calls come in, whatever range is asked for and whatever other weeks hold.
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidReviewFilterError } from '../../src/errors.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { isoWeekStart, parseReviewFilter, pickSample, sampleKey, wholeWeeks, type SampleCandidate } from '../../src/qa/review-filter.js';

const seedless = () => 'generated-seed';
const lines = LineCatalog.defaults();
const errorsOf = (doc: unknown) => {
  try {
    parseReviewFilter(doc, seedless, lines);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidReviewFilterError);
    return ((err as InvalidReviewFilterError).details as { errors: { path: string; message: string }[] }).errors;
  }
  throw new Error('accepted');
};

describe('review filter validation', () => {
  it('accepts every kind with its parameters, trimming the name and defaulting what may be left out', () => {
    expect(parseReviewFilter({ name: ' Long holds ', line: 'first', kind: 'long-hold', params: { minHoldSec: 120 } }, seedless, lines)).toEqual({
      name: 'Long holds', line: 'first', spec: { kind: 'long-hold', params: { minHoldSec: 120 } },
    });
    expect(parseReviewFilter({ name: 'x', line: 'second', kind: 'transfers' }, seedless, lines).spec).toEqual({ kind: 'transfers', params: { minTransfers: 2 } });
    expect(parseReviewFilter({ name: 'x', line: 'first', kind: 'failed-callback', params: {} }, seedless, lines).spec.kind).toBe('failed-callback');
    expect(parseReviewFilter({ name: 'x', line: 'first', kind: 'low-survey', params: { maxScore: 2 } }, seedless, lines).spec.params).toEqual({ maxScore: 2 });
    // A sample gets a seed when none is given (stored with the filter), and keeps the one given.
    expect(parseReviewFilter({ name: 'x', line: 'first', kind: 'sample', params: { perWeek: 3 } }, seedless, lines).spec.params).toEqual({ perWeek: 3, seed: 'generated-seed' });
    expect(parseReviewFilter({ name: 'x', line: 'first', kind: 'sample', params: { perWeek: 3, seed: 'audit-2026' } }, seedless, lines).spec.params).toEqual({ perWeek: 3, seed: 'audit-2026' });
  });

  it('watches any configured line, and only those (a third line once configured)', () => {
    const three = new LineCatalog([...lines.all(), { ...lines.get('second')!, id: 'third', name: { ru: 'Третья линия', en: 'Third line' }, escalationOnly: true }]);
    expect(parseReviewFilter({ name: 'x', line: 'third', kind: 'long-call', params: { minMinutes: 20 } }, seedless, three).line).toBe('third');
    expect(errorsOf({ name: 'x', line: 'third', kind: 'long-call', params: { minMinutes: 20 } })).toEqual([{ path: '/line', message: 'one of the configured lines: first, second' }]);
  });

  it('names every error by its path', () => {
    expect(errorsOf({ name: '', line: 'third', kind: 'nope' }).map((e) => e.path)).toEqual(['/name', '/line', '/kind']);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'long-hold', params: {} })).toEqual([{ path: '/params/minHoldSec', message: 'is required' }]);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'low-survey', params: { maxScore: 6 } })).toEqual([expect.objectContaining({ path: '/params/maxScore' })]);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'transfers', params: { minTransfers: 1 } })).toEqual([expect.objectContaining({ path: '/params/minTransfers' })]);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'first-calls', params: { count: 2.5 } })).toEqual([expect.objectContaining({ path: '/params/count' })]);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'long-call', params: { minMinutes: 5, extra: 1 } }).map((e) => e.path)).toContain('/params/extra');
    expect(errorsOf({ name: 'x', line: 'first', kind: 'sample', params: { perWeek: 0, seed: 'a b' } }).map((e) => e.path).sort()).toEqual(['/params/perWeek', '/params/seed']);
    expect(errorsOf({ name: 'x', line: 'first', kind: 'failed-verification', params: [] }).map((e) => e.path)).toEqual(['/params']);
    expect(errorsOf('filter')[0]?.path).toBe('');
  });
});

describe('ISO weeks', () => {
  it('start on Monday 00:00 UTC', () => {
    expect(isoWeekStart(new Date('2026-12-07T00:00:00Z')).toISOString()).toBe('2026-12-07T00:00:00.000Z'); // a Monday
    expect(isoWeekStart(new Date('2026-12-13T23:59:59.999Z')).toISOString()).toBe('2026-12-07T00:00:00.000Z'); // its Sunday
    expect(isoWeekStart(new Date('2027-01-01T12:00:00Z')).toISOString()).toBe('2026-12-28T00:00:00.000Z'); // across a year
  });

  it('a range is widened to the whole weeks it touches', () => {
    const w = wholeWeeks(new Date('2026-12-09T10:00:00Z'), new Date('2026-12-14T00:00:00Z'));
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    const x = wholeWeeks(new Date('2026-12-09T10:00:00Z'), new Date('2026-12-14T00:00:01Z'));
    expect(x.to.toISOString()).toBe('2026-12-21T00:00:00.000Z');
  });
});

describe('the random sample', () => {
  const MONDAY = Date.parse('2026-11-30T00:00:00Z');
  const calls: SampleCandidate[] = [];
  for (const operatorId of ['7', '8']) {
    for (let week = 0; week < 3; week++) {
      for (let i = 0; i < 12; i++) calls.push({ id: randomUUID(), operatorId, at: new Date(MONDAY + week * 7 * 86_400_000 + i * 13 * 3_600_000) });
    }
  }
  const group = (ids: Set<string>) => {
    const n = new Map<string, number>();
    for (const c of calls.filter((x) => ids.has(x.id))) {
      const k = `${c.operatorId}/${isoWeekStart(c.at).toISOString()}`;
      n.set(k, (n.get(k) ?? 0) + 1);
    }
    return n;
  };

  it('ranks by SHA-256 of "<seed>:<call id>"', () => {
    expect(sampleKey('s', 'abc')).toBe(createHash('sha256').update('s:abc').digest('hex'));
  });

  it('takes K calls per operator per ISO week', () => {
    const n = group(pickSample(calls, 3, 'seed-1'));
    expect([...n.values()]).toEqual([3, 3, 3, 3, 3, 3]);
    // Fewer calls than K: all of them.
    expect(pickSample(calls.slice(0, 2), 3, 'seed-1').size).toBe(2);
  });

  it('the same seed and week give the same calls, in any order and with other weeks or none', () => {
    const first = pickSample(calls, 3, 'audit-2026');
    expect(pickSample([...calls].reverse(), 3, 'audit-2026')).toEqual(first);
    const shuffled = [...calls].sort(() => Math.random() - 0.5);
    expect(pickSample(shuffled, 3, 'audit-2026')).toEqual(first);
    // One week alone (as a narrower range would give it) draws what it drew among all the weeks.
    const week2 = calls.filter((c) => isoWeekStart(c.at).getTime() === MONDAY + 7 * 86_400_000);
    const alone = pickSample(week2, 3, 'audit-2026');
    expect([...alone].every((id) => first.has(id))).toBe(true);
    expect(alone.size).toBe(6);
  });

  it('another seed draws other calls', () => {
    const a = pickSample(calls, 3, 'seed-a');
    const b = pickSample(calls, 3, 'seed-b');
    expect(a.size).toBe(b.size);
    expect([...a].filter((id) => b.has(id)).length).toBeLessThan(a.size);
  });
});
