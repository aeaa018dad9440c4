// When alerts raise and clear: the conditions of a line's figures against its thresholds, on a
// fake clock, and the raise/clear decisions against the alerts already open.
import { describe, expect, it } from 'vitest';
import { conditionsOf, decide, DEFAULT_THRESHOLDS, judgedBy, oldestOf, type AlertThresholds, type Condition, type LineFigures, type OpenAlert } from '../../src/alerts/alert-rules.js';
import { oldestWaiting } from '../../src/alerts/alert.module.js';
import { HEAD_RANK, placeholderId, WaitingLists } from '../../src/queues/waiting-list.js';

const T0 = new Date('2026-12-07T10:00:00Z');
const at = (sec: number) => new Date(T0.getTime() + sec * 1000);

const quiet = (over: Partial<LineFigures> = {}): LineFigures => ({
  line: 'first',
  waiting: { node: 'pbx1', oldestSince: null },
  serviceLevel: { offered: 0, inTarget: 0 },
  abandon: { offered: 0, abandoned: 0 },
  paused: [],
  overdue: [],
  ...over,
});
const th = (over: Partial<AlertThresholds> = {}): AlertThresholds => ({ ...DEFAULT_THRESHOLDS, pauseMaxSec: { ...DEFAULT_THRESHOLDS.pauseMaxSec }, ...over });
const kinds = (cs: Condition[]) => cs.map((c) => `${c.kind}:${c.subject}`);

describe('conditions', () => {
  it('a quiet line has none', () => {
    expect(conditionsOf(quiet(), th(), T0)).toEqual([]);
  });

  it('longest wait: over the threshold, not at it, and about this node', () => {
    const f = quiet({ waiting: { node: 'pbx2', oldestSince: T0 } });
    expect(conditionsOf(f, th({ longestWaitSec: 60 }), at(60))).toEqual([]);
    expect(conditionsOf(f, th({ longestWaitSec: 60 }), at(61))).toEqual([
      { kind: 'longest_wait', line: 'first', subject: 'pbx2', value: 61, threshold: 60, detail: { node: 'pbx2' } },
    ]);
    expect(conditionsOf(f, th({ longestWaitSec: null }), at(600))).toEqual([]);
  });

  it('service level over the last 30 minutes: judged from minCalls on, below the target', () => {
    const low = quiet({ serviceLevel: { offered: 9, inTarget: 1 } });
    expect(conditionsOf(low, th({ minCalls: 10 }), T0)).toEqual([]);
    const c = conditionsOf(quiet({ serviceLevel: { offered: 10, inTarget: 7 } }), th({ minCalls: 10, serviceLevelMin: 0.8 }), T0);
    expect(c).toMatchObject([{ kind: 'service_level', subject: '', value: 0.7, threshold: 0.8, detail: { offered: 10, windowMin: 30 } }]);
    expect(conditionsOf(quiet({ serviceLevel: { offered: 10, inTarget: 8 } }), th({ minCalls: 10, serviceLevelMin: 0.8 }), T0)).toEqual([]);
  });

  it('abandonment: above the rate over the window, from minCalls on', () => {
    expect(conditionsOf(quiet({ abandon: { offered: 4, abandoned: 4 } }), th({ minCalls: 5 }), T0)).toEqual([]);
    expect(conditionsOf(quiet({ abandon: { offered: 10, abandoned: 1 } }), th({ minCalls: 5, abandonRateMax: 0.1 }), T0)).toEqual([]);
    expect(conditionsOf(quiet({ abandon: { offered: 10, abandoned: 2 } }), th({ minCalls: 5, abandonRateMax: 0.1, abandonWindowMin: 15 }), T0)).toMatchObject([
      { kind: 'abandon_rate', value: 0.2, threshold: 0.1, detail: { windowMin: 15 } },
    ]);
  });

  it('pauses: per reason, each its own allowance; a reason without one is not watched', () => {
    const f = quiet({
      paused: [
        { operatorId: '1', name: 'Anna', reason: 'break', since: T0 },
        { operatorId: '2', name: 'Boris', reason: 'training', since: T0 },
        { operatorId: '3', name: 'Vera', reason: null, since: T0 },
      ],
    });
    const limits = th({ pauseMaxSec: { break: 600, training: 3600 } });
    expect(conditionsOf(f, limits, at(600))).toEqual([]);
    expect(conditionsOf(f, limits, at(601))).toEqual([{ kind: 'pause_too_long', line: 'first', subject: '1', value: 601, threshold: 600, detail: { name: 'Anna', reason: 'break' } }]);
    expect(kinds(conditionsOf(f, limits, at(3601)))).toEqual(['pause_too_long:1', 'pause_too_long:2']);
  });

  it('SLA: one alert per overdue ticket (its earliest missed target), after the grace', () => {
    const f = quiet({
      overdue: [
        { ticketId: '7', number: '1007', target: 'resolution', due: at(100) },
        { ticketId: '7', number: '1007', target: 'first_response', due: T0 },
        { ticketId: '8', number: '1008', target: 'first_response', due: at(200) },
      ],
    });
    expect(conditionsOf(f, th({ slaOverdueSec: 0 }), at(150))).toEqual([
      { kind: 'sla_breach', line: 'first', subject: '7', value: 150, threshold: 0, detail: { number: '1007', target: 'first_response', due: T0.toISOString() } },
    ]);
    expect(kinds(conditionsOf(f, th({ slaOverdueSec: 0 }), at(200)))).toEqual(['sla_breach:7', 'sla_breach:8']);
    expect(kinds(conditionsOf(f, th({ slaOverdueSec: 60 }), at(200)))).toEqual(['sla_breach:7']);
    expect(conditionsOf(f, th({ slaOverdueSec: null }), at(9999))).toEqual([]);
  });
});

