// `npm run bench [-- --hours N --hangups N --callbacks N --pops N --only archive|callback-timing|screen-pop]`: runs
// the benchmark cases and writes each result as JSON to bench/results/<case>-<time>.json (and prints it).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveBench } from './archive.bench.js';
import { callbackBench } from './callback.bench.js';
import { screenPopBench } from './screen-pop.bench.js';
import { PROJECT_ROOT } from '../src/paths.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function only(): string | undefined {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dir = path.join(PROJECT_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const cases: [string, () => Promise<unknown>][] = [
    ['archive', () => archiveBench({ hours: arg('hours', 2), hangups: arg('hangups', 50) })],
    ['callback-timing', () => callbackBench({ callbacks: arg('callbacks', 1000), windowSec: 10 })],
    ['screen-pop', () => screenPopBench({ calls: arg('pops', 100), operators: arg('pop-operators', 4) })],
  ];
  for (const [name, run] of cases) {
    if (only() && only() !== name) continue;
    const result = await run();
    const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n${file}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
