// The live wallboard: per line, who waits and for how long, callbacks pending, operators by state
// with time in state, and today's service level, abandonment and handle time ("today" on the
// line's own clock, from the business-hours file). The columns are the configured lines, in the
// configuration's order, each with its name in both languages (the page shows the reader's).
import type { Language, Line } from '../vocabulary.js';
import type { Db } from '../db/database.js';
import { hoursOf, startOfDay, type BusinessHours } from '../lines/business-hours.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { listOperators } from '../operators/operator.repository.js';
import { lineStats, type ServiceLevelSecs } from './supervisor.repository.js';

export interface WallboardLine {
  line: Line;
  /** The line's name from the lines configuration. */
  name: Readonly<Record<Language, string>>;
  waiting: number;
  longestWaitSec: number | null;
  callbacksPending: number;
  offered: number;
  answered: number;
  abandoned: number;
  /** answered within serviceLevelSec / offered, 0-1; null before the first call of the day. */
  serviceLevel: number | null;
  /** The line's own threshold (lines.json serviceLevel), else SERVICE_LEVEL_SEC. */
  serviceLevelSec: number;
  abandonRate: number | null;
  avgHandleSec: number | null;
  operators: { id: string; name: string; state: string; reason: string | null; since: string }[];
}

export interface Wallboard {
  at: string;
  /** SERVICE_LEVEL_SEC: the threshold of lines without their own. */
  serviceLevelSec: number;
  lines: WallboardLine[];
}

export class WallboardService {
  constructor(private readonly db: Db, private readonly hours: () => BusinessHours, readonly serviceLevelSec: number, private readonly lines: LineCatalog) {}

  /** Each configured line's service-level seconds (the line report counts with them too). */
  serviceLevelSecs(): ServiceLevelSecs {
    return { default: this.serviceLevelSec, byLine: Object.fromEntries(this.lines.ids().map((l) => [l, this.lines.serviceLevelSec(l, this.serviceLevelSec)])) };
  }

  async snapshot(now = new Date()): Promise<Wallboard> {
    const ids = this.lines.ids();
    // The lines may keep different clocks: one count per distinct midnight, each line its own.
    const midnights = new Map<number, Line[]>();
    for (const line of ids) {
      const at = startOfDay(now, hoursOf(this.hours(), line).timeZone).getTime();
      midnights.set(at, [...(midnights.get(at) ?? []), line]);
    }
    const [ops, ...counted] = await Promise.all([
      listOperators(this.db),
      ...[...midnights].map(([at, lines]) => lineStats(this.db, new Date(at), this.serviceLevelSecs(), lines)),
    ]);
    const all = counted.flat();
    const stats = ids.map((line) => all.find((l) => l.line === line));
    return {
      at: now.toISOString(),
      serviceLevelSec: this.serviceLevelSec,
      lines: stats.flatMap((l) =>
        l
          ? [
              {
                line: l.line,
                name: this.lines.get(l.line)?.name ?? { ru: l.line, en: l.line },
                waiting: l.waiting,
                longestWaitSec: l.oldestQueuedAt ? Math.max(0, Math.round((now.getTime() - l.oldestQueuedAt.getTime()) / 1000)) : null,
                callbacksPending: l.callbacksPending,
                offered: l.offered,
                answered: l.answered,
                abandoned: l.abandoned,
                serviceLevel: l.offered ? l.answeredInTarget / l.offered : null,
                serviceLevelSec: l.serviceLevelSec,
                abandonRate: l.offered ? l.abandoned / l.offered : null,
                avgHandleSec: l.avgHandleSec,
                operators: ops
                  // Everyone serving the line (an operator of several lines shows in each of their columns).
                  .filter((o) => o.lines.includes(l.line) && o.state !== 'offline')
                  .map((o) => ({ id: o.id, name: o.name, state: o.state, reason: o.state_reason, since: o.state_changed_at.toISOString() })),
              },
            ]
          : [],
      ),
    };
  }
}