describe('raise and clear over time (fake clock)', () => {
  it('raises once when a wait starts to exceed the threshold and clears when the caller is gone', () => {
    const limits = th({ longestWaitSec: 2 });
    let open: OpenAlert[] = [];
    const look = (f: LineFigures, now: Date) => {
      const d = decide(open, conditionsOf(f, limits, now), judgedBy('pbx1'));
      open = [...open.filter((a) => !d.clear.includes(a)), ...d.raise.map((c, i) => ({ id: `${now.getTime()}-${i}`, kind: c.kind, line: c.line, subject: c.subject }))];
      return { raised: d.raise.length, cleared: d.clear.length };
    };
    const waiting = quiet({ waiting: { node: 'pbx1', oldestSince: T0 } });
    expect(look(waiting, at(1))).toEqual({ raised: 0, cleared: 0 });
    expect(look(waiting, at(3))).toEqual({ raised: 1, cleared: 0 });
    expect(look(waiting, at(5))).toEqual({ raised: 0, cleared: 0 }); // still on: not raised again
    expect(look(quiet(), at(7))).toEqual({ raised: 0, cleared: 1 });
    expect(look(quiet(), at(9))).toEqual({ raised: 0, cleared: 0 });
    expect(open).toEqual([]);
  });

  it("leaves another node's longest-wait alert to that node, and judges the line-wide ones itself", () => {
    const open: OpenAlert[] = [
      { id: '1', kind: 'longest_wait', line: 'first', subject: 'pbx2' },
      { id: '2', kind: 'longest_wait', line: 'first', subject: 'pbx1' },
      { id: '3', kind: 'service_level', line: 'first', subject: '' },
    ];
    const d = decide(open, [], judgedBy('pbx1'));
    expect(d.clear.map((a) => a.id)).toEqual(['2', '3']);
    expect(d.raise).toEqual([]);
  });

  it('raises only what is not open yet, per kind, line and subject', () => {
    const c = (kind: Condition['kind'], line: Condition['line'], subject: string): Condition => ({ kind, line, subject, value: 1, threshold: 0, detail: {} });
    const open: OpenAlert[] = [{ id: '1', kind: 'pause_too_long', line: 'first', subject: '5' }];
    const d = decide(open, [c('pause_too_long', 'first', '5'), c('pause_too_long', 'second', '5'), c('pause_too_long', 'first', '6')], judgedBy('pbx1'));
    expect(d.raise.map((x) => `${x.line}:${x.subject}`)).toEqual(['second:5', 'first:6']);
    expect(d.clear).toEqual([]);
  });

  it('judges each configured line, a third one too, and clears what a line no longer configured left open', () => {
    const lines = ['first', 'second', 'third'];
    const holding = lines.flatMap((line) => conditionsOf(quiet({ line, waiting: { node: 'pbx1', oldestSince: T0 } }), th({ longestWaitSec: 30 }), at(31)));
    expect(holding.map((c) => c.line)).toEqual(lines);
    const open: OpenAlert[] = [{ id: '9', kind: 'service_level', line: 'billing', subject: '' }];
    const d = decide(open, holding, judgedBy('pbx1'));
    expect(d.raise.map((c) => c.line)).toEqual(lines);
    expect(d.clear.map((a) => a.id)).toEqual(['9']);
  });
});

describe("the longest wait from the call core's waiting list", () => {
  it("counts callers from their row's queued_at (their rank without one), not callback placeholders", () => {
    const w = new WaitingLists();
    w.insert('first', 'a', T0.getTime() + 5000);
    w.insert('first', placeholderId('cb1'), T0.getTime() - 60_000); // the caller hung up: called back later
    w.insert('first', 'b', HEAD_RANK); // transferred: at the head, their row says since when
    w.insert('second', 'c', T0.getTime());
    const rows: Record<string, Date | null> = { b: at(3), c: null };
    const queuedAt = (id: string) => rows[id];
    expect(oldestWaiting(w, queuedAt, 'first')).toEqual(at(3));
    expect(oldestWaiting(w, queuedAt, 'second')).toEqual(T0);
    w.remove('a');
    w.remove('b');
    expect(oldestWaiting(w, queuedAt, 'first')).toBeNull();
  });

  it('oldestOf ignores unknown and infinite times', () => {
    expect(oldestOf([undefined, Number.NEGATIVE_INFINITY])).toBeNull();
    expect(oldestOf([T0.getTime() + 1, T0.getTime()])).toEqual(T0);
  });
});
