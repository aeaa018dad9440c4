// Operators read the calls their line may see (the ticket visibility rules): not the caller's
// number on another line's ticket, by list or by id; their own calls always; staff every call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

let t: TestApp;
const op = { first: { id: '', token: '' }, second: { id: '', token: '' } };
let supervisor = '';

beforeAll(async () => {
  t = await startTestApp();
  for (const line of ['first', 'second'] as const) {
    const o = await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('cv'), name: `Calls ${line}`, line, sipPassword: `${uniq('pw-')}-long-secret` });
    op[line] = { id: o.body.id, token: (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('cv-'), role: 'operator', operatorId: o.body.id })).body.token };
  }
  supervisor = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('cv-'), role: 'supervisor' })).body.token;
});
afterAll(async () => t?.stop());

/** A ticket on a line with one finished call on it (a row as the call service leaves it). */
async function ticketWithCall(line: Line, operatorId: string | null = null) {
  const ticketId = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: uniq('cv '), line })).body.id;
  const call = await db
    .insertInto('calls')
    .values({ ticket_id: ticketId, caller_number: randomPhone(), status: 'completed', line, operator_id: operatorId, caller_channel_id: uniq('cv-'), pbx_node: DEFAULT_PBX_NODE })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ticketId, callId: call.id };
}

const list = async (ticketId: string, token: string) => (await t.api<{ calls: { id: string; callerNumber: string }[] }>('GET', `/api/calls?ticket=${ticketId}`, undefined, token)).body.calls.map((c) => c.id);
const one = async (callId: string, token: string) => (await t.api('GET', `/api/calls/${callId}`, undefined, token)).status;

describe('calls by line', () => {
  it('a first-line operator does not read a second-line ticket’s calls; the second line and staff do', async () => {
    const s = await ticketWithCall('second');
    expect(await list(s.ticketId, op.first.token)).toEqual([]);
    expect(await one(s.callId, op.first.token)).toBe(403);
    for (const token of [op.second.token, supervisor, t.adminToken]) {
      expect(await list(s.ticketId, token)).toEqual([s.callId]);
      expect(await one(s.callId, token)).toBe(200);
    }
    // Filtering by caller does not get round it.
    const number = (await db.selectFrom('calls').select('caller_number').where('id', '=', s.callId).executeTakeFirstOrThrow()).caller_number;
    expect((await t.api<{ calls: unknown[] }>('GET', `/api/calls?caller=${number}`, undefined, op.first.token)).body.calls).toEqual([]);
  });

  it('the second line reads a first-line ticket’s calls once it is escalated; an operator always reads their own calls', async () => {
    const f = await ticketWithCall('first');
    expect(await list(f.ticketId, op.first.token)).toEqual([f.callId]);
    expect(await one(f.callId, op.second.token)).toBe(403);
    await t.api('PATCH', `/api/tickets/${f.ticketId}`, { line: 'second' });
    expect(await one(f.callId, op.second.token)).toBe(200);
    // The first-line operator who took a call keeps reading it after its ticket moved on.
    const mine = await ticketWithCall('second', op.first.id);
    expect(await one(mine.callId, op.first.token)).toBe(200);
    expect(await list(mine.ticketId, op.first.token)).toEqual([mine.callId]);
  });
  it('a page of calls is a full page of what the operator may read (filtered before limit and offset)', async () => {
    const caller = randomPhone();
    const call = async (line: Line, at: Date) => {
      const ticketId = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: uniq('cv '), line })).body.id;
      return (await db.insertInto('calls').values({ ticket_id: ticketId, caller_number: caller, status: 'completed', line, entered_at: at, caller_channel_id: uniq('cv-'), pbx_node: DEFAULT_PBX_NODE }).returning('id').executeTakeFirstOrThrow()).id;
    };
    const older = await call('first', new Date(Date.now() - 60_000));
    await call('second', new Date()); // newer, and not the first line's
    const page = await t.api<{ calls: { id: string }[] }>('GET', `/api/calls?caller=${caller}&limit=1`, undefined, op.first.token);
    expect(page.body.calls.map((c) => c.id)).toEqual([older]);
    expect((await t.api<{ calls: unknown[] }>('GET', `/api/calls?caller=${caller}&limit=1&offset=1`, undefined, op.first.token)).body.calls).toEqual([]);
  });
});
