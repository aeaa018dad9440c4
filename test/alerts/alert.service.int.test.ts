// Two instances judging the same conditions against one Postgres at the same moment (the
// two-node setup, docs/scaling.md): each alert is raised once and cleared once, with one
// outbound event each; a node's longest-wait alert is left alone by the other node's instance.
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/alerts/alert-rules.js';
import { upsertThresholds } from '../../src/alerts/alert.repository.js';
import { AlertService, type AlertsPush } from '../../src/alerts/alert.service.js';
import { LineCatalog } from '../../src/lines/line-catalog.js';
import { uniq } from '../support/app.js';
import { db } from '../support/recordings.js';

const log = pino({ level: 'silent' });
/** An instance driving `node`, whose longest waiting caller of the first line took their place at `oldest()`. */
const instance = (node: string, oldest: () => Date | null = () => null) =>
  new AlertService({ db, log, node, serviceLevelSec: 20, lines: LineCatalog.defaults(), oldestWaiting: (line) => (line === 'first' ? oldest() : null), kickDeliveries: async () => undefined });

const alertsOf = async (kind: string, subject: string) =>
  (await sql<{ id: string; cleared_at: Date | null }>`SELECT id::text AS id, cleared_at FROM alerts WHERE kind = ${kind} AND subject = ${subject} ORDER BY id`.execute(db)).rows;
const eventsOf = async (id: string) =>
  (await sql<{ type: string }>`SELECT type FROM outbound_events WHERE type LIKE 'alert.%' AND payload->'alert'->>'id' = ${id} ORDER BY id`.execute(db)).rows.map((r) => r.type);

let operatorId: string;
beforeAll(async () => {
  // The first line's defaults (another file may have set its own), and an operator an hour into a break.
  await upsertThresholds(db, 'first', { ...DEFAULT_THRESHOLDS }, 'test');
  const login = uniq('alerts-op');
  // Homed on a node no instance drives: nobody pushes its endpoint to Asterisk.
  const op = await db
    .insertInto('operators')
    .values({ login, name: 'Павел Перерыв', line: 'first', sip_username: login, sip_md5_cred: '0'.repeat(32), pbx_node: 'alerts-test', state: 'paused', state_reason: 'break', state_changed_at: new Date(Date.now() - 3_600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  operatorId = op.id;
});
afterAll(async () => {
  await db.updateTable('operators').set({ state: 'offline', state_reason: null, state_changed_at: new Date() }).where('id', '=', operatorId).execute();
});

describe('alerts across two instances', () => {
  it('raises a condition both see once, tells each instance\'s pages, and clears it once', async () => {
    const [a, b] = [instance(uniq('alerts-a-')), instance(uniq('alerts-b-'))];
    const pushed: AlertsPush[] = [];
    a.onChange((p) => pushed.push(p));
    await Promise.all([a.evaluate(), b.evaluate()]);
    const raised = await alertsOf('pause_too_long', operatorId);
    expect(raised).toHaveLength(1);
    expect(raised[0]!.cleared_at).toBeNull();
    expect(await eventsOf(raised[0]!.id)).toEqual(['alert.raised']);
    expect(pushed.at(-1)?.active.some((x) => x.id === raised[0]!.id)).toBe(true);

    await db.updateTable('operators').set({ state: 'offline', state_reason: null, state_changed_at: new Date() }).where('id', '=', operatorId).execute();
    await Promise.all([a.evaluate(), b.evaluate()]);
    const cleared = await alertsOf('pause_too_long', operatorId);
    expect(cleared).toHaveLength(1);
    expect(cleared[0]!.cleared_at).not.toBeNull();
    expect(await eventsOf(raised[0]!.id)).toEqual(['alert.raised', 'alert.cleared']);
    expect(pushed.at(-1)?.active.some((x) => x.id === raised[0]!.id)).toBe(false);
  });

  it("leaves a node's longest-wait alert to that node's instance", async () => {
    let since: Date | null = new Date(Date.now() - 120_000);
    const nodeA = uniq('alerts-a-');
    const [a, b] = [instance(nodeA, () => since), instance(uniq('alerts-b-'))];
    await Promise.all([a.evaluate(), b.evaluate()]);
    const open = await alertsOf('longest_wait', nodeA);
    expect(open).toHaveLength(1);
    await b.evaluate(); // nobody waits on B: not B's alert to clear
    expect((await alertsOf('longest_wait', nodeA))[0]!.cleared_at).toBeNull();
    since = null; // A's caller was answered
    await a.evaluate();
    expect((await alertsOf('longest_wait', nodeA))[0]!.cleared_at).not.toBeNull();
    expect(await eventsOf(open[0]!.id)).toEqual(['alert.raised', 'alert.cleared']);
  });
});
