import { describe, expect, it } from 'vitest';
import { slaClock } from '../../src/tickets/ticket-list-rules.js';
import { toTicketListItem } from '../../src/tickets/ticket-list.dto.js';
import type { TicketRow } from '../../src/tickets/ticket.table.js';

const H = 3600_000;
const created = new Date('2030-01-07T09:00:00Z');
const at = (h: number) => new Date(created.getTime() + h * H);
const ticket = (over: Partial<TicketRow> = {}): TicketRow => ({
  id: '1', number: '100001', subject: 's', description: '', status: 'open', line: 'first', caller_number: null, legal_hold: false,
  account_id: null, verified_at: null, verified_call_id: null, survey_score: null, priority: 'high', category: null, assignee_id: null,
  customer_name: null, escalated: false, escalated_lines: [], first_response_at: null, resolved_at: null, sla_first_due: at(4), sla_resolve_due: at(48),
  sla_state: 'ok', merged_into: null, split_from: null, search: '', created_at: created, updated_at: created, ...over,
});

describe('the SLA clock of a ticket list', () => {
  it('counts down to the first target not met yet, and past it once breached', () => {
    expect(slaClock(ticket(), at(1))).toEqual({ target: 'first_response', due: at(4), leftSec: 3 * 3600, state: 'ok' });
    expect(slaClock(ticket(), at(3.5))).toMatchObject({ target: 'first_response', leftSec: 1800, state: 'nearing' });
    expect(slaClock(ticket(), at(5))).toMatchObject({ target: 'first_response', leftSec: -3600, state: 'breached' });
  });
  it('moves on to resolution once the first response is in, and stops for a resolved ticket', () => {
    expect(slaClock(ticket({ first_response_at: at(1) }), at(2))).toMatchObject({ target: 'resolution', due: at(48), leftSec: 46 * 3600, state: 'ok' });
    expect(slaClock(ticket({ status: 'resolved', resolved_at: at(2) }), at(3))).toBeNull();
    expect(slaClock(ticket({ sla_first_due: null, sla_resolve_due: null }), at(3))).toBeNull();
  });
  it('shows up on the list item next to the summary', () => {
    const item = toTicketListItem(ticket(), at(3.5));
    expect(item).toMatchObject({ id: '1', number: '100001', slaClock: { target: 'first_response', due: at(4).toISOString(), leftSec: 1800, state: 'nearing' } });
  });
});
