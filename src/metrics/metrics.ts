// Prometheus metrics. Counters and histograms are fed through the domain's observer
// interfaces; gauges are read at scrape time from the parts that own the numbers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallObserver } from '../calls/call-observer.js';
import type { CallStatus } from '../calls/call-state-machine.js';
import type { OperatorState } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import type { JobObserver } from '../recordings/recording-archive.worker.js';
import type { DeliveryObserver } from '../outbound/outbound.service.js';
import type { VerificationObserver } from '../verification/verification.service.js';
import type { VerifyOutcome } from '../verification/verification.table.js';

export interface MetricSources {
  calls(): {
    calls: { status: CallStatus; line: Line | null; count: number }[];
    waiting: { line: Line; count: number; longestMs: number }[];
  };
  operators(): Promise<{ line: Line; state: OperatorState; count: number }[]>;
  connections(): { ari: boolean; ami: boolean; ariReconnects: number; amiReconnects: number };
  queues(): Promise<Record<string, Record<string, number>>>;
  /** The configured lines: each has its waiting series, 0 when nobody waits (a line added at run time too). */
  lines?(): readonly Line[];
  /** Overload shedding and the call ledger's write-behind backlog. */
  load?(): { shedding: boolean; sheds: number; ledgerBacklog: number; ledgerOldestMs: number; ledgerFailing: boolean };
}

