// `npm run bench [-- --hours N --hangups N]`: runs the benchmark cases and writes their
// results as JSON to bench/results/<case>-<time>.json (and prints them).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveBench } from './archive.bench.js';
import { PROJECT_ROOT } from '../src/paths.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const dir = path.join(PROJECT_ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const result = await archiveBench({ hours: arg('hours', 2), hangups: arg('hangups', 50) });
  const file = path.join(dir, `archive-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
