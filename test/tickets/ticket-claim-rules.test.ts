import { describe, expect, it } from 'vitest';
import { accountBinding, decideKeyedTicket, isRealNumber } from '../../src/tickets/ticket-claim-rules.js';

describe('a keyed ticket number', () => {
  const ticketOfA = (callerOnTicket: boolean) => ({ accountId: 'A', callerOnTicket });

  it.each([
    // who keys it                      ticket          → attach, bind account, conflict
    ['an unverified stranger', ticketOfA(false), null, { attach: false, bindAccount: false, conflict: false }],
    ['an unverified caller from a number on the ticket', ticketOfA(true), null, { attach: true, bindAccount: false, conflict: false }],
    ['the verified owner from another number', ticketOfA(false), 'A', { attach: true, bindAccount: false, conflict: false }],
    ['a stranger verified as another account', ticketOfA(false), 'B', { attach: false, bindAccount: false, conflict: true }],
    ['another account calling from a number on the ticket', ticketOfA(true), 'B', { attach: true, bindAccount: false, conflict: true }],
    ['a verified stranger, ticket without an account', { accountId: null, callerOnTicket: false }, 'B', { attach: false, bindAccount: false, conflict: false }],
    ['a verified caller from its number, ticket without an account', { accountId: null, callerOnTicket: true }, 'B', { attach: true, bindAccount: true, conflict: false }],
  ] as const)('%s', (_who, ticket, verifiedAccountId, expected) => {
    expect(decideKeyedTicket(ticket, { verifiedAccountId })).toEqual(expected);
  });

  it('never lets a withheld or anonymous number stand for the caller', () => {
    for (const n of [null, '', 'anonymous', 'Restricted', '100', 'abc79991234567']) expect(isRealNumber(n)).toBe(false);
    expect(isRealNumber('79991234567')).toBe(true);
    expect(isRealNumber('+79991234567')).toBe(true);
  });

  it('binds an account to an empty ticket only, never over another', () => {
    expect(accountBinding(null, 'A')).toBe('bind');
    expect(accountBinding('A', 'A')).toBe('same');
    expect(accountBinding('A', 'B')).toBe('conflict');
  });
});
