// The call core's wiring: the call service with its settings and observers, the overload guard
// that sheds new callers to the dialplan while the service falls behind, and the accounting of
// callers the dialplan's fallback queue took. Part of the composition root (app.ts), apart only
// for its length.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { CallService, type CallServiceDeps } from './calls/call.service.js';
import { FallbackCalls } from './calls/fallback-calls.js';
import { OverloadGuard } from './calls/overload-guard.js';
import type { Config } from './config.js';
import type { Metrics } from './metrics/metrics.js';
import type { AmiConnection } from './pbx/ami-connection.js';
import { countStaffed } from './operators/operator.repository.js';

export type CallCoreDeps = Omit<CallServiceDeps, 'overload' | 'fallback' | 'observer' | 'settings' | 'staffed'> & {
  config: Config;
  ami: Pick<AmiConnection, 'onFallbackCall'>;
  /** Assigned after the call core exists (it reads the core): read at each observation. */
  metrics: () => Metrics;
  /** A call starting, a digit acted on, a transition: the screen pops are made ahead (pop-cache.ts), the wallboard pushed. */
  pops: { transitioned(): void };
  boards: { changed(): void };
};

export function createCallCore(d: CallCoreDeps): { calls: CallService; overload: OverloadGuard; lag: IntervalHistogram } {
  const { config, log, ledger, db } = d;
  // Callers the dialplan's fallback queue took (shed, or drained) get their rows and tickets too.
  const fallbackCalls = new FallbackCalls({
    ledger,
    recordings: d.recordings,
    log: log.child({ component: 'fallback-calls' }),
    node: config.ari.node,
    defaultLanguage: config.ivr.defaultLanguage,
    operatorOf: async (endpoint) => (await d.operators.byEndpoint(endpoint))?.id ?? null,
    ticketFor: async (caller) => (await d.tickets.openForCall(db, caller)).id,
    lines: d.lines,
  });
  d.ami.onFallbackCall((e) => {
    if (e.kind === 'started') fallbackCalls.started(e);
    else fallbackCalls.ended(e).catch((err: Error) => log.error({ err: err.message }, 'fallback call not accounted for'));
  });
  // Overload: new callers are shed to the dialplan fallback while the service falls behind.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const overload: OverloadGuard = new OverloadGuard(
    {
      lagMs: () => lag.percentile(99) / 1e6,
      // A backlog because Postgres is away is no overload: the service is not behind, and the
      // fallback path would not write the calls any sooner.
      backlogMs: () => {
        const st = ledger.stats();
        return st.failingSince === null ? st.oldestMs : 0;
      },
      unanswered: (): number => calls.unanswered,
    },
    d.pbx,
    config.overload,
    log.child({ component: 'overload' }),
  );
  const metrics = d.metrics;
  const { config: _config, ami: _ami, metrics: _metrics, pops, boards, ...core } = d;
  const calls: CallService = new CallService({
    ...core,
    overload,
    fallback: fallbackCalls,
    staffed: (line) => countStaffed(db, line, config.ari.node),
    observer: {
      callEnded: (s, l) => metrics().callEnded(s, l),
      queueToRing: (ms, l) => metrics().queueToRing(ms, l),
      ivrStep: (ms) => {
        metrics().ivrStep(ms);
        pops.transitioned();
      },
      callRow: (ms) => {
        metrics().callRow(ms);
        pops.transitioned();
      },
      dispatched: (ms, l) => metrics().dispatched(ms, l),
      transitioned: () => {
        boards.changed();
        pops.transitioned();
      },
    },
    settings: {
      node: config.ari.node,
      promptsDir: config.ivr.promptsDir,
      defaultLanguage: config.ivr.defaultLanguage,
      ringTimeoutSec: config.sip.operatorRingTimeoutSec,
      priority: config.sip.priority,
      surveyTimeoutSec: config.sip.surveyTimeoutSec,
      recordLegs: config.sip.recordLegs,
      callback: {
        mode: config.callbacks.mode,
        key: config.callbacks.key,
        offerAfterSec: config.callbacks.offerAfterSec,
        announceSec: config.callbacks.announceSec,
        ringSec: config.callbacks.ringSec,
        dialTemplate: config.callbacks.dialTemplate,
      },
    },
  });
  return { calls, overload, lag };
}
