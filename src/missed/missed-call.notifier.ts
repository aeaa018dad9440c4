// Missed-calls entries to the operator panels of their line (and supervisors'), through the panel
// notifier (the only thing that pushes to panels). Panels are connected to the instance of their
// operator's node, so each instance pushes what changed anywhere, not only what it changed
// itself: at every look it reads the entries changed since its last one (a few seconds of
// overlap for transactions that committed late), and skips what it already sent.
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { PanelNotifier } from '../panel/panel.notifier.js';
import type { Line } from '../vocabulary.js';
import { toMissedCallDto } from './missed-call.dto.js';
import { changedSince, operatorIdsForLine, type MissedCallRow } from './missed-call.repository.js';

const OVERLAP_MS = 5000;

export class MissedCallNotifier {
  private since: Date | null = null;
  /** id → updated_at (ms) of what was pushed lately. */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly panels: Pick<PanelNotifier, 'send' | 'connected'>,
    private readonly refusal: (number: string) => string | undefined,
    private readonly log: Logger,
  ) {}

  /** Entries to their line's panels now (each version once). */
  async publish(rows: readonly MissedCallRow[]): Promise<void> {
    const byLine = new Map<Line, MissedCallRow[]>();
    for (const r of rows) {
      const at = r.updated_at.getTime();
      if ((this.sent.get(r.id) ?? -1) >= at) continue;
      this.sent.set(r.id, at);
      byLine.set(r.line, [...(byLine.get(r.line) ?? []), r]);
    }
    const connected = new Set(this.panels.connected());
    for (const [line, list] of byLine) {
      if (!connected.size) break; // nobody to tell: no query for the line's operators
      const ids = (await operatorIdsForLine(this.db, line)).filter((id) => connected.has(id));
      for (const r of list) {
        const dto = toMissedCallDto(r, this.refusal);
        for (const id of ids) this.panels.send(id, 'missed-call', dto);
      }
    }
    const old = Date.now() - 10 * OVERLAP_MS;
    for (const [id, at] of this.sent) if (at < old) this.sent.delete(id);
  }

  /** What changed since the last look, by any instance. The first look only starts the clock. */
  async catchUp(): Promise<void> {
    const { rows, now } = await changedSince(this.db, this.since && new Date(this.since.getTime() - OVERLAP_MS));
    this.since = now;
    if (rows.length) this.log.debug({ entries: rows.length }, 'missed calls changed');
    await this.publish(rows);
  }
}
