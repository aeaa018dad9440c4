// Which of a caller's other open tickets the screen pop offers (panel/repeat-caller-rules.ts):
// verified-account matches before number matches, newest activity first, never the call's own
// ticket, another line's or a closed one, never another account's for a verified caller, and
// every spelling of one number found.
import { describe, expect, it } from 'vitest';
import { numberSpellings, pickRepeatTickets, type RepeatCandidate } from '../../src/panel/repeat-caller-rules.js';

const at = (min: number) => new Date(Date.UTC(2026, 11, 7, 12, min));
const cand = (id: string, o: Partial<RepeatCandidate> = {}): RepeatCandidate => ({
  id, number: String(100000 + Number(id)), subject: `t${id}`, status: 'open', line: 'first', escalated: false, escalatedLines: [], accountId: null, lastActivity: at(Number(id)), ...o,
});
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('repeat-caller tickets', () => {
  it('offers account matches first, then number matches, each newest first, at most the limit', () => {
    const cs = [cand('1'), cand('5'), cand('2', { accountId: 'acc-1' }), cand('9', { accountId: 'acc-1', lastActivity: at(1) }), cand('3'), cand('4'), cand('6'), cand('7')];
    const r = pickRepeatTickets(cs, { verifiedAccountId: 'acc-1', line: 'first', ownTicketId: null }, 5);
    expect(ids(r)).toEqual(['2', '9', '7', '6', '5']);
    expect(r.map((x) => x.match)).toEqual(['account', 'account', 'number', 'number', 'number']);
    expect(r[0]).toEqual({ id: '2', number: '100002', subject: 't2', status: 'open', line: 'first', lastActivityAt: at(2).toISOString(), match: 'account', accountBound: true });
  });

  it('without verification every match is a number match, even on a ticket bound to an account', () => {
    const r = pickRepeatTickets([cand('1', { accountId: 'acc-1' }), cand('2')], { verifiedAccountId: null, line: 'first', ownTicketId: null });
    expect(r.map((x) => [x.id, x.match])).toEqual([['2', 'number'], ['1', 'number']]);
    // Shown as a hint; attaching to the account's ticket waits for verification (ticket-claim.service.ts).
    expect(r.map((x) => x.accountBound)).toEqual([false, true]);
  });

  it("never offers the call's own ticket, a closed one, another line's, or another account's to a verified caller", () => {
    const cs = [
      cand('1'), // own
      cand('2', { status: 'resolved' }),
      cand('3', { line: 'second' }),
      cand('4', { accountId: 'acc-2' }),
      cand('5', { line: null }),
      cand('6'),
      cand('6'), // twice from the repository: once
    ];
    expect(ids(pickRepeatTickets(cs, { verifiedAccountId: 'acc-1', line: 'first', ownTicketId: '1' }))).toEqual(['6']);
    // The second line also sees first-line tickets escalated to it.
    expect(ids(pickRepeatTickets([cand('7', { escalated: true, escalatedLines: ['second'] }), cand('8')], { verifiedAccountId: null, line: 'second', ownTicketId: null }))).toEqual(['7']);
    // With three lines: a ticket escalated first -> second -> third is seen by both lines it went
    // to, not by a line it never reached (the flag alone no longer means "to the second line").
    const up = cand('9', { escalated: true, escalatedLines: ['second', 'third'] });
    const third = cand('10', { line: 'third', escalated: true, escalatedLines: ['third'] });
    expect(ids(pickRepeatTickets([up, third], { verifiedAccountId: null, line: 'third', ownTicketId: null }))).toEqual(['10', '9']);
    expect(ids(pickRepeatTickets([up, third], { verifiedAccountId: null, line: 'second', ownTicketId: null }))).toEqual(['9']);
    expect(ids(pickRepeatTickets([third], { verifiedAccountId: null, line: 'vip', ownTicketId: null }))).toEqual([]);
    // No line yet: nothing offered.
    expect(pickRepeatTickets([cand('8')], { verifiedAccountId: null, line: null, ownTicketId: null })).toEqual([]);
  });

  it('finds a number in every spelling it is stored in, and nothing for a withheld caller ID', () => {
    const s = numberSpellings('79121234567', 'RU');
    expect(s).toEqual(expect.arrayContaining(['79121234567', '+79121234567', '89121234567', '9121234567']));
    expect(numberSpellings('+79121234567', 'RU')).toEqual(expect.arrayContaining(['79121234567', '89121234567']));
    expect(numberSpellings('89121234567', 'RU')).toEqual(expect.arrayContaining(['+79121234567', '79121234567']));
    expect(numberSpellings('anonymous', 'RU')).toEqual([]);
    expect(numberSpellings(null, 'RU')).toEqual([]);
    expect(numberSpellings('1001', 'RU')).toEqual([]);
  });
});
