// Alerts that reach the supervisor: a timer (app-timers.ts) calls evaluate(), which gathers the
// lines' figures (the waiting callers from this instance's memory, the windowed figures from
// Postgres), judges them (alert-rules.ts) and raises or clears alerts. A raise or clear and its
// outbound event (alert.raised / alert.cleared) are one transaction; the row's unique open index
// makes either happen once however many instances judge the same condition. Then every instance
// reads the open alerts and tells its own supervisor pages when they changed, whoever raised them.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { insertEventWithDeliveries } from '../outbound/outbound.repository.js';
import type { OutboundEventType } from '../outbound/outbound.table.js';
import { UnknownLineError } from '../errors.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { Line } from '../vocabulary.js';
import { conditionsOf, decide, judgedBy, SERVICE_LEVEL_WINDOW_MIN, type AlertKind, type AlertThresholds, type Condition, type LineFigures } from './alert-rules.js';
import {
  clearOpenAlert,
  getThresholds,
  insertOpenAlert,
  listAlertHistory,
  listOpenAlerts,
  overdueTickets,
  pausedOperators,
  upsertThresholds,
  windowStats,
  type AlertRow,
  type LineThresholds,
} from './alert.repository.js';

/** Overdue tickets judged per line and look (the most recently due): a backlog of old ones is a report, not an alarm. */
const OVERDUE_PER_LINE = 100;

export interface AlertDto {
  id: string;
  kind: AlertKind;
  line: Line;
  subject: string;
  value: number;
  threshold: number;
  detail: Record<string, unknown>;
  raisedAt: string;
  clearedAt: string | null;
}

/** What the supervisor pages are pushed: the open alerts, and which of them are new since the last push. */
export interface AlertsPush {
  active: AlertDto[];
  raised: string[];
}

export interface AlertServiceDeps {
  db: Db;
  log: Logger;
  /** The node this instance drives: its waiting callers are the ones it judges. */
  node: string;
  serviceLevelSec: number;
  /** The configured lines: each is judged with its own thresholds (a line added by the admin API from its next look). */
  lines: LineCatalog;
  /** When this instance's longest waiting caller of a line took their place (the call core's memory). */
  oldestWaiting(line: Line): Date | null;
  /** Delivery of the stored outbound events starts (the events are in Postgres already). */
  kickDeliveries(): Promise<unknown>;
  now?: () => Date;
}

export const toAlertDto = (a: AlertRow): AlertDto => ({
  id: a.id,
  kind: a.kind,
  line: a.line,
  subject: a.subject,
  value: a.value,
  threshold: a.threshold,
  detail: a.detail,
  raisedAt: a.raised_at.toISOString(),
  clearedAt: a.cleared_at?.toISOString() ?? null,
});

export class AlertService {
  private readonly listeners: ((p: AlertsPush) => void)[] = [];
  private known: Set<string> | undefined;
  private running = false;
  private readonly now: () => Date;

  constructor(private readonly d: AlertServiceDeps) {
    this.now = d.now ?? (() => new Date());
  }

  /** The wallboard notifier listens: called when the set of open alerts changed. */
  onChange(fn: (p: AlertsPush) => void): void {
    this.listeners.push(fn);
  }

  async active(): Promise<AlertDto[]> {
    return (await listOpenAlerts(this.d.db)).map(toAlertDto);
  }

  async history(f: { from: Date; to: Date; line?: Line; kind?: AlertKind; limit: number }): Promise<AlertDto[]> {
    return (await listAlertHistory(this.d.db, f)).map(toAlertDto);
  }

  thresholds(): Promise<LineThresholds[]> {
    return getThresholds(this.d.db, this.d.lines.ids());
  }

  async setThresholds(line: Line, t: AlertThresholds, by: string): Promise<LineThresholds> {
    if (!this.d.lines.has(line)) throw new UnknownLineError(line, this.d.lines.ids(), '/line');
    await upsertThresholds(this.d.db, line, t, by);
    return (await getThresholds(this.d.db, [line]))[0] as LineThresholds;
  }

