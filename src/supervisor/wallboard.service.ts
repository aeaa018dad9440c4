// The live wallboard: per line, who waits and for how long, callbacks pending, operators by state
// with time in state, and today's service level, abandonment and handle time ("today" on the
// line's own clock, from the business-hours file).
import type { Line } from '../vocabulary.js';
import type { Db } from '../db/database.js';
import { hoursOf, startOfDay, type BusinessHours } from '../lines/business-hours.js';
import { listOperators } from '../operators/operator.repository.js';
import { lineStats } from './supervisor.repository.js';

export interface WallboardLine {
  line: Line;
  waiting: number;
  longestWaitSec: number | null;
  callbacksPending: number;
  offered: number;
  answered: number;
  abandoned: number;
  /** answered within the threshold / offered, 0-1; null before the first call of the day. */
  serviceLevel: number | null;
  abandonRate: number | null;
  avgHandleSec: number | null;
  operators: { id: string; name: string; state: string; reason: string | null; since: string }[];
}

export interface Wallboard {
  at: string;
  serviceLevelSec: number;
  lines: WallboardLine[];
}

export class WallboardService {
  constructor(private readonly db: Db, private readonly hours: () => BusinessHours, readonly serviceLevelSec: number) {}

  async snapshot(now = new Date()): Promise<Wallboard> {
    // The lines may keep different clocks; the earlier midnight bounds the query, each line its own.
    const first = startOfDay(now, hoursOf(this.hours(), 'first').timeZone);
    const second = startOfDay(now, hoursOf(this.hours(), 'second').timeZone);
    const [statsFirst, statsSecond, ops] = await Promise.all([
      lineStats(this.db, first, this.serviceLevelSec),
      first.getTime() === second.getTime() ? Promise.resolve(undefined) : lineStats(this.db, second, this.serviceLevelSec),
      listOperators(this.db),
    ]);
    const stats = [statsFirst.find((l) => l.line === 'first'), (statsSecond ?? statsFirst).find((l) => l.line === 'second')];
    return {
      at: now.toISOString(),
      serviceLevelSec: this.serviceLevelSec,
      lines: stats.flatMap((l) =>
        l
          ? [
              {
                line: l.line,
                waiting: l.waiting,
                longestWaitSec: l.oldestQueuedAt ? Math.max(0, Math.round((now.getTime() - l.oldestQueuedAt.getTime()) / 1000)) : null,
                callbacksPending: l.callbacksPending,
                offered: l.offered,
                answered: l.answered,
                abandoned: l.abandoned,
                serviceLevel: l.offered ? l.answeredInTarget / l.offered : null,
                abandonRate: l.offered ? l.abandoned / l.offered : null,
                avgHandleSec: l.avgHandleSec,
                operators: ops
                  .filter((o) => o.line === l.line && o.state !== 'offline')
                  .map((o) => ({ id: o.id, name: o.name, state: o.state, reason: o.state_reason, since: o.state_changed_at.toISOString() })),
              },
            ]
          : [],
      ),
    };
  }
}
