// How long archived recordings are kept, per line: RECORDING_RETENTION_DAYS is "365" (every
// line) or has lines' own days too ("365,third=730,vip=1825"). Any line id is taken, configured
// or not: the lines are configuration read after the settings, and a line removed from it still
// has recordings that keep its retention. A line named here but not configured is reported at
// start (app.ts) rather than refused. Pure: config.ts parses with it, the purge reads it.
import { LINE_ID_PATTERN, type Line } from '../vocabulary.js';

/** Days per line; `default` for every other line and for calls with no line. */
export interface RetentionPolicy {
  default: number;
  byLine: Readonly<Record<Line, number>>;
}

export const MAX_RETENTION_DAYS = 36_500;

export function parseRetentionDays(spec: string): RetentionPolicy {
  let all: number | undefined;
  const byLine: Record<Line, number> = {};
  for (const part of spec.split(',').map((p) => p.trim())) {
    const [line, days] = part.includes('=') ? part.split('=', 2).map((x) => x.trim()) : [undefined, part];
    const n = Number(days);
    if (!/^[0-9]{1,5}$/.test(days ?? '') || n < 1 || n > MAX_RETENTION_DAYS) throw new Error(`"${part}" is not a number of days from 1 to ${MAX_RETENTION_DAYS}`);
    if (line === undefined) all = n;
    else if (!new RegExp(LINE_ID_PATTERN).test(line)) throw new Error(`"${line}" is not a line id such as first`);
    else byLine[line] = n;
  }
  if (all === undefined) throw new Error('the days for every line are missing, e.g. 365 or 365,third=730');
  return { default: all, byLine };
}

/** The retention of `line`'s recordings. */
export const retentionOf = (p: RetentionPolicy, line: Line | null): number => (line ? p.byLine[line] : undefined) ?? p.default;
