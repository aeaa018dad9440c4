// When an alert is on: pure functions from the figures of a line (what waits, what was answered
// and abandoned, who is paused, which tickets are overdue) and its thresholds to the conditions
// that hold now, and from those and the alerts open in Postgres to what is raised and cleared.
// No clock of its own: `now` is given, so the tests drive it.
import { PAUSE_REASONS, type PauseReason } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';

export const ALERT_KINDS = ['longest_wait', 'service_level', 'sla_breach', 'pause_too_long', 'abandon_rate'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The service level alert always looks at this window (the "last 30 minutes"). */
export const SERVICE_LEVEL_WINDOW_MIN = 30;

export interface AlertThresholds {
  /** A caller waiting longer than this (seconds); null: not watched. */
  longestWaitSec: number | null;
  /** Answered within SERVICE_LEVEL_SEC / offered over the last 30 minutes below this (0-1); null: not watched. */
  serviceLevelMin: number | null;
  /** A ticket overdue (first response or resolution) by at least this (seconds); null: not watched. */
  slaOverdueSec: number | null;
  /** Seconds an operator may stay paused for each reason; a reason left out is not watched. */
  pauseMaxSec: Partial<Record<PauseReason, number>>;
  /** Abandoned / offered over abandonWindowMin above this (0-1); null: not watched. */
  abandonRateMax: number | null;
  abandonWindowMin: number;
  /** Rates over fewer finished calls than this are not judged. */
  minCalls: number;
}

/** What a line gets until an admin sets its own (README, Alerts). */
export const DEFAULT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({
  longestWaitSec: 60,
  serviceLevelMin: 0.8,
  slaOverdueSec: 0,
  pauseMaxSec: Object.freeze({ break: 900, training: 3600, missed: 300, other: 900 }),
  abandonRateMax: 0.1,
  abandonWindowMin: 30,
  minCalls: 10,
});

export interface LineFigures {
  line: Line;
  /** This instance's node and when its longest waiting caller of the line took their place. */
  waiting: { node: string; oldestSince: Date | null };
  /** Calls queued within the last 30 minutes that were answered or abandoned. */
  serviceLevel: { offered: number; inTarget: number };
  /** Calls queued within the line's abandon window that were answered or abandoned. */
  abandon: { offered: number; abandoned: number };
  paused: { operatorId: string; name: string; reason: string | null; since: Date }[];
  overdue: { ticketId: string; number: string; target: 'first_response' | 'resolution'; due: Date }[];
}

export interface Condition {
  kind: AlertKind;
  line: Line;
  /** The node, operator or ticket the alert is about; '' for the line as a whole. */
  subject: string;
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
}

export interface OpenAlert {
  id: string;
  kind: AlertKind;
  line: Line;
  subject: string;
}

const sec = (from: Date, now: Date) => Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
const ratio = (n: number, d: number) => Math.round((n / d) * 1000) / 1000;

/** The conditions that hold on a line now. */
export function conditionsOf(f: LineFigures, th: AlertThresholds, now: Date): Condition[] {
  const out: Condition[] = [];
  const line = f.line;
  if (th.longestWaitSec !== null && f.waiting.oldestSince) {
    const waited = sec(f.waiting.oldestSince, now);
    if (waited > th.longestWaitSec) out.push({ kind: 'longest_wait', line, subject: f.waiting.node, value: waited, threshold: th.longestWaitSec, detail: { node: f.waiting.node } });
  }
  const sl = f.serviceLevel;
  if (th.serviceLevelMin !== null && sl.offered >= th.minCalls && sl.inTarget / sl.offered < th.serviceLevelMin) {
    out.push({ kind: 'service_level', line, subject: '', value: ratio(sl.inTarget, sl.offered), threshold: th.serviceLevelMin, detail: { offered: sl.offered, windowMin: SERVICE_LEVEL_WINDOW_MIN } });
  }
  const ab = f.abandon;
  if (th.abandonRateMax !== null && ab.offered >= th.minCalls && ab.abandoned / ab.offered > th.abandonRateMax) {
    out.push({ kind: 'abandon_rate', line, subject: '', value: ratio(ab.abandoned, ab.offered), threshold: th.abandonRateMax, detail: { offered: ab.offered, windowMin: th.abandonWindowMin } });
  }
  for (const p of f.paused) {
    const max = isPauseReason(p.reason) ? th.pauseMaxSec[p.reason] : undefined;
    if (max === undefined) continue;
    const paused = sec(p.since, now);
    if (paused > max) out.push({ kind: 'pause_too_long', line, subject: p.operatorId, value: paused, threshold: max, detail: { name: p.name, reason: p.reason } });
  }
  if (th.slaOverdueSec !== null) {
    // One alert per ticket, for its earliest missed target.
    const seen = new Set<string>();
    for (const t of [...f.overdue].sort((a, b) => a.due.getTime() - b.due.getTime())) {
      if (seen.has(t.ticketId) || now < t.due) continue;
      const overdue = sec(t.due, now);
      if (overdue < th.slaOverdueSec) continue;
      seen.add(t.ticketId);
      out.push({ kind: 'sla_breach', line, subject: t.ticketId, value: overdue, threshold: th.slaOverdueSec, detail: { number: t.number, target: t.target, due: t.due.toISOString() } });
    }
  }
  return out;
}

const keyOf = (a: { kind: AlertKind; line: Line; subject: string }) => `${a.kind}\u0000${a.line}\u0000${a.subject}`;

/**
 * What to raise (conditions with no open alert) and clear (open alerts whose condition no
 * longer holds). `mine` says which open alerts this instance judges: another node's callers
 * are not in this instance's waiting lists, so their longest-wait alert is that node's to clear.
 */
export function decide(open: readonly OpenAlert[], holding: readonly Condition[], mine: (a: OpenAlert) => boolean): { raise: Condition[]; clear: OpenAlert[] } {
  const openKeys = new Set(open.map(keyOf));
  const holdKeys = new Set(holding.map(keyOf));
  return {
    raise: holding.filter((c) => !openKeys.has(keyOf(c))),
    clear: open.filter((a) => mine(a) && !holdKeys.has(keyOf(a))),
  };
}

/** Which open alerts an instance driving `node` judges (see decide). */
export const judgedBy = (node: string) => (a: OpenAlert) => a.kind !== 'longest_wait' || a.subject === node;

function isPauseReason(r: string | null): r is PauseReason {
  return (PAUSE_REASONS as readonly (string | null)[]).includes(r);
}

/** The oldest of the times waiting callers took their place (ms since the epoch); null when none waits. */
export function oldestOf(since: readonly (number | undefined)[]): Date | null {
  const known = since.filter((t): t is number => t !== undefined && Number.isFinite(t));
  return known.length ? new Date(Math.min(...known)) : null;
}
