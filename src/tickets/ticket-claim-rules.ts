// Whether a caller who keyed a ticket number may have that ticket. Ticket numbers are
// sequential, so knowing one proves nothing: the call is attached only when the caller proved
// they belong to it (verified as the ticket's account) or calls from a number already on it.
// Otherwise the keyed number stays a claim on the call for the operator to check and confirm.

export interface ClaimedTicket {
  accountId: string | null;
  /** The calling number is the ticket's own or one of its calls' (the ticket's phones). */
  callerOnTicket: boolean;
}

export interface KeyingCaller {
  verifiedAccountId: string | null;
}

export interface ClaimDecision {
  /** Attach the call to the ticket now; false: keep the keyed number as a claim only. */
  attach: boolean;
  /** The ticket has no account yet and the caller is verified: it gets theirs. */
  bindAccount: boolean;
  /** The caller is verified as another account than the ticket's: never overwritten, flagged. */
  conflict: boolean;
}

export function decideKeyedTicket(t: ClaimedTicket, c: KeyingCaller): ClaimDecision {
  const verified = c.verifiedAccountId;
  const conflict = verified !== null && t.accountId !== null && t.accountId !== verified;
  const owner = verified !== null && t.accountId === verified;
  const attach = owner || t.callerOnTicket;
  return { attach, bindAccount: attach && verified !== null && t.accountId === null, conflict };
}

/**
 * A number that can stand for the caller on a ticket: a real number, not a withheld or
 * anonymous one (which every withheld caller would share).
 */
export function isRealNumber(n: string | null): n is string {
  return n !== null && /^\+?[0-9]{5,18}$/.test(n);
}

/**
 * What binding a verified account to a ticket comes to: an empty ticket gets it, the same
 * account is a no-op, another account is a conflict (the ticket keeps its own).
 */
export function accountBinding(ticketAccountId: string | null, accountId: string): 'bind' | 'same' | 'conflict' {
  if (ticketAccountId === null) return 'bind';
  return ticketAccountId === accountId ? 'same' : 'conflict';
}
