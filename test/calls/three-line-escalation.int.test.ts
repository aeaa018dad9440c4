// Escalation through three configured lines (issue 21, test/fixtures/lines-three.json: first →
// second → third, the third reached only by escalation): a caller reaches the first line, its
// operator sends the call to the second, the second-line engineer escalates it on (no line named:
// the next one up, the third). The
// ticket ends on the third line marked escalated to the second and the third; who sees it
// follows: the lines it was escalated to do, the first line no longer does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LINES_FILE: 'test/fixtures/lines-three.json', WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  for (const line of ['first', 'second', 'third']) await clearLine(t.api, line);
});
afterAll(async () => t?.stop());

type Call = { id: string; status: string; line: string; operatorId: string | null; ticketId: string };
type Ticket = { id: string; number: string; line: string; escalated: boolean; escalatedLines: string[] };

describe('escalation first → second → third', () => {
  it('moves the call and its ticket up each line, and each line sees what it should', async () => {
    const ops = { first: await operatorWithPhone(t.api, 'first'), second: await operatorWithPhone(t.api, 'second'), third: await operatorWithPhone(t.api, 'third') };
    const token = async (id: string) => (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('o'), role: 'operator', operatorId: id })).body.token;
    const tok = { first: await token(ops.first.id), second: await token(ops.second.id), third: await token(ops.third.id) };
    const caller = randomPhone();
    const callerRun = runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 20_000 });
    const talkingTo = (id: string, operatorId: string) =>
      waitFor(`the call bridged to operator ${operatorId}`, async () => {
        const c = (await t.api<Call>('GET', `/api/calls/${id}`)).body;
        return c.status === 'bridged' && c.operatorId === operatorId ? c : undefined;
      });
    const first = await waitFor('the first-line operator to answer', async () => {
      const c = (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.status === 'bridged' && c.operatorId === ops.first.id ? c : undefined;
    });
    expect(first.line).toBe('first');

    expect((await t.api('POST', `/api/calls/${first.id}/transfer`, { line: 'second' }, tok.first)).status).toBe(202);
    const onSecond = await talkingTo(first.id, ops.second.id);
    expect(onSecond.line).toBe('second');
    // Between the two escalations: the second line sees it, the third not yet.
    expect((await t.api<Ticket>('GET', `/api/tickets/${first.ticketId}`, undefined, tok.second)).body).toMatchObject({ line: 'second', escalated: true, escalatedLines: ['second'] });
    expect((await t.api('GET', `/api/tickets/${first.ticketId}`, undefined, tok.third)).status).toBe(403);

    // No line named: the next one up the escalation order (second → third).
    expect((await t.api('POST', `/api/calls/${first.id}/transfer`, {}, tok.second)).status).toBe(202);
    const onThird = await talkingTo(first.id, ops.third.id);
    expect(onThird).toMatchObject({ line: 'third', ticketId: first.ticketId });
    // The top of the order escalates nowhere: refused, and the call stays with the third line.
    const top = await t.api<{ error: { code: string } }>('POST', `/api/calls/${first.id}/transfer`, {}, tok.third);
    expect([top.status, top.body.error.code]).toEqual([409, 'no_escalation_target']);

    const ticket = (await t.api<Ticket & { timeline: { kind: string; data: { from?: string; to?: string } }[] }>('GET', `/api/tickets/${first.ticketId}`)).body;
    expect(ticket).toMatchObject({ line: 'third', escalated: true, escalatedLines: ['second', 'third'] });
    expect(ticket.timeline.filter((e) => e.kind === 'line').map((e) => e.data)).toEqual([
      { from: 'first', to: 'second' },
      { from: 'second', to: 'third' },
    ]);
    // The third line sees it (its line), the second still does (escalated to it), the first no longer.
    const status = async (k: keyof typeof tok) => (await t.api('GET', `/api/tickets/${first.ticketId}`, undefined, tok[k])).status;
    expect({ first: await status('first'), second: await status('second'), third: await status('third') }).toEqual({ first: 403, second: 200, third: 200 });
    const listed = async (k: keyof typeof tok) => (await t.api<{ tickets: { id: string }[] }>('GET', `/api/tickets?number=${ticket.number}`, undefined, tok[k])).body.tickets.length;
    expect([await listed('first'), await listed('second'), await listed('third')]).toEqual([0, 1, 1]);
    // The call with it: the third-line engineer on it reads it; the first-line operator, no longer on it, does not.
    expect((await t.api('GET', `/api/calls/${first.id}`, undefined, tok.third)).status).toBe(200);
    expect((await t.api<{ calls: unknown[] }>('GET', `/api/calls?caller=${caller}`, undefined, tok.first)).body.calls).toEqual([]);

    const [c, p1, p2, p3] = await Promise.all([callerRun, ops.first.phone, ops.second.phone, ops.third.phone]);
    for (const r of [c, p1, p2, p3]) expect(r.code, r.stdout).toBe(0);
    for (const o of Object.values(ops)) await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });
    const ended = await waitFor('the call to end', async () => {
      const r = (await t.api<Call & { endedAt: string | null; transitions: { to: string }[] }>('GET', `/api/calls/${first.id}`)).body;
      return r.endedAt ? r : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', line: 'third', operatorId: ops.third.id });
    // Each transfer records the line the call left (reports count a move up the order from it).
    const events = await db.selectFrom('call_events').select(['seq', 'detail']).where('call_id', '=', first.id).orderBy('seq').execute();
    const transfers = events.map((e) => (e.detail as { transfer?: { fromLine: string; toLine: string } } | null)?.transfer).filter((x) => x !== undefined);
    expect(transfers.map((x) => [x.fromLine, x.toLine])).toEqual([['first', 'second'], ['second', 'third']]);

    // Lines served: the first-line operator also made to serve the third sees the ticket now; the home line stays first.
    const served = await t.api<{ line: string; lines: string[] }>('PUT', `/api/operators/${ops.first.id}/lines`, { lines: ['third'] });
    expect(served.body).toMatchObject({ line: 'first', lines: ['first', 'third'] });
    expect(await status('first')).toBe(200);
    // ... and the third line's missed calls too, not the second's (served lines, not the home line only).
    expect((await t.api('GET', '/api/missed-calls?line=third', undefined, tok.first)).status).toBe(200);
    expect((await t.api('GET', '/api/missed-calls?line=second', undefined, tok.first)).status).toBe(403);
    // Supervisors see what each operator serves and can do in the operator list.
    const listed1 = (await t.api<{ operators: { id: string; lines: string[]; skills: Record<string, number> }[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === ops.first.id);
    expect(listed1).toMatchObject({ lines: ['first', 'third'], skills: {} });
    // Every signed-in role reads the configured lines' names and escalation order (the operator panel names lines from them).
    const names = (await t.api<{ lines: unknown[] }>('GET', '/api/lines', undefined, tok.third)).body.lines;
    expect(names).toEqual([
      { id: 'first', name: { ru: 'Первая линия', en: 'First line' }, escalatesTo: 'second', escalationOnly: false },
      { id: 'second', name: { ru: 'Вторая линия', en: 'Second line' }, escalatesTo: 'third', escalationOnly: false },
      { id: 'third', name: { ru: 'Третья линия', en: 'Third line' }, escalatesTo: null, escalationOnly: true },
    ]);
    const unknown = await t.api<{ error: { code: string } }>('PUT', `/api/operators/${ops.first.id}/lines`, { lines: ['fourth'] });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'unknown_line']);
    expect((await t.api('PUT', `/api/operators/${ops.first.id}/lines`, { lines: [] }, tok.second)).status).toBe(403);
  });
});
