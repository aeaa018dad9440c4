// The service's periodic work, started once the service is up and stopped with it: the sweep of
// orphaned recordings, the 2-second re-offer of waiting lines, the overload guard's looks, and
// the supervisor alerts' evaluation.
// Part of the composition root (app.ts), apart only for its length.
import type { IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface AppTimerDeps {
  log: Logger;
  sweepIntervalSec: number;
  /** Orphaned spool files (a crash, or the dialplan fallback). */
  sweepRecordings(): Promise<unknown>;
  /** Free operators read again (changes made through another instance). */
  refreshOperators(): Promise<unknown>;
  /** Waiting lines offered again to whoever is free. */
  recheckQueues(): void;
  /** Callbacks another instance's job put in waiting (several nodes: docs/scaling.md). */
  adoptWaitingCallbacks(): Promise<unknown>;
  /** The overload guard looks (every 0.5 s) at the event loop's delay, measured here. */
  lag: IntervalHistogram;
  sampleOverload(): void;
  /** The missed-calls worklist follows the calls written since its last look (src/missed/). */
  followMissedCalls(): Promise<unknown>;
  /** Supervisor alerts judged again (src/alerts/), every alertEvalSec. */
  alertEvalSec: number;
  evaluateAlerts(): Promise<unknown>;
}

export function startAppTimers(d: AppTimerDeps): { stop(): void } {
  const sweep = setInterval(() => {
    d.sweepRecordings().catch((err: Error) => d.log.warn({ err: err.message }, 'recording sweep failed'));
  }, d.sweepIntervalSec * 1000);
  sweep.unref();
  const recheck = setInterval(() => {
    d.refreshOperators()
      .catch((err: Error) => d.log.warn({ err: err.message }, 'operators not read again'))
      .finally(() => d.recheckQueues());
    d.adoptWaitingCallbacks().catch((err: Error) => d.log.warn({ err: err.message }, 'adopting waiting callbacks failed'));
    d.followMissedCalls().catch((err: Error) => d.log.warn({ err: err.message }, 'missed calls not followed'));
  }, 2000);
  recheck.unref();
  // The event loop's delays of the start itself (loading, connecting, reclaiming) are no
  // overload: the guard looks from 5 s after the start on.
  let load: NodeJS.Timeout = setTimeout(() => {
    d.lag.reset();
    load = setInterval(() => {
      d.sampleOverload();
      d.lag.reset();
    }, 500);
    load.unref();
  }, 5000);
  load.unref();
  const alerts = setInterval(() => {
    d.evaluateAlerts().catch((err: Error) => d.log.warn({ err: err.message }, 'alerts not evaluated'));
  }, d.alertEvalSec * 1000);
  alerts.unref();
  return {
    stop() {
      clearInterval(alerts);
      clearInterval(sweep);
      clearInterval(recheck);
      clearTimeout(load); // clears an interval as well
    },
  };
}
