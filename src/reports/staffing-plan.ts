// The staffing plan from what the calls table counted: per line, ISO weekday and hour of the
// line's time zone, the calls to expect (the mean of the last N weeks), the operators Erlang C
// (and, where callers hung up often enough to estimate their patience, Erlang A) says the line's
// target needs, and the operators who were actually signed in. Pure: the SQL is in
// staffing.repository.ts.
import { LINE_ID_PATTERN, type Line } from '../vocabulary.js';
import { agentsNeededA, agentsNeededC, type ServiceTarget } from './erlang.js';

/** A weekday-hour's totals over the whole window (all N of its occurrences). */
export interface SlotCounts {
  /** ISO weekday, 1 Monday … 7 Sunday. */
  weekday: number;
  hour: number;
  /** Calls that queued on the line. */
  calls: number;
  /** Of those, answered with a known end: their handle times summed. */
  handled: number;
  handleSecSum: number;
  /** Operator-seconds signed in (any state but offline). */
  operatorSec: number;
}

/** The line's totals over the window, for the fallbacks and the patience estimate. */
export interface LineCounts {
  handled: number;
  handleSecSum: number;
  /** Calls that had an outcome in the queue (answered or hung up), their waits summed. */
  waited: number;
  waitSecSum: number;
  abandoned: number;
}

export interface PlanSlot {
  weekday: number;
  hour: number;
  forecastCalls: number;
  /** The handle time planned with: the slot's own mean, or the line's when the slot has too few calls. */
  handleSec: number | null;
  neededErlangC: number | null;
  neededErlangA: number | null;
  loggedIn: number;
}

export interface LinePlan {
  line: Line;
  target: ServiceTarget;
  timeZone: string;
  handleSec: number | null;
  /** Mean patience (total wait of queued callers / callers who hung up), when enough hung up. */
  patienceSec: number | null;
  slots: PlanSlot[];
}

/** A slot's own mean handle time is used from this many handled calls in the window; below it, the line's. */
export const MIN_SLOT_HANDLED = 10;
/** Erlang A only from this many callers who hung up in the window: fewer say little about patience. */
export const MIN_ABANDONED_FOR_PATIENCE = 20;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function planLine(line: Line, target: ServiceTarget, timeZone: string, weeks: number, totals: LineCounts, slots: readonly SlotCounts[]): LinePlan {
  const lineHandle = totals.handled > 0 ? totals.handleSecSum / totals.handled : null;
  const patience = totals.abandoned >= MIN_ABANDONED_FOR_PATIENCE && totals.waitSecSum > 0 ? totals.waitSecSum / totals.abandoned : null;
  const bySlot = new Map(slots.map((s) => [`${s.weekday}:${s.hour}`, s]));
  const out: PlanSlot[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const s = bySlot.get(`${weekday}:${hour}`);
      const forecast = (s?.calls ?? 0) / weeks;
      const handle = s && s.handled >= MIN_SLOT_HANDLED ? s.handleSecSum / s.handled : lineHandle;
      const load = handle && handle > 0 ? { arrivalsPerSec: forecast / 3600, handleSec: handle } : null;
      out.push({
        weekday,
        hour,
        forecastCalls: round(forecast, 2),
        handleSec: handle === null ? null : Math.round(handle),
        neededErlangC: forecast === 0 ? 0 : load ? agentsNeededC(load, target) : null,
        neededErlangA: forecast === 0 ? (patience ? 0 : null) : load && patience ? agentsNeededA({ ...load, patienceSec: patience }, target) : null,
        loggedIn: round((s?.operatorSec ?? 0) / 3600 / weeks, 2),
      });
    }
  }
  return { line, target, timeZone, handleSec: lineHandle === null ? null : Math.round(lineHandle), patienceSec: patience === null ? null : Math.round(patience), slots: out };
}

/** The staffing plan's service targets: one for every line, and lines' own. */
export interface ServiceTargets {
  all: ServiceTarget;
  byLine: Readonly<Record<Line, ServiceTarget>>;
  /** The lines configuration's own targets (lines.json serviceLevel): they win over the setting's. */
  ofLine?: (line: Line) => ServiceTarget | undefined;
}

export const targetOf = (t: ServiceTargets, line: Line): ServiceTarget => t.ofLine?.(line) ?? t.byLine[line] ?? t.all;

/** STAFFING_SERVICE_LEVEL's targets under the configured lines' own (read at each plan: the lines may change). */
export function withLineTargets(t: ServiceTargets, lines: { get(line: Line): { serviceLevel?: ServiceTarget } | undefined }): ServiceTargets {
  return { ...t, ofLine: (line) => lines.get(line)?.serviceLevel };
}

/**
 * STAFFING_SERVICE_LEVEL: "80/20" (80% answered within 20 s, every line), per line
 * "first=80/20,second=90/60", or both ("80/20,vip=95/10"). A line left out gets the bare value,
 * else 80/20. Any line id is taken: the lines are configuration read after the settings, and a
 * line named here but not configured is reported at start (app.ts), not refused.
 */
export function parseServiceTargets(spec: string): ServiceTargets {
  const parse = (part: string): ServiceTarget => {
    const m = /^\s*(\d{1,2}(?:\.\d+)?)\s*\/\s*(\d{1,4})\s*$/.exec(part);
    const share = Number(m?.[1]) / 100;
    if (!m || !(share > 0 && share < 1)) throw new Error(`"${part}" is not X/Y (X% answered within Y seconds, X from 1 to 99), e.g. 80/20`);
    return { share, withinSec: Number(m[2]) };
  };
  let all: ServiceTarget = { share: 0.8, withinSec: 20 };
  const byLine: Record<Line, ServiceTarget> = {};
  for (const part of spec.split(',')) {
    if (!part.includes('=')) {
      all = parse(part);
      continue;
    }
    const [name, value] = part.split('=');
    const line = name?.trim() ?? '';
    if (!new RegExp(LINE_ID_PATTERN).test(line) || value === undefined) throw new Error(`"${part}" is not <line>=X/Y with a line id such as first`);
    byLine[line] = parse(value);
  }
  return { all, byLine };
}
