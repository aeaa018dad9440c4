// Visibility and escalation by the configured lines (issue 21), against a three-line catalog:
// first → second → third, plus a billing desk outside that chain.
import { describe, expect, it } from 'vitest';
import { LineCatalog, type LineDefinition } from '../../src/lines/line-catalog.js';
import { canSeeTicket, isEscalation, lineSeesTicket } from '../../src/tickets/ticket-rules.js';
import { callVisibleTo } from '../../src/calls/call-visibility.js';
import { snapshotOf } from '../../src/calls/call-snapshot.js';
import { WaitingLists } from '../../src/queues/waiting-list.js';
import type { CallSession } from '../../src/calls/call-session.js';

const line = (id: string, escalatesTo: string | null): LineDefinition => ({
  id, name: { ru: id, en: id }, escalatesTo, escalationOnly: false, fallbackQueue: 'first-line', widenAfterSec: 30, stickyRingSec: 15,
});
const lines = new LineCatalog([line('first', 'second'), line('second', 'third'), line('third', null), line('billing', null)]);

describe('escalation by the escalation order', () => {
  it('is a move up the chain, once or more; never down, sideways or from no line', () => {
    expect(isEscalation(lines, 'first', 'second')).toBe(true);
    expect(isEscalation(lines, 'second', 'third')).toBe(true);
    expect(isEscalation(lines, 'first', 'third')).toBe(true);
    expect(isEscalation(lines, 'third', 'second')).toBe(false);
    expect(isEscalation(lines, 'second', 'first')).toBe(false);
    expect(isEscalation(lines, 'first', 'billing')).toBe(false);
    expect(isEscalation(lines, 'billing', 'second')).toBe(false);
    expect(isEscalation(lines, null, 'second')).toBe(false);
    expect(isEscalation(lines, 'second', 'second')).toBe(false);
  });

  it('does not spin on a cycle the validator would have refused', () => {
    const loop = new LineCatalog([line('a', 'b'), line('b', 'a')]);
    expect(isEscalation(loop, 'a', 'c')).toBe(false);
    expect(isEscalation(loop, 'a', 'b')).toBe(true);
  });

  it('with the default two lines, first → second only, as before', () => {
    const d = LineCatalog.defaults();
    expect([isEscalation(d, 'first', 'second'), isEscalation(d, 'second', 'first')]).toEqual([true, false]);
  });
});

describe('which tickets the lines an operator serves see', () => {
  const onFirst = { line: 'first', escalated: false, escalated_lines: [] };
  const upToSecond = { line: 'second', escalated: true, escalated_lines: ['second'] };
  const upToThird = { line: 'third', escalated: true, escalated_lines: ['second', 'third'] };
  const backDown = { line: 'first', escalated: true, escalated_lines: ['second'] };

  it('each line sees its own tickets and those escalated to it, wherever they went next', () => {
    const sees = (l: string) => [onFirst, upToSecond, upToThird, backDown].map((t) => lineSeesTicket(l, t));
    expect(sees('first')).toEqual([true, false, false, true]);
    expect(sees('second')).toEqual([false, true, true, true]);
    expect(sees('third')).toEqual([false, false, true, false]);
    expect(sees('billing')).toEqual([false, false, false, false]);
  });

  it('an operator serving several lines sees what each of them sees', () => {
    const op = { role: 'operator', line: 'billing', lines: ['billing', 'third'] };
    expect([onFirst, upToSecond, upToThird].map((t) => canSeeTicket(op, t))).toEqual([false, false, true]);
    // Without `lines`: the home line only.
    expect(canSeeTicket({ role: 'operator', line: 'third' }, upToThird)).toBe(true);
    expect(canSeeTicket({ role: 'operator', line: 'third' }, upToSecond)).toBe(false);
  });

  it('staff see all, a panel token none, and a ticket on no line is staff only', () => {
    const none = { line: null, escalated: false, escalated_lines: [] };
    expect(canSeeTicket({ role: 'supervisor', line: 'first' }, upToThird)).toBe(true);
    expect(canSeeTicket({ role: 'panel', line: null }, onFirst)).toBe(false);
    expect(canSeeTicket({ role: 'operator', line: 'first', lines: ['first', 'second', 'third'] }, none)).toBe(false);
  });

  it('a reader without escalated_lines reads the flag as before there were more lines: escalated to the second', () => {
    expect(lineSeesTicket('second', { line: 'first', escalated: true })).toBe(true);
    expect(lineSeesTicket('third', { line: 'first', escalated: true })).toBe(false);
    expect(lineSeesTicket('second', { line: 'first', escalated: false })).toBe(false);
  });
});

describe('calls follow the ticket rule and the served lines', () => {
  const op = { role: 'operator' as const, line: 'second', lines: ['second', 'third'], operatorId: '7' };
  it('their own calls, the calls of tickets they see, ticketless calls on a served line', () => {
    const call = (l: string | null, operatorId: string | null = null) => ({ ticket_id: null, line: l, operator_id: operatorId });
    expect(callVisibleTo(op, call('third'), undefined)).toBe(true);
    expect(callVisibleTo(op, call('first'), undefined)).toBe(false);
    expect(callVisibleTo(op, call('first', '7'), undefined)).toBe(true);
    const withTicket = { ticket_id: '1', line: 'first', operator_id: null };
    expect(callVisibleTo(op, withTicket, { line: 'first', escalated: true, escalated_lines: ['third'] })).toBe(true);
    expect(callVisibleTo(op, withTicket, { line: 'first', escalated: false, escalated_lines: [] })).toBe(false);
  });
});

describe('the call core takes any line', () => {
  it('a waiting list is made on its first use, and recheck sees every line with someone waiting', () => {
    const w = new WaitingLists();
    expect(w.size('third')).toBe(0);
    w.insert('third', 'c1', 1);
    w.insert('billing', 'c2', 2);
    w.insert('first', 'c3', 3);
    w.remove('c3');
    expect(w.linesWaiting().sort()).toEqual(['billing', 'third']);
    expect(w.position('third', 'c1')).toBe(1);
  });

  it('the snapshot lists the configured lines and any other line someone waits on', () => {
    const queued = { status: 'queued', line: 'third', queuedAt: 1000 } as unknown as CallSession;
    const snap = snapshotOf([queued], (l) => (l === 'third' ? 1 : 0), 3000, ['first', 'second']);
    expect(snap.waiting).toEqual([
      { line: 'first', count: 0, longestMs: 0 },
      { line: 'second', count: 0, longestMs: 0 },
      { line: 'third', count: 1, longestMs: 2000 },
    ]);
    // Default: today's two lines, as before.
    expect(snapshotOf([], () => 0).waiting.map((x) => x.line)).toEqual(['first', 'second']);
  });
});
