import { DEFAULT_LINE_IDS, type Line } from '../vocabulary.js';
import type { CallSession } from './call-session.js';
import type { CallStatus } from './call-state-machine.js';

export interface CallSnapshot {
  calls: { status: CallStatus; line: Line | null; count: number }[];
  waiting: { line: Line; count: number; longestMs: number }[];
}

/**
 * Calls by status and line, and per line the callers waiting and the longest wait so far: every
 * line of `lines` (the configured ones), and any other line a caller waits on (a line removed from
 * the configuration while its callers still wait).
 */
export function snapshotOf(
  sessions: Iterable<CallSession>,
  waitingCount: (line: Line) => number,
  now = performance.now(),
  lines: readonly Line[] = DEFAULT_LINE_IDS,
): CallSnapshot {
  const list = [...sessions];
  const counts = new Map<string, { status: CallStatus; line: Line | null; count: number }>();
  for (const s of list) {
    const k = `${s.status}/${s.line ?? ''}`;
    const c = counts.get(k) ?? { status: s.status, line: s.line, count: 0 };
    c.count++;
    counts.set(k, c);
  }
  const waitingOn = list.filter((s) => s.status === 'queued' && s.line !== null).map((s) => s.line as Line);
  const waiting = [...new Set([...lines, ...waitingOn])].map((line) => {
    let longestMs = 0;
    for (const s of list) {
      if (s.line === line && s.status === 'queued' && s.queuedAt !== undefined) longestMs = Math.max(longestMs, now - s.queuedAt);
    }
    return { line, count: waitingCount(line), longestMs };
  });
  return { calls: [...counts.values()], waiting };
}
