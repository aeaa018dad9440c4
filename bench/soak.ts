// `npm run bench:soak [-- --minutes 10 --cps N --talk-sec 5 --operators 400 --fault-window-sec 45 --no-faults]`
// (through scripts/bench.sh: a throwaway stack of its own). The rate defaults to 70% of the
// highest rate the newest full load run (bench/results/load-*.json) sustained with < 1% failed
// calls. Writes bench/results/soak-<time>.json and prints a summary.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { soakBench } from './soak.bench.js';
import { PROJECT_ROOT } from '../src/paths.js';

const dir = path.join(PROJECT_ROOT, 'bench', 'results');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** 70% of the best passing rate of the newest load run that had a ramp, or 20 calls/s. */
async function defaultCps(): Promise<number> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^load-.*\.json$/.test(f)).sort().reverse();
  for (const f of files) {
    const r = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { pbxdesk?: { steps?: { cps: number; failedPct: number }[] } };
    const passing = (r.pbxdesk?.steps ?? []).filter((s) => s.failedPct <= 1).map((s) => s.cps);
    if (passing.length >= 3) return Math.max(2, Math.round(Math.max(...passing) * 0.7));
  }
  return 20;
}

async function main() {
  const r = await soakBench({
    minutes: arg('minutes', 10),
    cps: arg('cps', await defaultCps()),
    talkSec: arg('talk-sec', 5),
    operators: arg('operators', 400),
    faultWindowSec: arg('fault-window-sec', 45),
    faults: !process.argv.includes('--no-faults'),
  });
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
  const { samples: _samples, ...soak } = r.soak;
  process.stdout.write(`${JSON.stringify({ ...r, soak }, null, 2)}\n\n${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`soak bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
