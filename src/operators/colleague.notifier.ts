// Tells open panels when colleagues' states change (the panel's colleague list: internal calls).
// A state changes several times per call for hundreds of operators: the changes are gathered and
// sent once a second at most, one event per open panel, so a busy floor costs a handful of
// events a second instead of one per change per panel. Only changes made or heard on this
// instance are told; a panel reads the whole list again when it opens it.
import type { Logger } from 'pino';
import type { Colleague } from './colleague.js';

/** The part of the panel notifier this needs (panel/panel.notifier.ts). */
export interface PanelPush {
  connected(): string[];
  send(operatorId: string, event: string, data: unknown): void;
}

export class ColleagueNotifier {
  private readonly pending = new Map<string, Colleague>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly panels: PanelPush, private readonly log: Logger, private readonly everyMs = 1000) {}

  changed(c: Colleague): void {
    this.pending.set(c.id, c);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const changes = [...this.pending.values()];
    this.pending.clear();
    const to = this.panels.connected();
    for (const id of to) this.panels.send(id, 'colleagues', { changes: changes.filter((c) => c.id !== id) });
    this.log.debug({ changes: changes.length, panels: to.length }, 'colleague states sent');
  }
}
