// Built-in tickets through the API against real Postgres and Redis: status rules, notes,
// merge and split, Russian and English search, operators limited to their line, and a short
// real SLA escalated by a BullMQ delayed job, announced by a signed webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/outbound/webhook-signing.js';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import type { Line } from '../../src/vocabulary.js';

interface Ticket {
  id: string;
  number: string;
  subject: string;
  status: string;
  priority: string;
  category: string | null;
  line: string | null;
  escalated: boolean;
  mergedInto: string | null;
  splitFrom: string | null;
  sla: { state: string; firstResponseDue: string | null };
  calls: { id: string }[];
  notes: { author: string; body: string }[];
  timeline: { kind: string; actor: string; data: Record<string, unknown> }[];
}

let t: TestApp;
let hook: Receiver;
let secret: string;
let subId: string;
beforeAll(async () => {
  // Low-priority tickets get a 2 s first-response target here: the SLA test waits for it for real.
  t = await startTestApp({ SLA_TARGETS: 'low=2s/1h', OUTBOUND_RETRY_BASE_MS: '200' });
  hook = await startReceiver();
  const sub = await t.api<{ id: string; secret: string }>('POST', '/api/webhooks', { connector: 'webhook', url: `${hook.url}/hook`, events: ['sla.breached', 'ticket.created'] });
  expect(sub.status).toBe(201);
  secret = sub.body.secret;
  subId = sub.body.id;
});
afterAll(async () => {
  // Subscriptions live in the shared database: later test files must not deliver to this one.
  if (subId) await t.api('DELETE', `/api/webhooks/${subId}`);
  await t?.stop();
  await hook?.close();
});

const create = async (body: Record<string, unknown>, token?: string) => {
  const r = await t.api<Ticket>('POST', '/api/tickets', body, token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};
const get = async (id: string, token?: string) => (await t.api<Ticket>('GET', `/api/tickets/${id}`, undefined, token)).body;
const operatorToken = async (line: Line) => {
  const op = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('op'), name: `Оператор ${line}`, line, sipPassword: `${uniq('pw-')}${uniq()}` });
  const tok = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('op-'), role: 'operator', operatorId: op.body.id });
  return { id: op.body.id, token: tok.body.token };
};

