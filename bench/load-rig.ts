// What the load and soak benchmarks share: the service process they start, the baseline's
// dialplan, the SIPp operators (one registration run, one UAS for all), and the check that
// every answered call's recording was archived.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CHROOT, PBX_TARGET, allocPorts, callerScenario, phoneScenario, registerScenario, sippFile, sippProcess } from '../test/harness/sipp-driver.js';
import { sippCounts } from './load-probes.js';
import { percentile } from './bench-support.js';
import type { ApiClient } from '../test/harness/api-client.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { createDb } from '../src/db/database.js';

export const SERVICE_NUMBER = '88005553535';
export const BASELINE_NUMBER = '88009990000';
export const env = process.env;
export const ari = { url: env.ARI_URL as string, user: env.PBX_ARI_USER as string, password: env.PBX_ARI_PASSWORD as string };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function startService(port: number, metricsToken: string): Promise<ChildProcess> {
  // BENCH_SERVICE_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service under load.
  const nodeArgs = (env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(PROJECT_ROOT, 'dist/src/main.js')], {
    env: {
      ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), METRICS_TOKEN: metricsToken, LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
      // The call shape of the baseline: no wrap-up, no survey, no announcements or callback offers.
      WRAPUP_SEC: '0', WRAPUP_REQUIRES_NOTE: 'never', SURVEY_TIMEOUT_SEC: '0', QUEUE_ANNOUNCE_SEC: '0', CALLBACK_OFFER_AFTER_SEC: '86400',
      BUSINESS_HOURS_FILE: 'pbx-config/business-hours.always-open.json',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 150; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200) return child;
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('the service did not become ready');
}

/** The baseline's dialplan, included by extensions.conf when present (#tryinclude). */
export async function installBaseline(): Promise<void> {
  const prompt = `${env.PROMPTS_DIR ?? '/var/lib/pbxdesk/prompts'}/ru/main-menu`;
  const conf = `; Written by the load benchmark: the same call shape in plain dialplan, no service.
[from-trunk]
exten => ${BASELINE_NUMBER},1,Goto(bench-baseline,s,1)

[bench-baseline]
exten => s,1,Answer()
 same => n,MixMonitor(baseline-\${UNIQUEID}.wav,b)
 same => n,Read(KEY,${prompt},1,,1,10)
 same => n,GotoIf($["\${KEY}" = "2"]?second)
 same => n,Queue(first-line,t,,,600)
 same => n,Hangup()
 same => n(second),Queue(second-line,t,,,600)
 same => n,Hangup()
`;
  await writeFile(path.join(CHROOT, env.PBX_INSTANCE_DIR as string, 'etc', 'extensions_bench.conf'), conf);
  await asteriskCli('dialplan reload');
  // An Asterisk started with an older extensions.conf (no #tryinclude) would send these calls
  // to the service too, and the baseline would measure pbxdesk.
  if (!(await asteriskCli(`dialplan show ${BASELINE_NUMBER}@from-trunk`)).includes('bench-baseline')) {
    throw new Error('the baseline dialplan is not active: restart the stack so that extensions.conf includes extensions_bench.conf');
  }
}

export async function asteriskCli(cmd: string): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('chroot', [CHROOT, '/usr/sbin/asterisk', '-C', `${env.PBX_INSTANCE_DIR}/etc/asterisk.conf`, '-rx', cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', () => resolve(out));
  });
}

const PHONES_PER_UAS = 100;

/**
 * Operators' phones: one SIPp UAS per 100 operators, each group registered from its own port in
 * one SIPp run from a CSV of credentials. One UAS for all 400 kept up in a 15-s ramp step but,
 * over minutes, calls to it stopped being answered (INVITEs left Down in Asterisk by the hundred).
 */
export async function startOperators(api: ApiClient, run: string, n: number, talkSec: number) {
  const password = `load-${randomBytes(8).toString('hex')}`;
  const ids: string[] = [];
  const users: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api<{ id: string; sip: { username: string } }>('POST', '/api/operators', { login: `lo${run}${i}`, name: `Load ${i}`, line: i % 2 ? 'second' : 'first', sipPassword: password });
    if (r.status !== 201) throw new Error(`operator not created: ${JSON.stringify(r.body)}`);
    ids.push(r.body.id);
    users.push(r.body.sip.username);
  }
  const phones: { kill(): void }[] = [];
  for (let g = 0; g * PHONES_PER_UAS < users.length; g++) {
    const group = users.slice(g * PHONES_PER_UAS, (g + 1) * PHONES_PER_UAS);
    const ports = allocPorts();
    const csv = `SEQUENTIAL\n${group.map((u) => `${u};${password}`).join('\n')}\n`;
    const csvFile = await sippFile(`operators-${run}-${g}.csv`, csv);
    // A few REGISTERs of hundreds may be lost on loopback under a burst: a pass that is not
    // complete is run again (re-registering is harmless; the contact stays the same).
    for (let pass = 1; ; pass++) {
      const registered = await sippProcess('register-all', registerScenario('[field0]', '[authentication username=[field0] password=[field1]]'), [PBX_TARGET, '-inf', csvFile, '-p', String(ports.sip), '-m', String(group.length), '-l', '1', '-r', '20'], 120_000);
      const r = await registered.done;
      if (sippCounts(r.stdout).ok === group.length) break;
      if (pass === 3) throw new Error(`operators registered: ${sippCounts(r.stdout).ok} of ${group.length}\n${r.stdout.slice(-1500)}`);
    }
    phones.push(await sippProcess(`operators-${g}`, phoneScenario({ ringMs: 200, hangUpAfterMs: talkSec * 1000 }), ['-p', String(ports.sip), '-mp', String(ports.media), '-m', '10000000', '-l', '100000'], 6 * 3600_000));
  }
  await allAvailable(api, ids);
  return { ids, uas: { kill: () => phones.forEach((p) => p.kill()) } };
}

