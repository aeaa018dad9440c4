// The recording search at a million rows: a database of its own (migrated like production) is
// filled with 1,000,000 calls and their recordings, and every filter of the supervisors'
// search must be answered from indexes: no sequential scan of recordings or calls in any plan.
// Timings are printed for the record, not asserted (shared 2-core machines; the numbers belong
// to benchmarks).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchDatabase } from '../../bench/bench-support.js';
import { searchRecordingsQuery, type RecordingSearch } from '../../src/recordings/recording.repository.js';
import type { Database } from '../../src/db/database.js';
import type { Kysely } from 'kysely';

const ROWS = 1_000_000;
let db: Kysely<Database>;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ db, drop } = await benchDatabase(process.env.DATABASE_URL as string, 2));
  const t0 = Date.now();
  await sql`INSERT INTO operators (login, name, line, sip_username, sip_md5_cred)
    SELECT 'op' || i, 'Operator ' || i, CASE WHEN i % 2 = 0 THEN 'first' ELSE 'second' END, 'sip' || i, 'x' FROM generate_series(1, 50) i`.execute(db);
  await sql`INSERT INTO tickets (subject, caller_number) SELECT 'ticket ' || i, '7916' || lpad(i::text, 7, '0') FROM generate_series(1, 200000) i`.execute(db);
  // A year of calls, one every ~30 s; every tenth caller verified.
  await sql`INSERT INTO calls (id, ticket_id, caller_number, line, operator_id, status, caller_channel_id, entered_at, answered_at, ended_at, verification_status)
    SELECT gen_random_uuid(), i % 200000 + 1, '7916' || lpad((i % 200000 + 1)::text, 7, '0'), CASE WHEN i % 3 = 0 THEN 'second' ELSE 'first' END,
           i % 50 + 1, 'completed', 'scale-' || i, now() - i * interval '30 seconds', now() - i * interval '30 seconds', now() - i * interval '30 seconds' + interval '4 minutes',
           CASE WHEN i % 10 = 0 THEN 'verified' ELSE 'none' END
    FROM generate_series(1, ${ROWS}) i`.execute(db);
  await sql`INSERT INTO recordings (call_id, name, status, format, archive_path, duration_ms, started_at, ended_at)
    SELECT id, 'call-' || id, 'archived', 'opus', '/archive/' || id || '.opus', 30000 + (hashtext(id::text) & 1023) * 500, answered_at, ended_at FROM calls`.execute(db);
  await sql`ANALYZE`.execute(db);
  console.log(`million-row search: ${ROWS} calls and recordings generated in ${Date.now() - t0} ms`);
}, 600_000);
afterAll(async () => drop?.());

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

async function plan(q: RecordingSearch): Promise<{ seqScans: string[]; ms: number }> {
  const c = searchRecordingsQuery(db, q).compile();
  const r = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>({
    ...c,
    sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${c.sql}`,
  } as typeof c & { sql: string });
  const top = r.rows[0]!['QUERY PLAN'][0];
  const seqScans = walk(top.Plan).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'] ?? '?');
  return { seqScans, ms: top['Execution Time'] };
}

describe('recording search at a million rows', () => {
  it('answers every filter from indexes', async () => {
    const day = 86_400_000;
    const cases: Record<string, RecordingSearch> = {
      'newest first, no filter': { limit: 50, offset: 0 },
      'a page deep': { limit: 50, offset: 5000 },
      'one day': { from: new Date(Date.now() - 30 * day), to: new Date(Date.now() - 29 * day), limit: 50, offset: 0 },
      operator: { operatorId: '7', limit: 50, offset: 0 },
      caller: { caller: '79160001234', limit: 50, offset: 0 },
      ticket: { ticketId: '4321', limit: 50, offset: 0 },
      line: { line: 'second', limit: 50, offset: 0 },
      'longer than 8 minutes': { minDurationMs: 480_000, limit: 50, offset: 0 },
      verified: { verified: true, limit: 50, offset: 0 },
      'operator, line and a week': { operatorId: '12', line: 'first', from: new Date(Date.now() - 100 * day), to: new Date(Date.now() - 93 * day), limit: 50, offset: 0 },
    };
    const report: Record<string, number> = {};
    for (const [name, q] of Object.entries(cases)) {
      const p = await plan(q);
      report[name] = Math.round(p.ms * 10) / 10;
      expect(p.seqScans.filter((rel) => rel === 'recordings' || rel === 'calls'), name).toEqual([]);
    }
    console.log('million-row search, execution ms per filter:', JSON.stringify(report));
  });
});
