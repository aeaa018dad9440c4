// What the load benchmark samples while calls run: calls up in Asterisk (the trunk's channels,
// over ARI), a process's CPU and RSS (/proc), Prometheus histograms of the service (/metrics),
// and SIPp's own counts and INVITE → 200 OK times.
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const TICK = 100; // USER_HZ on Linux

export async function trunkChannels(ari: { url: string; user: string; password: string }): Promise<number> {
  // An overloaded Asterisk may not answer at all: -1, like any other failed probe.
  const res = await fetch(`${ari.url}/ari/channels`, { headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` }, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  if (!res?.ok) return -1;
  const list = (await res.json().catch(() => undefined)) as { name: string }[] | undefined;
  if (!list) return -1;
  return list.filter((c) => c.name.startsWith('PJSIP/trunk-')).length;
}

/** CPU seconds used so far and resident memory (MB) of a process. */
export async function procStat(pid: number): Promise<{ cpuSec: number; rssMb: number } | undefined> {
  try {
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSec: (Number(stat[11]) + Number(stat[12])) / TICK, rssMb: rssKb / 1024 };
  } catch {
    return undefined;
  }
}

export async function pidOf(name: RegExp): Promise<number | undefined> {
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (name.test(cmd.replace(/\0/g, ' '))) return Number(d);
  }
  return undefined;
}

export type Buckets = Map<number, number>;

/** Cumulative bucket counts of a histogram (all label sets summed) from a /metrics text. */
export function histogram(metrics: string, name: string): Buckets {
  const out: Buckets = new Map();
  for (const m of metrics.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\d+(?:\\.\\d+)?)$`, 'gm'))) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The p-th percentile (ms) of what was observed between two scrapes, interpolated within a bucket. */
export function histogramPercentile(before: Buckets, after: Buckets, p: number): number | null {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (!total) return null;
  const rank = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [i, le] of les.entries()) {
    const c = counts[i] as number;
    if (c >= rank) {
      if (le === Infinity) return Math.round(prevLe * 1000);
      const within = c - prevCount ? (rank - prevCount) / (c - prevCount) : 1;
      return Math.round((prevLe + (le - prevLe) * within) * 1000 * 10) / 10;
    }
    prevLe = le;
    prevCount = c;
  }
  return null;
}

export function gauge(metrics: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : null;
}

/** SIPp's final statistics: calls created, succeeded and failed (cumulative column). */
export function sippCounts(stdout: string): { created: number; ok: number; failed: number } {
  const n = (label: string) => Number(new RegExp(`${label}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(stdout)?.[1] ?? 0);
  return { created: n('Outgoing calls created'), ok: n('Successful call'), failed: n('Failed call') };
}

/** Response times (ms) from SIPp's -trace_rtt files of a scenario (rtd="true": INVITE → 200 OK); the files are removed. */
export async function sippRtts(hostDir: string, scenario: string): Promise<number[]> {
  const base = path.basename(scenario, '.xml');
  const out: number[] = [];
  for (const f of await readdir(hostDir)) {
    if (!f.startsWith(base) || !f.endsWith('_rtt.csv')) continue;
    for (const line of (await readFile(path.join(hostDir, f), 'utf8')).split('\n').slice(1)) {
      const ms = Number(line.split(';')[1]);
      if (Number.isFinite(ms) && line) out.push(ms);
    }
    await rm(path.join(hostDir, f), { force: true });
  }
  return out;
}

/** The whole machine's CPU time so far (all processes: Asterisk, the service, ffmpeg, Postgres, SIPp), busy and total, in ticks. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}
