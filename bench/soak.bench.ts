// Soak and fault runs (issue: measured capacity). The load benchmark's call shape (SIPp callers
// keying 1 or 2, SIPp operators, every call recorded) held at one rate: first for `minutes`
// with nothing else happening (is memory flat, does the event-loop lag rise, is every call in
// the database and every answered call recorded), then three faults under the same load: the
// service SIGKILLed (and started again at once, as a supervisor would), Redis restarted, and
// Postgres refusing connections for 10 s. For each: the calls in progress at that moment, how
// many of them did not complete, and the time until the service was ready again.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { gauge, histogram, histogramPercentile, procStat, sippCounts, trunkChannels } from './load-probes.js';
import { apiClient } from '../test/harness/api-client.js';
import { BASELINE_NUMBER, SERVICE_NUMBER, ari, callerRuns, installBaseline, env, exited, freePort, recordingCheck, round, sleep, startOperators, startService } from './load-rig.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { sql } from 'kysely';
import { createDb } from '../src/db/database.js';
import { isFinal, type CallStatus } from '../src/calls/call-state-machine.js';

export interface SoakOptions {
  minutes: number;
  cps: number;
  talkSec: number;
  operators: number;
  /** Load around each fault: this long in all, the fault a third of the way in. */
  faultWindowSec: number;
  faults: boolean;
  /** Overload: this rate (twice the best passing one) for `overloadSec`, then the soak's rate again; 0: no overload phase. */
  overloadCps: number;
  overloadSec: number;
  /**
   * Soak the plain-dialplan baseline instead (the load bench's: Answer, MixMonitor, Read, Queue
   * to the same operators) at the same rate: what the machine sustains without the service. No
   * faults, no rows or archive to check; the overload phase runs through the plain dialplan too,
   * so the service's overload figures have plain Asterisk's beside them on the same machine.
   */
  baseline?: boolean;
}

