// A line's own service level, SLA targets and wrap-up over the global settings, and what keeps a
// line from being removed (operators serving it, callers waiting on it) or is only warned about
// (business hours for a line that is not configured).
import { describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../src/lines/business-hours.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { loadLinesFile, parseLines } from '../../src/lines/line-config.js';
import { parseLineSla } from '../../src/lines/line-settings.js';
import { removedLines, servedProblems, unknownHoursLines, waitingProblems } from '../../src/lines/line-uses.js';
import { parseServiceTargets, targetOf, withLineTargets } from '../../src/reports/staffing-plan.js';
import { parseSlaTargets } from '../../src/tickets/ticket-rules.js';

const line = (id: string, more: Record<string, unknown> = {}) => ({ id, name: { ru: id, en: id }, fallbackQueue: 'first-line', ...more });
const catalog = new LineCatalog(
  parseLines({
    lines: [
      line('first', { escalatesTo: 'vip' }),
      line('vip', { serviceLevel: { withinSec: 10, percent: 95 }, sla: 'critical=30m/4h', wrapUp: { sec: 60 } }),
      line('en', { wrapUp: { rule: 'always' } }),
    ],
  }),
);
const SLA = parseSlaTargets('critical=2h/2d,high=4h/2d');

describe("a line's own settings", () => {
  it('the default lines file has none: every reader gets the setting', async () => {
    const defaults = new LineCatalog((await loadLinesFile('pbx-config/lines.json')).lines);
    expect(defaults.ownSla()).toBe(false);
    for (const id of defaults.ids()) {
      expect(defaults.serviceLevelSec(id, 20)).toBe(20);
      expect(defaults.sla(id, SLA)).toBe(SLA);
      expect(defaults.wrapUp(id, { sec: 15, rule: 'panel' })).toEqual({ sec: 15, rule: 'panel' });
      expect(targetOf(withLineTargets(parseServiceTargets('80/20,second=90/60'), defaults), id)).toEqual(id === 'second' ? { share: 0.9, withinSec: 60 } : { share: 0.8, withinSec: 20 });
    }
  });

  it('service level: the wallboard measures the line seconds, the staffing plan aims at its target over STAFFING_SERVICE_LEVEL', () => {
    expect([catalog.serviceLevelSec('vip', 20), catalog.serviceLevelSec('first', 20), catalog.serviceLevelSec('gone', 20)]).toEqual([10, 20, 20]);
    const targets = withLineTargets(parseServiceTargets('80/20,vip=90/30,en=70/40'), catalog);
    expect([targetOf(targets, 'vip'), targetOf(targets, 'en'), targetOf(targets, 'first')]).toEqual([
      { share: 0.95, withinSec: 10 },
      { share: 0.7, withinSec: 40 },
      { share: 0.8, withinSec: 20 },
    ]);
  });

  it("SLA: a line's priorities over SLA_TARGETS, the others kept; a ticket on no line gets SLA_TARGETS", () => {
    expect(catalog.ownSla()).toBe(true);
    expect(catalog.sla('vip', SLA)).toEqual({ ...SLA, critical: { firstResponseSec: 1800, resolutionSec: 14_400 } });
    expect(catalog.sla('first', SLA)).toBe(SLA);
    expect(catalog.sla(null, SLA)).toBe(SLA);
  });

  it('wrap-up: each field of the line over its setting; a call of no line or an unknown one gets the settings', () => {
    const global = { sec: 15, rule: 'panel' } as const;
    expect([catalog.wrapUp('vip', global), catalog.wrapUp('en', global), catalog.wrapUp(null, global), catalog.wrapUp('gone', global)]).toEqual([
      { sec: 60, rule: 'panel' },
      { sec: 15, rule: 'always' },
      global,
      global,
    ]);
  });

  it("a line's sla is SLA_TARGETS' format, only the priorities it names", () => {
    expect(parseLineSla(' high = 90m / 3d ')).toEqual({ high: { firstResponseSec: 5400, resolutionSec: 259_200 } });
    expect(() => parseLineSla('high=1h')).toThrow(/"high=1h" is not priority=/);
    expect(() => parseLineSla('low=1h/1d,,')).toThrow(/"" is not priority=/);
  });
});

describe('what keeps a line', () => {
  const next = new LineCatalog(parseLines({ lines: [line('first')] }));

  it('a removal names each operator still serving a removed line, and the lines with callers waiting', () => {
    const removed = removedLines(catalog, next);
    expect(removed).toEqual(['vip', 'en']);
    const ops = [
      { id: 'o1', login: 'anna', lines: ['first'] },
      { id: 'o2', login: 'boris', lines: ['first', 'vip', 'en'] },
    ];
    expect(servedProblems(removed, ops)).toEqual([{ path: '/operators/o2/lines', message: 'operator boris serves "vip", "en", which this configuration removes' }]);
    const sizes: Record<string, number> = { first: 4, en: 2 };
    expect(waitingProblems(removed, { size: (l) => sizes[l] ?? 0 })).toEqual([{ path: '/queues/en', message: '2 waiting on "en" now (callers or callbacks due), which this configuration removes' }]);
    expect(removedLines(next, catalog)).toEqual([]);
  });

  it('business hours for a line that is not configured are named (warned about, not refused)', () => {
    const week = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    const hours = parseBusinessHours({ first: { timeZone: 'UTC', week, holidays: [] }, bliling: { timeZone: 'UTC', week, holidays: [] }, callerRegions: [] });
    expect(unknownHoursLines(hours, catalog)).toEqual([{ path: '/bliling', message: 'business hours for "bliling", which is not a configured line: ignored (a line without hours is open around the clock)' }]);
  });
});