describe('ticket rules', () => {
  it('creates with a number and SLA due times; security categories start high', async () => {
    const a = await create({ subject: 'Нет доступа к кабинету', category: 'billing', line: 'first' });
    expect(a).toMatchObject({ status: 'new', priority: 'normal', line: 'first' });
    expect(a.number).toMatch(/^\d+$/);
    expect(Date.parse(a.sla.firstResponseDue!) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const s = await create({ subject: 'Взлом аккаунта', category: 'security', line: 'second' });
    expect(s.priority).toBe('high');
  });

  it('refuses invalid status changes with clear codes, and records every change with who made it', async () => {
    const a = await create({ subject: 'Счёт не пришёл', line: 'first' });
    expect((await t.api('PATCH', `/api/tickets/${a.id}`, { status: 'open', priority: 'critical' })).status).toBe(200);
    expect((await t.api('PATCH', `/api/tickets/${a.id}`, { status: 'closed' })).status).toBe(200);
    const twice = await t.api<{ error: { code: string } }>('PATCH', `/api/tickets/${a.id}`, { status: 'closed' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_ticket_transition');
    expect((await t.api<{ error: { code: string } }>('PATCH', `/api/tickets/${a.id}`, { status: 'open' })).status).toBe(409);
    const bad = await t.api<{ error: { code: string } }>('PATCH', `/api/tickets/${a.id}`, { status: 'lost' });
    expect(bad.status).toBe(400);
    const full = await get(a.id);
    expect(full.timeline.map((e) => e.kind)).toEqual(['created', 'status', 'priority', 'status']);
    expect(full.timeline[1]).toMatchObject({ actor: expect.stringMatching(/^token:/), data: { from: 'new', to: 'open' } });
  });

  it('merges a duplicate into the original (not into itself), and splits calls off onto a new ticket', async () => {
    const orig = await create({ subject: 'Не работает интернет', line: 'second' });
    const dup = await create({ subject: 'Снова не работает интернет', line: 'second' });
    await t.api('POST', `/api/tickets/${dup.id}/notes`, { body: 'Клиент звонил повторно' });
    const self = await t.api<{ error: { code: string; details: { reason: string } } }>('POST', `/api/tickets/${orig.id}/merge`, { into: orig.id });
    expect(self.status).toBe(409);
    expect(self.body.error).toMatchObject({ code: 'invalid_merge', details: { reason: 'merge_into_itself' } });
    expect((await t.api('POST', `/api/tickets/${dup.id}/merge`, { into: orig.id })).status).toBe(200);
    expect((await get(dup.id)).mergedInto).toBe(orig.id);
    expect((await get(dup.id)).status).toBe('closed');
    expect((await get(orig.id)).notes.map((n) => n.body)).toContain('Клиент звонил повторно');
    expect((await t.api<{ error: { details: { reason: string } } }>('POST', `/api/tickets/${dup.id}/merge`, { into: orig.id })).body.error.details.reason).toBe('already_merged');

    // Two calls on one ticket: the second raised another problem and is split off.
    const [c1, c2] = await db
      .insertInto('calls')
      .values([1, 2].map((i) => ({ ticket_id: orig.id, caller_number: '79160000000', status: 'completed' as const, caller_channel_id: uniq(`split-${i}-`), pbx_node: DEFAULT_PBX_NODE })))
      .returning('id')
      .execute();
    const split = await t.api<Ticket>('POST', `/api/tickets/${orig.id}/split`, { subject: 'Вопрос по тарифу', callIds: [c2!.id] });
    expect(split.status).toBe(201);
    expect(split.body).toMatchObject({ splitFrom: orig.id, line: 'second' });
    expect((await get(split.body.id)).calls.map((c) => c.id)).toEqual([c2!.id]);
    expect((await get(orig.id)).calls.map((c) => c.id)).toEqual([c1!.id]);
    const foreign = await t.api<{ error: { details: { reason: string } } }>('POST', `/api/tickets/${orig.id}/split`, { subject: 'x', callIds: [c2!.id] });
    expect(foreign.body.error.details.reason).toBe('calls_not_on_ticket');
  });
});

describe('ticket search', () => {
  it('finds Russian words in other grammatical forms, English stems, notes, and by phone', async () => {
    const cat = uniq('t-').toLowerCase();
    const ru = await create({ subject: 'Клиент жалуется: обрывается звонок', category: cat, callerNumber: '74951234567' });
    const en = await create({ subject: 'Calls drop after a minute', category: cat });
    const noted = await create({ subject: 'Вопрос по счёту', category: cat });
    await t.api('POST', `/api/tickets/${noted.id}/notes`, { body: 'Обещали перезвонить после проверки платежей' });
    const find = async (q: string) => (await t.api<{ tickets: Ticket[] }>('GET', `/api/tickets?category=${cat}&q=${encodeURIComponent(q)}`)).body.tickets.map((x) => x.id);
    expect(await find('звонка')).toEqual([ru.id]);
    expect(await find('звонок')).toEqual([ru.id]);
    expect(await find('клиентов обрыв')).toEqual([ru.id]);
    expect(await find('call dropped')).toEqual([en.id]);
    expect(await find('платёж')).toEqual([noted.id]);
    expect(await find('котлета')).toEqual([]);
    const byPhone = (await t.api<{ tickets: Ticket[] }>('GET', `/api/tickets?phone=${encodeURIComponent('+7 (495) 123-45-67')}&category=${cat}`)).body.tickets;
    expect(byPhone.map((x) => x.id)).toEqual([ru.id]);
  });
});

describe('who sees which tickets', () => {
  it('limits operators to their line; second line also sees first-line tickets escalated to it', async () => {
    const first = await operatorToken('first');
    const second = await operatorToken('second');
    const cat = uniq('v-').toLowerCase();
    const a = await create({ subject: 'Первая линия', line: 'first', category: cat });
    const b = await create({ subject: 'Вторая линия', line: 'second', category: cat });
    expect((await t.api('GET', `/api/tickets/${a.id}`, undefined, first.token)).status).toBe(200);
    const denied = await t.api<{ error: { code: string } }>('GET', `/api/tickets/${b.id}`, undefined, first.token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('ticket_forbidden');
    expect((await t.api<{ tickets: Ticket[] }>('GET', `/api/tickets?category=${cat}`, undefined, first.token)).body.tickets.map((x) => x.id)).toEqual([a.id]);
    expect((await t.api('GET', `/api/tickets/${a.id}`, undefined, second.token)).status).toBe(403);
    // The first-line operator escalates: the ticket moves to the second line.
    expect((await t.api('PATCH', `/api/tickets/${a.id}`, { line: 'second' }, first.token)).status).toBe(200);
    const escalated = await get(a.id, second.token);
    expect(escalated).toMatchObject({ line: 'second', escalated: true });
    expect(escalated.timeline.find((e) => e.kind === 'line')).toMatchObject({ actor: `operator:${first.id}`, data: { from: 'first', to: 'second' } });
    // Supervisors see all.
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api<{ total: number }>('GET', `/api/tickets?category=${cat}`, undefined, sup)).body.total).toBe(2);
    // The customer control panel's token has no business with tickets.
    const panel = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('p-'), role: 'panel' })).body.token;
    expect((await t.api('GET', `/api/tickets?category=${cat}`, undefined, panel)).status).toBe(403);
  });
});

describe('SLA', () => {
  it('flags a ticket nearing and then breaching its first-response target, and tells the webhook (signed)', async () => {
    const a = await create({ subject: 'Долго не отвечают', priority: 'low', line: 'first' });
    const breached = await waitFor('the SLA breach', async () => {
      const x = await get(a.id);
      return x.sla.state === 'breached' ? x : undefined;
    }, 20_000);
    const sla = breached.timeline.filter((e) => e.kind === 'sla').map((e) => e.data);
    expect(sla).toMatchObject([{ state: 'nearing', target: 'first_response' }, { state: 'breached', target: 'first_response' }]);
    const delivery = await waitFor('the sla.breached webhook', async () =>
      hook.accepted().find((r) => r.headers['pbxdesk-event'] === 'sla.breached' && (JSON.parse(r.body) as { data: { ticket: { id: string } } }).data.ticket.id === a.id),
    );
    expect(verifySignature(secret, delivery.headers, delivery.body)).toEqual({ ok: true });
    expect(JSON.parse(delivery.body)).toMatchObject({ type: 'sla.breached', data: { target: 'first_response', ticket: { id: a.id, sla: { state: 'breached' } } } });
    // An answered ticket does not breach: a note by an operator is the first response.
    const op = await operatorToken('first');
    const b = await create({ subject: 'Ответили вовремя', priority: 'low', line: 'first' });
    await t.api('POST', `/api/tickets/${b.id}/notes`, { body: 'Связались с клиентом' }, op.token);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await get(b.id)).sla.state).toBe('ok');
  });
});
