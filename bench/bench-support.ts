// What the benchmark cases share: a throwaway database of their own (so bench rows and chain
// entries never mix with real ones), and percentiles.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createDb, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { MIGRATIONS_DIR } from '../src/paths.js';

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

/** A migrated database next to the stack's own; drop() closes the pool and removes it. */
export async function benchDatabase(databaseUrl: string, poolSize: number): Promise<{ db: Kysely<Database>; drop(): Promise<void> }> {
  const name = `pbxdesk_bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString(), MIGRATIONS_DIR);
  const db = createDb(url.toString(), poolSize);
  return {
    db,
    async drop() {
      await db.destroy();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    },
  };
}
