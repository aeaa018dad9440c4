// What the running service has on a line beyond the IVR flow: operators who serve it and callers
// waiting on it (a lines replacement may not remove such a line), and the business hours kept for
// it (README "Lines"). Pure: the callers pass what they read.
import type { Line } from '../vocabulary.js';
import type { BusinessHours } from './business-hours.js';
import type { LineCatalog } from './line-catalog.js';
import type { LinesProblem } from './line-config.js';

/** The lines of `current` that `next` no longer has. */
export function removedLines(current: Pick<LineCatalog, 'ids'>, next: Pick<LineCatalog, 'has'>): Line[] {
  return current.ids().filter((id) => !next.has(id));
}

/** Each operator serving a removed line, at the API resource where their lines are changed. */
export function servedProblems(removed: readonly Line[], operators: readonly { id: string; login: string; lines: readonly Line[] }[]): LinesProblem[] {
  return operators.flatMap((o) => {
    const gone = o.lines.filter((l) => removed.includes(l));
    return gone.length ? [{ path: `/operators/${o.id}/lines`, message: `operator ${o.login} serves ${gone.map((l) => `"${l}"`).join(', ')}, which this configuration removes` }] : [];
  });
}

/** Each removed line with callers (or callbacks due) waiting on it now, on this instance. */
export function waitingProblems(removed: readonly Line[], waiting: { size(line: Line): number }): LinesProblem[] {
  return removed.flatMap((line) => {
    const n = waiting.size(line);
    return n ? [{ path: `/queues/${line}`, message: `${n} waiting on "${line}" now (callers or callbacks due), which this configuration removes` }] : [];
  });
}

/**
 * Hours in the business-hours file for a line the configuration does not have. Warned about, not
 * refused, at start and after every replacement alike: nothing reads them (harmless, unlike an
 * IVR route to a missing line), and the hours file has no API, so refusing would make removing a
 * line wait for a file edit and a restart. The warning is for the typo it usually is: the line
 * meant has no hours of its own, and is open around the clock.
 */
export function unknownHoursLines(hours: BusinessHours, lines: Pick<LineCatalog, 'has'>): LinesProblem[] {
  return Object.keys(hours.lines)
    .filter((line) => !lines.has(line))
    .map((line) => ({ path: `/${line}`, message: `business hours for "${line}", which is not a configured line: ignored (a line without hours is open around the clock)` }));
}
