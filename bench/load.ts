// `npm run bench:load [-- --start 10 --step 10 --max 80 --step-sec 15 --talk-sec 5 --operators 400 --no-baseline]`
// (through scripts/bench.sh: a throwaway stack of its own). Writes bench/results/load-<time>.json
// and prints a table.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadBench } from './load.bench.js';
import { PROJECT_ROOT } from '../src/paths.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  const smoke = process.argv.includes('--smoke');
  const r = await loadBench(
    smoke
      ? { startCps: 2, stepCps: 2, maxCps: 2, stepSec: 8, talkSec: 3, operators: 10, skipBaseline: true }
      : {
          // Enough operators that they are not what runs out first (400 × 5 s talk: 80 calls/s).
          startCps: arg('start', 10), stepCps: arg('step', 10), maxCps: arg('max', 80), stepSec: arg('step-sec', 15),
          talkSec: arg('talk-sec', 5), operators: arg('operators', 400), skipBaseline: process.argv.includes('--no-baseline'),
        },
  );
  const dir = path.join(PROJECT_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
  const row = (cells: (string | number | null)[]) => `| ${cells.map((c) => (c === null ? '—' : String(c))).join(' | ')} |`;
  const lines = [
    row(['', 'pbxdesk', 'plain Asterisk']),
    row(['---', '---', '---']),
    row(['max concurrent calls, < 1% failed', r.maxConcurrent.pbxdesk, r.maxConcurrent.baseline]),
    row(['ratio to baseline', r.maxConcurrent.ratio, '']),
    row(['max calls/s, < 1% failed (ratio)', `${r.maxCallsPerSec.pbxdesk} (${r.maxCallsPerSec.ratio ?? '—'})`, r.maxCallsPerSec.baseline]),
    row(['max calls/s held: every call over in time (ratio)', `${r.maxCallsPerSecHeld.pbxdesk} (${r.maxCallsPerSecHeld.ratio ?? '—'})`, r.maxCallsPerSecHeld.baseline]),
    row(['INVITE → 200 OK p50/p95/p99, ms', r.latencyMs.inviteTo200 ? `${r.latencyMs.inviteTo200.p50}/${r.latencyMs.inviteTo200.p95}/${r.latencyMs.inviteTo200.p99}` : null, ((s) => (s ? `${s.inviteTo200Ms.p50}/${s.inviteTo200Ms.p95}/${s.inviteTo200Ms.p99}` : null))(r.baseline?.steps[r.baseline.steps.length - 1])]),
    row(['DTMF → next prompt p50/p95/p99, ms', `${r.latencyMs.dtmfToNextPrompt.p50}/${r.latencyMs.dtmfToNextPrompt.p95}/${r.latencyMs.dtmfToNextPrompt.p99}`, '']),
    row(['queue → operator ringing p50/p95/p99, ms', `${r.latencyMs.queueToRing.p50}/${r.latencyMs.queueToRing.p95}/${r.latencyMs.queueToRing.p99}`, '']),
    row(['StasisStart → call row p50/p95/p99, ms', `${r.latencyMs.stasisStartToCallRow.p50}/${r.latencyMs.stasisStartToCallRow.p95}/${r.latencyMs.stasisStartToCallRow.p99}`, '']),
    row(['service CPU % of a core at 100 concurrent', r.service.cpuPctAt100Concurrent, '']),
    row(['service RSS MB at 100 concurrent', r.service.rssMbAt100Concurrent, '']),
    row(['event-loop lag p99, ms (max over steps)', r.service.eventLoopLagP99Ms, '']),
    row(['recordings archived / calls answered (still archiving, lost)', `${r.recordings.produced} / ${r.recordings.answered} (${r.recordings.stillArchiving}, ${r.recordings.lost})`, '']),
    row(['recording duration error p95, s', r.recordings.durationErrorSec.p95, '']),
    '',
    row(['cps', 'pbxdesk ok/calls', 'max conc.', 'Asterisk CPU %', 'service CPU %', 'machine busy %', 'baseline ok/calls', 'max conc.', 'Asterisk CPU %', 'machine busy %']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
    ...r.pbxdesk.steps.map((s, i) => {
      const b = r.baseline?.steps[i];
      return row([s.cps, `${s.succeeded}/${s.calls}`, s.maxConcurrent, s.asteriskCpuPct, s.serviceCpuPct, s.machineBusyPct, b ? `${b.succeeded}/${b.calls}` : null, b?.maxConcurrent ?? null, b?.asteriskCpuPct ?? null, b?.machineBusyPct ?? null]);
    }),
  ];
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n\n${lines.join('\n')}\n\n${file}\n`);
  if (smoke && (r.pbxdesk.steps[0]?.failedPct ?? 100) > 1) process.exit(2);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`load bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
