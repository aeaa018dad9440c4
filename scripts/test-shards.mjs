#!/usr/bin/env node
// Splits the integration test files into N shards of about equal running time, one per
// throwaway stack (scripts/test.sh). Files run one after another within a shard, as they
// share one Asterisk and one Stasis app; shards run side by side on stacks of their own.
//
// Times come from test/durations.json (seconds per file, from a full run: refresh it with
// `node scripts/test-shards.mjs --update <vitest json report>`); a file not listed counts as
// DEFAULT_SEC. Longest first into the emptiest shard: within a few seconds of even here.
//
// usage: node scripts/test-shards.mjs <n> <out-dir>   writes <out-dir>/shard-<i>.txt (one file a line)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DURATIONS = path.join(REPO, 'test/durations.json');
const DEFAULT_SEC = 15;

function intFiles(dir) {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return intFiles(rel);
    return e.name.endsWith('.int.test.ts') ? [rel] : [];
  });
}

if (process.argv[2] === '--update') {
  // vitest --reporter=json: testResults[].name (absolute), startTime/endTime (ms).
  const report = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  const old = JSON.parse(readFileSync(DURATIONS, 'utf8'));
  for (const r of report.testResults) {
    const rel = path.relative(REPO, r.name);
    if (rel.endsWith('.int.test.ts')) old[rel] = Math.round((r.endTime - r.startTime) / 100) / 10;
  }
  const sorted = Object.fromEntries(Object.entries(old).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(DURATIONS, `${JSON.stringify(sorted, null, 1)}\n`);
  process.exit(0);
}

const n = Number(process.argv[2]);
const out = process.argv[3];
if (!Number.isInteger(n) || n < 1 || !out) {
  console.error('usage: test-shards.mjs <n> <out-dir> | --update <vitest-json>');
  process.exit(2);
}
const known = JSON.parse(readFileSync(DURATIONS, 'utf8'));
const files = intFiles('test').map((f) => ({ f, sec: known[f] ?? DEFAULT_SEC })).sort((a, b) => b.sec - a.sec || a.f.localeCompare(b.f));
const shards = Array.from({ length: n }, () => ({ sec: 0, files: [] }));
for (const x of files) {
  const s = shards.reduce((a, b) => (b.sec < a.sec ? b : a));
  s.sec += x.sec;
  s.files.push(x.f);
}
shards.forEach((s, i) => {
  writeFileSync(path.join(out, `shard-${i + 1}.txt`), `${s.files.sort().join('\n')}\n`);
  console.error(`shard ${i + 1}: ${s.files.length} files, about ${Math.round(s.sec)} s`);
});
