// The operator's ticket lists against the real stack: each view holds exactly the seeded tickets
// it should (filtered to this test's own category, so other tests' tickets never count), paged
// in SQL; search finds by text, number and phone within the line; another line's ticket is a
// 403; and a new ticket of the operator's line arrives on their panel's event stream, pushed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import { panelEvents, panelSession, type PanelSession } from '../support/panel-session.js';
import { db } from '../support/recordings.js';

type Item = { id: string; number: string; status: string; line: string; assigneeId: string | null; createdAt: string; slaClock: { state: string; leftSec: number; target: string } | null };
type List = { total: number; tickets: Item[] };

let t: TestApp;
let anna: PanelSession;
let boris: PanelSession;
const category = uniq('tl-');
const seeded: Record<string, Item> = {};
beforeAll(async () => {
  t = await startTestApp();
  [anna, boris] = await Promise.all([panelSession(t, { line: 'first' }), panelSession(t, { line: 'second' })]);
  const make = async (key: string, body: Record<string, unknown>, patch?: Record<string, unknown>) => {
    const r = await t.api<Item>('POST', '/api/tickets', { subject: `${key} ${category}`, category, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    seeded[key] = patch ? (await t.api<Item>('PATCH', `/api/tickets/${r.body.id}`, patch)).body : r.body;
  };
  await make('mine', { line: 'first', assigneeId: anna.id });
  await make('waiting', { line: 'first', assigneeId: anna.id }, { status: 'pending_customer' });
  await make('free1', { line: 'first', callerNumber: randomPhone() });
  await make('free2', { line: 'first', subject: `Не работает оплата картой ${category}` });
  await make('nearing', { line: 'first' });
  await make('breached', { line: 'first' });
  await make('closed', { line: 'first' }, { status: 'closed' });
  await make('second', { line: 'second' });
  // SLA: 80% of the first-response time gone (nearing), and past due (breached).
  await sql`update tickets set created_at = now() - interval '4 hours', sla_first_due = now() + interval '10 minutes' where id = ${seeded.nearing!.id}`.execute(db);
  await sql`update tickets set created_at = now() - interval '5 hours', sla_first_due = now() - interval '1 minute' where id = ${seeded.breached!.id}`.execute(db);
});
afterAll(async () => t?.stop());

const view = async (who: PanelSession, name: string, extra = '') => {
  const r = await who.call<List>('GET', `/api/tickets/views/${name}?category=${category}${extra}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const keys = (l: List) => l.tickets.map((x) => Object.entries(seeded).find(([, s]) => s.id === x.id)?.[0] ?? x.id);

describe("the operator's ticket lists", () => {
  it('hold exactly what each view should, for the operator\'s line only', async () => {
    expect(keys(await view(anna, 'mine')).sort()).toEqual(['mine', 'waiting']);
    const free = await view(anna, 'unassigned');
    // Oldest first: the two whose clocks were set back, then in creation order.
    expect(keys(free)).toEqual(['breached', 'nearing', 'free1', 'free2']);
    expect(free.total).toBe(4);
    expect(keys(await view(anna, 'waiting'))).toEqual(['waiting']);
    const sla = await view(anna, 'sla');
    expect(keys(sla)).toEqual(['breached', 'nearing']);
    expect(sla.tickets[0]!.slaClock).toMatchObject({ state: 'breached', target: 'first_response' });
    expect(sla.tickets[0]!.slaClock!.leftSec).toBeLessThan(0);
    expect(sla.tickets[1]!.slaClock).toMatchObject({ state: 'nearing', target: 'first_response' });
    expect(sla.tickets[1]!.slaClock!.leftSec).toBeGreaterThan(0);
    expect(sla.tickets[1]!.slaClock!.leftSec).toBeLessThanOrEqual(600);
    // The second line sees its own.
    expect(keys(await view(boris, 'unassigned'))).toEqual(['second']);
    // An API token of no operator has no "mine"; other views span every line.
    expect((await t.api<List>('GET', `/api/tickets/views/mine?category=${category}`)).body.total).toBe(0);
    expect((await t.api<List>('GET', `/api/tickets/views/unassigned?category=${category}`)).body.total).toBe(5);
  });

  it('pages in SQL: full pages and the whole total', async () => {
    const p1 = await view(anna, 'unassigned', '&limit=3&offset=0');
    const p2 = await view(anna, 'unassigned', '&limit=3&offset=3');
    expect([p1.tickets.length, p2.tickets.length, p1.total, p2.total]).toEqual([3, 1, 4, 4]);
    expect([...keys(p1), ...keys(p2)]).toEqual(keys(await view(anna, 'unassigned')));
    expect((await anna.call('GET', '/api/tickets/views/everything')).status).toBe(400);
  });

  it('searches within the line by full text, number and phone', async () => {
    const find = async (q: string) => keys((await anna.call<List>('GET', `/api/tickets?category=${category}&${q}`)).body);
    expect(await find(`q=${encodeURIComponent('оплаты')}`)).toEqual(['free2']);
    expect(await find(`number=${seeded.free1!.number}`)).toEqual(['free1']);
    expect(await find(`phone=${(await t.api<{ callerNumber: string }>('GET', `/api/tickets/${seeded.free1!.id}`)).body.callerNumber}`)).toEqual(['free1']);
    expect(await find(`number=${seeded.second!.number}`)).toEqual([]);
  });

  it("refuses a first-line operator another line's ticket, and lets them change their own within the rules", async () => {
    const r = await anna.call('GET', `/api/tickets/${seeded.second!.id}`);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('ticket_forbidden');
    const own = await anna.call<{ nextStatuses: string[] }>('GET', `/api/tickets/${seeded.free1!.id}`);
    expect(own.body.nextStatuses).toEqual(['open', 'pending_customer', 'resolved', 'closed']);
    const took = await anna.call<Item>('PATCH', `/api/tickets/${seeded.free1!.id}`, { assigneeId: anna.id, status: 'open', priority: 'high' });
    expect(took.status).toBe(200);
    expect((await anna.call('PATCH', `/api/tickets/${seeded.closed!.id}`, { status: 'open' })).status).toBe(409);
    expect(keys(await view(anna, 'mine')).sort()).toEqual(['free1', 'mine', 'waiting']);
  });

  it("pushes a new ticket of the operator's line to their panel, not another line's", async () => {
    const events = await panelEvents(t, anna);
    try {
      const other = (await t.api<Item>('POST', '/api/tickets', { subject: 'для второй линии', line: 'second', category })).body;
      const mine = (await t.api<Item>('POST', '/api/tickets', { subject: 'для первой линии', line: 'first', category })).body;
      // Changes go out in order: the first ticket event Anna gets is her line's new ticket.
      const e = await events.next<{ change: string; ticket: Item }>((ev) => ev === 'ticket');
      expect(e.data).toMatchObject({ change: 'created', ticket: { id: mine.id, number: mine.number, line: 'first', slaClock: { state: 'ok', target: 'first_response' } } });
      expect(e.data.ticket.id).not.toBe(other.id);
      // Moved to the second line: Anna hears it is gone, and nothing more about it.
      await t.api('PATCH', `/api/tickets/${mine.id}`, { line: 'second' });
      const gone = await events.next<{ change: string; ticket: Record<string, unknown> }>((ev) => ev === 'ticket');
      expect(gone.data).toEqual({ change: 'gone', ticket: { id: mine.id, number: mine.number } });
    } finally {
      events.close();
    }
  });
});