  /** One look: raise what started, clear what ended, push when the open set changed. Overlapping looks are skipped. */
  async evaluate(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.now();
      const [thresholds, open] = await Promise.all([getThresholds(this.d.db, this.d.lines.ids()), listOpenAlerts(this.d.db)]);
      const figures = await this.figures(thresholds, open, now);
      const holding = figures.flatMap((f) => conditionsOf(f, thresholds.find((t) => t.line === f.line) as AlertThresholds, now));
      const { raise, clear } = decide(open, holding, judgedBy(this.d.node));
      const raised: string[] = [];
      let cleared = 0;
      for (const c of raise) {
        const id = await this.raise(c);
        if (id) raised.push(id);
      }
      for (const a of clear) cleared += (await this.clear(a.id)) ? 1 : 0;
      const events = raised.length + cleared;
      if (events) await this.d.kickDeliveries().catch((err: Error) => this.d.log.warn({ err: err.message }, 'alert events not kicked; the sweep delivers them'));
      // Read again whenever something was to change, whoever changed it (another instance may have been first).
      await this.pushIfChanged(raise.length || clear.length ? undefined : open, raised);
    } finally {
      this.running = false;
    }
  }

  private async figures(thresholds: LineThresholds[], open: AlertRow[], now: Date): Promise<LineFigures[]> {
    const slSince = new Date(now.getTime() - SERVICE_LEVEL_WINDOW_MIN * 60_000);
    const windows = [...new Set(thresholds.map((t) => t.abandonWindowMin))];
    const openTickets = open.filter((a) => a.kind === 'sla_breach').map((a) => a.subject);
    const lines = thresholds.map((t) => t.line);
    const [sl, paused, overdue, ...abandon] = await Promise.all([
      windowStats(this.d.db, slSince, this.d.serviceLevelSec, lines),
      pausedOperators(this.d.db),
      overdueTickets(this.d.db, now, OVERDUE_PER_LINE, openTickets),
      ...windows.map((m) => windowStats(this.d.db, new Date(now.getTime() - m * 60_000), this.d.serviceLevelSec, lines)),
    ]);
    return thresholds.map((t) => {
      const line = t.line;
      const s = sl.find((x) => x.line === line);
      const a = abandon[windows.indexOf(t.abandonWindowMin)]?.find((x) => x.line === line);
      return {
        line,
        waiting: { node: this.d.node, oldestSince: this.d.oldestWaiting(line) },
        serviceLevel: { offered: s?.offered ?? 0, inTarget: s?.inTarget ?? 0 },
        abandon: { offered: a?.offered ?? 0, abandoned: a?.abandoned ?? 0 },
        paused: paused.filter((p) => p.line === line).map((p) => ({ operatorId: p.id, name: p.name, reason: p.reason, since: p.since })),
        overdue: overdue.filter((o) => o.line === line),
      };
    });
  }

  /** The alert and its event in one transaction; its id, or undefined when another instance raised it first. */
  private async raise(c: Condition): Promise<string | undefined> {
    return this.withEvent('alert.raised', (trx) => insertOpenAlert(trx, c));
  }

  private async clear(id: string): Promise<string | undefined> {
    return this.withEvent('alert.cleared', (trx) => clearOpenAlert(trx, id));
  }

  private async withEvent(type: OutboundEventType, change: (trx: Db) => Promise<AlertRow | undefined>): Promise<string | undefined> {
    try {
      const row = await this.d.db.transaction().execute(async (trx) => {
        const r = await change(trx);
        if (r) await insertEventWithDeliveries(trx, type, { alert: toAlertDto(r) });
        return r;
      });
      if (row) this.d.log.info({ alert: toAlertDto(row), type }, type === 'alert.raised' ? 'alert raised' : 'alert cleared');
      return row?.id;
    } catch (err) {
      this.d.log.warn({ type, err: (err as Error).message }, 'alert change not stored; the next look tries again');
      return undefined;
    }
  }

  /** Tells the listeners when the open alerts differ from the last push (raised or cleared here or by another instance). */
  private async pushIfChanged(openNow: AlertRow[] | undefined, raisedHere: readonly string[]): Promise<void> {
    const open = openNow ?? (await listOpenAlerts(this.d.db));
    const ids = new Set(open.map((a) => a.id));
    const before = this.known;
    this.known = ids;
    if (before && before.size === ids.size && [...ids].every((id) => before.has(id))) return;
    // The first look after the start announces as new only what it raised itself: the others were raised before.
    const raised = before ? [...ids].filter((id) => !before.has(id)) : raisedHere.filter((id) => ids.has(id));
    const push: AlertsPush = { active: open.map(toAlertDto), raised };
    for (const fn of this.listeners) fn(push);
  }
}