export class Metrics implements CallObserver, JobObserver, DeliveryObserver, VerificationObserver {
  readonly registry = new Registry();
  private readonly callsTotal: Counter;
  private readonly queueToRingSeconds: Histogram;
  private readonly ivrStepSeconds: Histogram;
  private readonly callRowSeconds: Histogram;
  private readonly ledgerWriteSeconds: Histogram;
  private readonly dispatchSeconds: Histogram;
  private readonly jobSeconds: Histogram;
  private readonly screenPopSeconds: Histogram;
  private readonly jobFailures: Counter;
  private readonly archivedBytes: Counter;
  private readonly outboundDeliveries: Counter;
  private readonly verificationFailures: Counter;
  private readonly verificationBudgetAlerts: Counter;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.callsTotal = new Counter({ name: 'pbxdesk_calls_total', help: 'Calls ended, by outcome and line', labelNames: ['outcome', 'line'], registers });
    this.queueToRingSeconds = new Histogram({
      name: 'pbxdesk_queue_to_ring_seconds', help: 'From entering the queue to the operator being rung', labelNames: ['line'], registers,
      // Fine at the low end: the load benchmark reads percentiles against a 100 ms target.
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 5, 30, 120, 600],
    });
    this.ivrStepSeconds = new Histogram({
      name: 'pbxdesk_ivr_step_seconds', help: 'From a digit keyed to the IVR acting on it', registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    });
    this.dispatchSeconds = new Histogram({
      name: 'pbxdesk_dispatch_seconds', help: 'From a waiting caller and a free operator both being there to the operator being dialled', labelNames: ['line'], registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    });
    this.callRowSeconds = new Histogram({
      name: 'pbxdesk_stasis_to_call_row_seconds', help: "From a call's StasisStart (Asterisk's event time) to its row written", registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    });
    this.ledgerWriteSeconds = new Histogram({
      name: 'pbxdesk_ledger_write_seconds', help: "From a call's change made in memory to its being in Postgres (the call ledger's write-behind)", registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120],
    });
    this.screenPopSeconds = new Histogram({
      name: 'pbxdesk_screen_pop_seconds', help: "From an operator being rung to their panel's pop being sent, by where it came from (ahead, memory, at-ring)", labelNames: ['made'], registers,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 5],
    });
    this.jobSeconds = new Histogram({ name: 'pbxdesk_job_duration_seconds', help: 'BullMQ job run time', labelNames: ['queue'], registers });
    this.jobFailures = new Counter({ name: 'pbxdesk_job_failures_total', help: 'BullMQ job attempts that failed', labelNames: ['queue'], registers });
    this.archivedBytes = new Counter({ name: 'pbxdesk_recordings_archived_bytes_total', help: 'Bytes written to the recording archive', registers });
    this.outboundDeliveries = new Counter({
      name: 'pbxdesk_outbound_deliveries_total',
      help: 'Webhook and helpdesk connector delivery attempts, by connector and result (delivered, failed and retried, dead letter)',
      labelNames: ['connector', 'result'],
      registers,
    });

    this.verificationFailures = new Counter({ name: 'pbxdesk_verification_failures_total', help: 'Failed one-time code checks, by outcome', labelNames: ['outcome'], registers });
    this.verificationBudgetAlerts = new Counter({
      name: 'pbxdesk_verification_budget_exceeded_total',
      help: 'Minutes in which failed code checks across all callers exceeded VERIFY_FAILURE_BUDGET_PER_MIN (alert on any increase: codes may be being guessed)',
      registers,
    });
    new Gauge({
      name: 'pbxdesk_calls_in_progress', help: 'Calls now, by state and line', labelNames: ['state', 'line'], registers,
      collect() {
        this.reset();
        for (const c of sources.calls().calls) this.set({ state: c.status, line: c.line ?? 'none' }, c.count);
      },
    });
    // Per configured line, and any other line a caller still waits on; a line removed from the
    // configuration drops out once nobody waits on it.
    const waitingByLine = () => {
      const byLine = new Map<Line, { count: number; longestMs: number }>((sources.lines?.() ?? []).map((l) => [l, { count: 0, longestMs: 0 }]));
      for (const w of sources.calls().waiting) byLine.set(w.line, w);
      return byLine;
    };
    new Gauge({
      name: 'pbxdesk_callers_waiting', help: 'Callers waiting per line', labelNames: ['line'], registers,
      collect() {
        this.reset();
        for (const [line, w] of waitingByLine()) this.set({ line }, w.count);
      },
    });
    new Gauge({
      name: 'pbxdesk_longest_wait_seconds', help: 'Longest current wait per line', labelNames: ['line'], registers,
      collect() {
        this.reset();
        for (const [line, w] of waitingByLine()) this.set({ line }, w.longestMs / 1000);
      },
    });
    new Gauge({
      name: 'pbxdesk_operators', help: 'Operators by state and line', labelNames: ['state', 'line'], registers,
      async collect() {
        this.reset();
        for (const o of await sources.operators()) this.set({ state: o.state, line: o.line }, o.count);
      },
    });
    new Gauge({
      name: 'pbxdesk_pbx_connected', help: '1 when the ARI or AMI connection is up', labelNames: ['interface'], registers,
      collect() {
        const c = sources.connections();
        this.set({ interface: 'ari' }, c.ari ? 1 : 0);
        this.set({ interface: 'ami' }, c.ami ? 1 : 0);
      },
    });
    new Gauge({
      name: 'pbxdesk_pbx_reconnects', help: 'Reconnects since start', labelNames: ['interface'], registers,
      collect() {
        const c = sources.connections();
        this.set({ interface: 'ari' }, c.ariReconnects);
        this.set({ interface: 'ami' }, c.amiReconnects);
      },
    });
    new Gauge({
      name: 'pbxdesk_load', help: 'shedding: 1 while new callers go to the dialplan fallback (overload-guard.ts); sheds: times it started; ledger_backlog, ledger_oldest_seconds, ledger_failing: call changes not yet in Postgres',
      labelNames: ['what'], registers,
      collect() {
        const l = sources.load?.();
        if (!l) return;
        this.set({ what: 'shedding' }, l.shedding ? 1 : 0);
        this.set({ what: 'sheds' }, l.sheds);
        this.set({ what: 'ledger_backlog' }, l.ledgerBacklog);
        this.set({ what: 'ledger_oldest_seconds' }, l.ledgerOldestMs / 1000);
        this.set({ what: 'ledger_failing' }, l.ledgerFailing ? 1 : 0);
      },
    });
    new Gauge({
      name: 'pbxdesk_queue_jobs', help: 'BullMQ jobs by queue and state (the archive backlog is recording-archive waiting+active+delayed)',
      labelNames: ['queue', 'state'], registers,
      async collect() {
        for (const [queue, counts] of Object.entries(await sources.queues())) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
  }

  callEnded(status: CallStatus, line: Line | null): void {
    this.callsTotal.inc({ outcome: status, line: line ?? 'none' });
  }

  queueToRing(ms: number, line: Line): void {
    this.queueToRingSeconds.observe({ line }, ms / 1000);
  }

  dispatched(ms: number, line: Line): void {
    this.dispatchSeconds.observe({ line }, Math.max(0, ms) / 1000);
  }

  screenPopSent(ms: number, made: string): void {
    this.screenPopSeconds.observe({ made }, Math.max(0, ms) / 1000);
  }

  ledgerWritten(ms: number): void {
    this.ledgerWriteSeconds.observe(Math.max(0, ms) / 1000);
  }

  callRow(ms: number): void {
    this.callRowSeconds.observe(Math.max(0, ms) / 1000);
  }

  ivrStep(ms: number): void {
    this.ivrStepSeconds.observe(ms / 1000);
  }

  jobDone(queue: string, ms: number, ok: boolean): void {
    this.jobSeconds.observe({ queue }, ms / 1000);
    if (!ok) this.jobFailures.inc({ queue });
  }

  archived(bytes: number): void {
    this.archivedBytes.inc(bytes);
  }

  delivery(connector: string, result: 'delivered' | 'failed' | 'dead'): void {
    this.outboundDeliveries.inc({ connector, result });
  }

  verificationFailed(outcome: VerifyOutcome): void {
    this.verificationFailures.inc({ outcome });
  }

  verificationBudgetExceeded(): void {
    this.verificationBudgetAlerts.inc();
  }
}