/** Every one of the bench's operators available (at the start, and again before the baseline ramp). */
export async function allAvailable(api: ApiClient, ids: readonly string[]): Promise<void> {
  for (const id of ids) await api('PUT', `/api/operators/${id}/state`, { state: 'available' });
}

/**
 * The benchmarks' callers: `cps` calls/s for `sec` seconds to `number`, in two SIPp processes,
 * one keying 1 and one 2 (1.5 s after the answer, as SIP INFO), each waiting for the other side
 * to hang up. Caller numbers are `${prefix}1` and `${prefix}2`. `rtt`: SIPp writes each
 * INVITE → 200 OK time (sippRtts reads them).
 */
export async function callerRuns(o: { name: string; number: string; prefix: string; cps: number; sec: number; timeoutSec: number; rtt?: boolean }) {
  const perDigit = Math.max(1, Math.round((o.cps / 2) * o.sec));
  return Promise.all(
    ['1', '2'].map(async (digit) => {
      const p = allocPorts();
      return sippProcess(`${o.name}-${digit}`, callerScenario([{ digit, method: 'info', afterMs: 1500 }], 0, { awaitBye: true, speakAfterMs: 300 }), [
        PBX_TARGET, '-s', o.number, '-set', 'caller', `${o.prefix}${digit}`, '-p', String(p.sip), '-mp', String(p.media),
        // cps calls per 2 s each: together cps calls/s, also when cps is odd.
        '-r', String(o.cps), '-rp', '2000', '-m', String(perDigit), '-l', '100000', '-timeout', `${o.timeoutSec}s`,
        ...(o.rtt ? ['-trace_rtt', '-rtt_freq', '1'] : []),
      ], (o.timeoutSec + 60) * 1000);
    }),
  );
}

/** Recordings of the service's answered calls: all archived, and as long as the talk. */
export async function recordingCheck(callerPrefix: string) {
  const db = createDb(env.DATABASE_URL as string, 2);
  try {
    const prefix = `${callerPrefix}%`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const pending = await db.selectFrom('recordings').innerJoin('calls', 'calls.id', 'recordings.call_id').select((eb) => eb.fn.countAll<string>().as('n'))
        .where('calls.caller_number', 'like', prefix).where('recordings.kind', '=', 'call').where('recordings.status', 'not in', ['archived', 'failed']).executeTakeFirst();
      if (Number(pending?.n ?? 0) === 0 || Date.now() > deadline) break;
      await sleep(2000);
    }
    const rows = await db
      .selectFrom('calls')
      .leftJoin('recordings', (j) => j.onRef('recordings.call_id', '=', 'calls.id').on('recordings.kind', '=', 'call'))
      .select(['calls.id', 'calls.answered_at', 'calls.ended_at', 'recordings.status', 'recordings.duration_ms'])
      .where('calls.caller_number', 'like', prefix)
      .where('calls.answered_at', 'is not', null)
      .execute();
    const archived = rows.filter((r) => r.status === 'archived');
    // Not archived yet (the archive queue behind, ffmpeg at low priority) is not lost: reported apart.
    const pending = rows.filter((r) => r.status !== null && r.status !== 'archived' && r.status !== 'failed').length;
    const failed = rows.filter((r) => r.status === 'failed').length;
    const missing = rows.filter((r) => r.status === null).length;
    const errors = archived.filter((r) => r.ended_at && r.answered_at && r.duration_ms !== null).map((r) => Math.abs((r.duration_ms as number) - (r.ended_at!.getTime() - r.answered_at!.getTime())) / 1000);
    return {
      answered: rows.length,
      produced: archived.length,
      stillArchiving: pending,
      failed,
      missing,
      lost: failed + missing,
      durationErrorSec: { p50: round(percentile(errors, 50), 2), p95: round(percentile(errors, 95), 2), max: round(Math.max(0, ...errors), 2) },
    };
  } finally {
    await db.destroy();
  }
}

/** Resolves when the process has exited (at once if it already has: 'exit' does not come twice). */
export function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => p.once('exit', () => r()));
}