type Fault = 'sigkill-service' | 'restart-redis' | 'postgres-refusing-10s' | 'sigkill-while-postgres-away';

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const num = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den ? num / den : 0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function stack(fn: string): void {
  const r = spawnSync('bash', ['-c', `. scripts/lib.sh && stack_env && ${fn}`], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${fn}: ${r.stderr.toString()}`);
}

async function waitReady(base: string, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200) return Date.now();
    await sleep(100);
  }
  throw new Error('the service did not become ready again');
}

/** The calls of a caller prefix: all, not final, and those in progress at `at` that did not complete. */
async function account(prefix: string, at?: Date) {
  const db = createDb(env.DATABASE_URL as string, 2);
  try {
    const rows = await db.selectFrom('calls').select(['status', 'entered_at', 'ended_at', 'hangup_by']).where('caller_number', 'like', `${prefix}%`).execute();
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const inProgress = at ? rows.filter((r) => r.entered_at <= at && (!r.ended_at || r.ended_at > at)) : [];
    return {
      rows: rows.length,
      notFinal: rows.filter((r) => !isFinal(r.status as CallStatus) || !r.ended_at).length,
      byStatus,
      inProgressAtFault: inProgress.length,
      inProgressNotCompleted: inProgress.filter((r) => r.status !== 'completed').length,
    };
  } finally {
    await db.destroy();
  }
}

async function drain(): Promise<void> {
  // -1 (Asterisk did not answer) is not "drained".
  for (let i = 0; i < 180 && (await trunkChannels(ari)) !== 0; i++) await sleep(1000);
}

export async function soakBench(o: SoakOptions) {
  const run = randomBytes(2).toString('hex').replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10));
  const port = await freePort();
  const metricsToken = randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const scrape = async () => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).catch(() => undefined))?.text();
  let service: ChildProcess = await startService(port, metricsToken);
  const api = apiClient(base);
  const ops = await startOperators(api, run, o.operators, o.talkSec).catch(async (err: Error) => {
    service.kill('SIGKILL');
    throw err;
  });
  try {
    // ---- the soak ----
    const soakPrefix = `6${run}0`;
    const sec = o.minutes * 60;
    if (o.baseline) await installBaseline();
    process.stderr.write(`[soak] ${o.minutes} min at ${o.cps} calls/s${o.baseline ? ' through the plain dialplan' : ''}\n`);
    const ledgerBefore = histogram((await scrape()) ?? '', 'pbxdesk_ledger_write_seconds');
    const soakCallers = await callerRuns({ name: 'soak', number: o.baseline ? BASELINE_NUMBER : SERVICE_NUMBER, prefix: soakPrefix, cps: o.cps, sec, timeoutSec: sec + o.talkSec + 180 });
    let finished = false;
    void Promise.all(soakCallers.map((c) => c.done)).then(() => (finished = true));
    const t0 = Date.now();
    const samples: { t: number; rssMb: number; lagMs: number | null; concurrent: number }[] = [];
    while (!finished) {
      await sleep(5000);
      const st = await procStat(service.pid as number);
      const lag = gauge((await scrape()) ?? '', 'nodejs_eventloop_lag_p99_seconds');
      samples.push({ t: (Date.now() - t0) / 1000, rssMb: round(st?.rssMb ?? 0), lagMs: lag === null ? null : round(lag * 1000), concurrent: await trunkChannels(ari) });
      if (samples.length % 12 === 0) process.stderr.write(`[soak] ${Math.round((Date.now() - t0) / 1000)} s: ${samples.at(-1)?.concurrent} calls up, RSS ${samples.at(-1)?.rssMb} MB, lag p99 ${samples.at(-1)?.lagMs} ms\n`);
    }
    const soakSipp = (await Promise.all(soakCallers.map((c) => c.done))).map((r) => sippCounts(r.stdout));
    await drain();
    // Each change's way to Postgres over the soak (issue 17: a transition within 1 s at p99).
    const ledgerAfter = histogram((await scrape()) ?? '', 'pbxdesk_ledger_write_seconds');
    const ledgerMs = (p: number) => histogramPercentile(ledgerBefore, ledgerAfter, p);
    // Warm-up (the first fifth: pools, JIT, the first calls' tickets) is left out of the trends.
    const steady = samples.filter((s) => s.t >= sec * 0.2 && s.t <= sec);
    const rssSlope = slope(steady.map((s) => s.t / 60), steady.map((s) => s.rssMb));
    const rssMean = steady.reduce((a, s) => a + s.rssMb, 0) / Math.max(1, steady.length);
    const lags = steady.filter((s) => s.lagMs !== null).map((s) => s.lagMs as number);
    const third = Math.max(1, Math.floor(lags.length / 3));
    const lagFirst = median(lags.slice(0, third));
    const lagLast = median(lags.slice(-third));
    const created = soakSipp.reduce((a, c) => a + c.created, 0);
    if (o.baseline) {
      const succeeded = soakSipp.reduce((a, c) => a + c.ok, 0);
      const failed = soakSipp.reduce((a, c) => a + c.failed, 0);
      process.stderr.write(`[soak] baseline done: ${succeeded}/${created} ok\n`);
      const overload = o.overloadCps > 0 ? await baselineOverload(o, run) : null;
      return {
        case: 'soak-baseline',
        options: o,
        machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '' },
        soak: { cps: o.cps, minutes: o.minutes, calls: created, succeeded, failed, concurrentMedian: median(steady.map((s) => s.concurrent)), samples },
        targets: { soakZeroFailed: failed === 0, overloadAnswered99: overload ? overload.answeredPct >= 99 : null },
        overload,
      };
    }
    const soakAccount = await account(soakPrefix);
    const recordings = await recordingCheck(soakPrefix);
    const soak = {
      cps: o.cps,
      minutes: o.minutes,
      calls: created,
      succeeded: soakSipp.reduce((a, c) => a + c.ok, 0),
      failed: soakSipp.reduce((a, c) => a + c.failed, 0),
      concurrentMedian: median(steady.map((s) => s.concurrent)),
      rss: { meanMb: round(rssMean), slopeMbPerMin: round(rssSlope, 2), growthOverRunMb: round(rssSlope * o.minutes * 0.8), flat: Math.abs(rssSlope * o.minutes * 0.8) < Math.max(20, rssMean * 0.1) },
      eventLoopLagP99Ms: { firstThirdMedian: lagFirst, lastThirdMedian: lagLast, max: Math.max(0, ...lags), notRising: lagLast <= lagFirst * 1.5 + 5 },
      database: { ...soakAccount, allAccountedFor: soakAccount.rows === created && soakAccount.notFinal === 0 },
      ledgerWriteMs: { p50: ledgerMs(50), p99: ledgerMs(99) },
      // recordingCheck waits up to 2 min after the last call for the archive to finish: what is
      // still queued then is the backlog the issue counts.
      recordings,
      samples,
    };
    process.stderr.write(`[soak] done: ${soak.succeeded}/${soak.calls} ok, RSS slope ${soak.rss.slopeMbPerMin} MB/min, lag ${lagFirst} → ${lagLast} ms, ${soakAccount.rows} rows, ${recordings.produced}/${recordings.answered} recordings\n`);

    // ---- faults under load ----
    const faults: Record<string, unknown>[] = [];
    const kinds: Fault[] = o.faults ? ['sigkill-service', 'restart-redis', 'postgres-refusing-10s', 'sigkill-while-postgres-away'] : [];
    for (const [i, fault] of kinds.entries()) {
      const prefix = `6${run}${i + 1}`;
      const load = await callerRuns({ name: 'soak-fault', number: SERVICE_NUMBER, prefix, cps: o.cps, sec: o.faultWindowSec, timeoutSec: o.faultWindowSec + o.talkSec + 180 });
      await sleep((o.faultWindowSec / 3) * 1000);
      const at = new Date();
      const concurrent = await trunkChannels(ari);
      let faultEnded: number;
      if (fault === 'sigkill-service') {
        service.kill('SIGKILL');
        await exited(service);
        faultEnded = Date.now();
        service = await startService(port, metricsToken); // at once, as systemd or compose would
      } else if (fault === 'restart-redis') {
        stack('stop_redis && start_redis');
        faultEnded = Date.now();
      } else if (fault === 'postgres-refusing-10s') {
        stack('stop_postgres');
        await sleep(10_000);
        stack('start_postgres');
        faultEnded = Date.now();
      } else {
        // Killed while its journal holds what Postgres has not got; both come back.
        stack('stop_postgres');
        await sleep(5000);
        service.kill('SIGKILL');
        await exited(service);
        await sleep(5000);
        stack('start_postgres');
        faultEnded = Date.now();
        service = await startService(port, metricsToken);
      }
      const ready = await waitReady(base);
      const sipp = (await Promise.all(load.map((c) => c.done))).map((r) => sippCounts(r.stdout));
      await drain();
      await sleep(3000); // the last hangups' rows
      const acc = await account(prefix, at);
      const createdF = sipp.reduce((a, c) => a + c.created, 0);
      const r = {
        fault,
        cps: o.cps,
        callsUpAtFault: concurrent,
        calls: createdF,
        succeeded: sipp.reduce((a, c) => a + c.ok, 0),
        failed: sipp.reduce((a, c) => a + c.failed, 0),
        // Calls whose caller got no call row: taken by the dialplan's fallback queue while no instance listened.
        withoutRow: Math.max(0, createdF - acc.rows),
        inProgressAtFault: acc.inProgressAtFault,
        lostInProgress: acc.inProgressNotCompleted,
        notFinalAfterwards: acc.notFinal,
        byStatus: acc.byStatus,
        recoverySec: round((ready - faultEnded) / 1000, 2),
        faultSec: round((faultEnded - at.getTime()) / 1000, 2),
      };
      faults.push(r);
      process.stderr.write(`[soak] ${fault}: ${r.inProgressAtFault} in progress, ${r.lostInProgress} of them lost, ${r.failed}/${r.calls} SIPp failures, ready ${r.recoverySec} s after\n`);
    }
    const overload = o.overloadCps > 0 ? await overloadPhase(o, run, base, scrape) : null;
    return {
      case: 'soak',
      options: o,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '' },
      soak,
      faults,
      targets: {
        soakZeroFailed: soak.failed === 0,
        ledgerWriteP99Under1s: soak.ledgerWriteMs.p99 === null ? null : soak.ledgerWriteMs.p99 < 1000,
        archiveBacklogZeroAfter2Min: recordings.stillArchiving === 0,
        sigkillReadyWithin3s: faults.filter((f) => String(f.fault).startsWith('sigkill')).every((f) => Number(f.recoverySec) <= 3),
        noRowLeftNonFinal: faults.every((f) => f.notFinalAfterwards === 0),
        rssFlat: soak.rss.flat,
        lagNotRising: soak.eventLoopLagP99Ms.notRising,
        everyCallAccounted: soak.database.allAccountedFor,
        recordingsEqualAnswered: recordings.lost === 0 && recordings.produced + recordings.stillArchiving === recordings.answered,
        noInProgressCallLost: faults.every((f) => f.lostInProgress === 0),
        overloadAnswered99: overload ? overload.answeredPct >= 99 : null,
        overloadAccounted: overload ? overload.database.rows === overload.calls && overload.database.notFinal === 0 : null,
        overloadRecoveredIn30s: overload ? overload.backToServiceSec !== null && overload.backToServiceSec <= 30 : null,
      },
      overload,
    };
  } finally {
    for (const id of ops.ids) await api('PUT', `/api/operators/${id}/state`, { state: 'offline' }).catch(() => undefined);
    service.kill('SIGTERM');
    await exited(service);
    ops.uas.kill();
  }
}

/**
 * The overload phase's callers through the plain dialplan (the baseline): the same rate and
 * length, then the soak's rate for a minute. How many were answered, and the most calls up at
 * once: what plain Asterisk does past its limit on this machine, for the service's overload
 * figures to be read against.
 */
async function baselineOverload(o: SoakOptions, run: string) {
  const prefix = `6${run}9`;
  const calmSec = 60;
  process.stderr.write(`[soak] baseline overload: ${o.overloadSec} s at ${o.overloadCps} calls/s, then ${calmSec} s at ${o.cps}\n`);
  const hot = await callerRuns({ name: 'overload', number: BASELINE_NUMBER, prefix, cps: o.overloadCps, sec: o.overloadSec, timeoutSec: o.overloadSec + o.talkSec + 600 });
  let peak = 0;
  let over = false;
  const watch = (async () => {
    while (!over) {
      peak = Math.max(peak, await trunkChannels(ari));
      await sleep(2000);
    }
  })();
  await sleep(o.overloadSec * 1000);
  const calm = await callerRuns({ name: 'after-overload', number: BASELINE_NUMBER, prefix: `${prefix}0`, cps: o.cps, sec: calmSec, timeoutSec: calmSec + o.talkSec + 600 });
  const hotSipp = (await Promise.all(hot.map((c) => c.done))).map((r) => sippCounts(r.stdout));
  const calmSipp = (await Promise.all(calm.map((c) => c.done))).map((r) => sippCounts(r.stdout));
  over = true;
  await watch;
  await drain();
  const sum = (xs: { created: number; ok: number }[]) => ({ calls: xs.reduce((a, c) => a + c.created, 0), ok: xs.reduce((a, c) => a + c.ok, 0) });
  const all = sum([...hotSipp, ...calmSipp]);
  const after = sum(calmSipp);
  process.stderr.write(`[soak] baseline overload: ${all.ok}/${all.calls} answered\n`);
  return {
    cps: o.overloadCps,
    sec: o.overloadSec,
    calls: all.calls,
    answered: all.ok,
    answeredPct: round((all.ok / Math.max(1, all.calls)) * 100, 2),
    // The minute back at the soak's rate alone: does plain Asterisk recover?
    afterOverload: { calls: after.calls, answered: after.ok },
    peakCallsUp: peak,
  };
}

/**
 * Twice the best passing rate for `overloadSec`, then the soak's rate for a minute: how many
 * callers were answered by someone (through the service, or the dialplan's fallback it shed
 * them to), whether every one has a row, and how soon after the overload the service took
 * callers itself again (its shedding gauge back to 0).
 */
async function overloadPhase(o: SoakOptions, run: string, base: string, scrape: () => Promise<string | undefined>) {
  const prefix = `6${run}9`;
  const calmSec = 60;
  process.stderr.write(`[soak] overload: ${o.overloadSec} s at ${o.overloadCps} calls/s, then ${calmSec} s at ${o.cps}\n`);
  const hot = await callerRuns({ name: 'overload', number: SERVICE_NUMBER, prefix, cps: o.overloadCps, sec: o.overloadSec, timeoutSec: o.overloadSec + o.talkSec + 600 });
  const shedSamples: { t: number; shedding: boolean }[] = [];
  const t0 = Date.now();
  const watch = (async () => {
    while (Date.now() - t0 < (o.overloadSec + calmSec + 30) * 1000) {
      const text = (await scrape()) ?? '';
      shedSamples.push({ t: (Date.now() - t0) / 1000, shedding: /pbxdesk_load\{what="shedding"\} 1\b/.test(text) });
      await sleep(1000);
    }
  })();
  await sleep(o.overloadSec * 1000);
  const calm = await callerRuns({ name: 'after-overload', number: SERVICE_NUMBER, prefix: `${prefix}0`, cps: o.cps, sec: calmSec, timeoutSec: calmSec + o.talkSec + 600 });
  const sipp = (await Promise.all([...hot, ...calm].map((c) => c.done))).map((r) => sippCounts(r.stdout));
  await watch;
  await drain();
  await sleep(5000); // the last fallback hangups' AMI events
  const acc = await account(prefix);
  const calls = sipp.reduce((a, c) => a + c.created, 0);
  const ok = sipp.reduce((a, c) => a + c.ok, 0);
  const shedRows = await (async () => {
    const db = createDb(env.DATABASE_URL as string, 2);
    try {
      const r = await db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('caller_number', 'like', `${prefix}%`).where(sql<boolean>`ivr_path[1] = 'shed'`).executeTakeFirst();
      return Number(r?.n ?? 0);
    } finally {
      await db.destroy();
    }
  })();
  const lastShed = shedSamples.filter((x) => x.shedding).at(-1);
  return {
    cps: o.overloadCps,
    sec: o.overloadSec,
    calls,
    answered: ok,
    answeredPct: round((ok / Math.max(1, calls)) * 100, 2),
    shedCalls: shedRows,
    shedAtAll: shedSamples.some((x) => x.shedding),
    // From the end of the overload to the last sample that still shed (0: it had stopped by then).
    backToServiceSec: lastShed ? Math.max(0, round(lastShed.t - o.overloadSec, 1)) : 0,
    database: acc,
  };
}
