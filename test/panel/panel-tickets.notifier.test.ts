import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PanelTicketsNotifier } from '../../src/panel/panel-tickets.notifier.js';
import type { Line } from '../../src/vocabulary.js';
import type { TicketRow } from '../../src/tickets/ticket.table.js';

const now = new Date('2030-01-07T09:00:00Z');
const ticket = (over: Partial<TicketRow>): TicketRow => ({
  id: '7', number: '100007', subject: 's', description: '', status: 'new', line: 'first', caller_number: '79991234567', legal_hold: false,
  account_id: null, verified_at: null, verified_call_id: null, survey_score: null, priority: 'normal', category: null, assignee_id: null,
  customer_name: null, escalated: false, escalated_lines: [], first_response_at: null, resolved_at: null, sla_first_due: new Date(now.getTime() + 3600_000),
  sla_resolve_due: new Date(now.getTime() + 7200_000), sla_state: 'ok', merged_into: null, split_from: null, search: '', created_at: now, updated_at: now, ...over,
});

function rig() {
  // c serves the third line besides their home line (operators.lines).
  const lines: Record<string, Line[]> = { a: ['first'], b: ['second'], c: ['first', 'third'] };
  const sent: { to: string; event: string; data: Record<string, unknown> }[] = [];
  let lookups = 0;
  const n = new PanelTicketsNotifier(
    { connected: () => ['a', 'b', 'c'], send: (to, event, data) => sent.push({ to, event, data: data as Record<string, unknown> }) },
    async (id) => (lookups++, lines[id] ?? []),
    pino({ level: 'silent' }),
    () => now,
  );
  return { n, sent, lookups: () => lookups, lines };
}

describe('ticket changes to the panels', () => {
  it("tells the panels of the lines that see the ticket, with the list item, and looks each operator's line up once", async () => {
    const { n, sent, lookups } = rig();
    n.ticketCreated(ticket({}));
    n.slaChanged(ticket({ sla_state: 'nearing' }), 'nearing', 'first_response');
    await n.settled();
    expect(sent.map((s) => [s.to, s.data.change])).toEqual([['a', 'created'], ['c', 'created'], ['a', 'sla'], ['c', 'sla']]);
    expect(sent[0]!.data.ticket).toMatchObject({ id: '7', number: '100007', slaClock: { target: 'first_response', leftSec: 3600, state: 'ok' } });
    expect(lookups()).toBe(3);
  });

  it('tells the line a ticket left only that it is gone, and the second line of an escalation everything', async () => {
    const { n, sent } = rig();
    n.ticketUpdated(ticket({ line: 'second', escalated: true }), { line: { from: 'first', to: 'second' } });
    await n.settled();
    expect(sent.map((s) => [s.to, s.data.change])).toEqual([['a', 'gone'], ['b', 'updated'], ['c', 'gone']]);
    expect(sent[0]!.data).toEqual({ change: 'gone', ticket: { id: '7', number: '100007' } });
  });

  it('tells an operator of every line they serve, and follows a change of their served lines at once', async () => {
    const { n, sent, lookups, lines } = rig();
    n.ticketUpdated(ticket({ line: 'third', escalated: true, escalated_lines: ['second', 'third'] }), { line: { from: 'second', to: 'third' } });
    await n.settled();
    // b (second) saw it escalated to their line and still does; c serves the third line; a never saw it.
    expect(sent.map((s) => [s.to, s.data.change])).toEqual([['b', 'updated'], ['c', 'updated']]);
    sent.length = 0;
    // c no longer serves the third line (PUT /api/operators/:id/lines on this instance): told at once, no new lookup.
    lines.c = ['first'];
    n.operatorChanged({ id: 'c', lines: ['first'] });
    n.ticketCreated(ticket({ id: '8', line: 'third' }));
    await n.settled();
    expect(sent).toEqual([]);
    expect(lookups()).toBe(3);
  });

  it("tells nobody of a ticket on no line yet (a call's, before it queues)", async () => {
    const { n, sent, lookups } = rig();
    n.ticketCreated(ticket({ line: null }));
    await n.settled();
    expect(sent).toEqual([]);
    expect(lookups()).toBe(0);
  });
});
