// Pushes the wallboard to open supervisor pages when something changed (a call moved, an
// operator changed state), never on a timer: many changes within THROTTLE_MS make one push, and
// nothing is counted while no page is open. A page that just opened gets the board at once.
// Alerts (src/alerts/) go out on the same streams as event: alerts, when the open set changes.
import type { Logger } from 'pino';
import type { EventStream } from '../http/event-stream.js';
import type { WallboardService } from './wallboard.service.js';

const THROTTLE_MS = 150;

/** The open alerts, and the ids raised since the last push (the page sounds for those). */
export interface AlertsEvent {
  active: unknown[];
  raised: string[];
}

export class WallboardNotifier {
  private readonly streams = new Set<EventStream>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private alerts: AlertsEvent | undefined;

  constructor(private readonly board: WallboardService, private readonly log: Logger) {}

  attach(stream: EventStream): () => void {
    this.streams.add(stream);
    this.board.snapshot().then(
      (b) => stream.send('wallboard', b),
      (err: Error) => this.log.warn({ err: err.message }, 'wallboard not sent'),
    );
    // Nothing is new to a page that just opened: it shows the open alerts without a sound.
    if (this.alerts) stream.send('alerts', { active: this.alerts.active, raised: [] });
    return () => this.streams.delete(stream);
  }

  alertsChanged(e: AlertsEvent): void {
    this.alerts = e;
    for (const s of this.streams) s.send('alerts', e);
  }

  changed(): void {
    if (!this.streams.size || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.push();
    }, THROTTLE_MS);
    this.timer.unref();
  }

  private async push(): Promise<void> {
    if (this.running) {
      this.again = true; // one more after this one, with what changed meanwhile
      return;
    }
    this.running = this.board
      .snapshot()
      .then((b) => {
        for (const s of this.streams) s.send('wallboard', b);
      })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'wallboard not sent'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
  }

  closeAll(): void {
    clearTimeout(this.timer);
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}
