// Overload degrades, never collapses. When the service falls behind its calls (its event loop
// lags, the call ledger's writes back up, or callers wait to be answered), new callers are shed
// to the dialplan's own path: the fallback queue with the same operators and MixMonitor, which
// plain Asterisk handles at its own capacity. Calls already here stay here. Once every signal
// has been back under half its bound for `recoverSec`, new callers come to the service again.
//
// The switch is a global variable the dialplan reads before Stasis() (extensions.conf), so shed
// callers never reach the app at all: that is what keeps a service past its limit from taking
// on more. Callers who reach the app while the switch is being set are handed back one by one.
import type { Logger } from 'pino';

export interface LoadSignals {
  /** Event-loop delay, p99 over the last sample window, ms. */
  lagMs(): number;
  /** How long the oldest unwritten change of a call has waited, ms. */
  backlogMs(): number;
  /** New callers whose channel the service has not answered yet. */
  unanswered(): number;
}

export interface ShedSwitch {
  setShedding(on: boolean): Promise<void>;
}

export interface OverloadSettings {
  /** Bounds of the signals; 0 turns that signal off. */
  lagMs: number;
  backlogMs: number;
  unanswered: number;
  /** How long every signal must be under half its bound before callers are taken back. */
  recoverSec: number;
}

export type ShedReason = 'lag' | 'backlog' | 'unanswered';

/** How often callers reaching the app while shedding may have the switch set again. */
const REASSERT_MS = 5000;

export class OverloadGuard {
  private on = false;
  private calmSince: number | undefined;
  /** Looks in a row with a signal over its bound: one alone is a blip (a GC pause, a burst), two are overload. */
  private overLooks = 0;
  /** When a caller who came while shedding last had the switch set again. */
  private reassertedAt = 0;
  /** Times the switch was turned on, for metrics and the bench. */
  sheds = 0;

  constructor(
    private readonly signals: LoadSignals,
    private readonly sw: ShedSwitch,
    private readonly s: OverloadSettings,
    private readonly log: Logger,
    private readonly onChange: (on: boolean, reason: ShedReason | null) => void = () => undefined,
  ) {}

  get shedding(): boolean {
    return this.on;
  }

  /** One look at the signals (every half second); switches when they say so. */
  sample(now = Date.now()): void {
    const over = this.reason(1);
    this.overLooks = over ? this.overLooks + 1 : 0;
    if (!this.on && over && this.overLooks >= 2) {
      this.on = true;
      this.sheds++;
      this.calmSince = undefined;
      this.log.warn({ reason: over, lagMs: this.signals.lagMs(), backlogMs: this.signals.backlogMs(), unanswered: this.signals.unanswered() }, 'overloaded: new callers go to the dialplan fallback');
      this.flip(true, over);
      return;
    }
    if (!this.on) return;
    if (this.reason(0.5)) {
      this.calmSince = undefined;
      return;
    }
    this.calmSince ??= now;
    if (now - this.calmSince >= this.s.recoverSec * 1000) {
      this.on = false;
      this.log.warn('recovered: new callers come to the service again');
      this.flip(false, null);
    }
  }

  /**
   * A caller reached the app (Stasis) although the dialplan should have shed them: it has most
   * likely lost the switch (a `dialplan reload` resets [globals], PBXDESK_SHED with them), so it
   * is set again; at most every REASSERT_MS, as callers who came while it was being set do too.
   */
  callerWhileShedding(now = Date.now()): void {
    if (!this.on || now - this.reassertedAt < REASSERT_MS) return;
    this.reassertedAt = now;
    this.reassert();
  }

  /** Asterisk forgot the switch (it restarted, or we reconnected): set it again. */
  reassert(): void {
    this.sw.setShedding(this.on).catch((err: Error) => this.log.warn({ err: err.message }, 'shed switch not set'));
  }

  private flip(on: boolean, reason: ShedReason | null): void {
    this.onChange(on, reason);
    this.sw.setShedding(on).catch((err: Error) => this.log.error({ err: err.message, on }, 'shed switch not set'));
  }

  private reason(scale: number): ShedReason | null {
    const over = (bound: number, v: number) => bound > 0 && v > bound * scale;
    if (over(this.s.lagMs, this.signals.lagMs())) return 'lag';
    if (over(this.s.backlogMs, this.signals.backlogMs())) return 'backlog';
    if (over(this.s.unanswered, this.signals.unanswered())) return 'unanswered';
    return null;
  }
}
