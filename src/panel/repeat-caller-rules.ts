// Which of a caller's other open tickets the screen pop offers, and how it labels them. Pure:
// the repository finds candidates (by verified account and by calling number), this decides.
//
// - `account`: the call is verified (a code keyed for an account) and the ticket is that
//   account's. Proof of identity as strong as the verification itself.
// - `number`: the ticket (or one of its calls) has the calling number. Caller IDs can be spoofed
//   and numbers are shared, so it is only ever a hint: the panel says so and the operator checks.
// A verified caller is not offered tickets bound to another account (they are provably someone
// else's, whatever the number says). Only tickets the call's line sees are offered (the same
// rule as the ticket lists), never the call's own ticket. Account matches first, then number
// matches, each newest activity first, at most `limit`.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Line } from '../vocabulary.js';
import { isRealNumber } from '../tickets/ticket-claim-rules.js';
import { lineSeesTicket } from '../tickets/ticket-rules.js';
import type { TicketStatus } from '../tickets/ticket.table.js';

export const REPEAT_LIMIT = 5;
export const REPEAT_MATCHES = ['account', 'number'] as const;
export type RepeatMatch = (typeof REPEAT_MATCHES)[number];

export interface RepeatTicket {
  id: string;
  number: string;
  subject: string;
  status: TicketStatus;
  line: Line | null;
  lastActivityAt: string;
  match: RepeatMatch;
  /**
   * The ticket belongs to an account. A number match to it is shown, but the call is attached
   * only once the caller is verified as that account (its history would otherwise go to whoever
   * uses that number, or spoofs it).
   */
  accountBound: boolean;
}

export interface RepeatCandidate {
  id: string;
  number: string;
  subject: string;
  status: TicketStatus;
  line: Line | null;
  escalated: boolean;
  /** The lines it was escalated to: their operators see it (ticket-rules.ts lineSeesTicket). */
  escalatedLines: readonly Line[];
  accountId: string | null;
  lastActivity: Date;
}

export interface RepeatCallContext {
  verifiedAccountId: string | null;
  /** The call's line: the tickets offered are those its operators see. Null: none yet, nothing offered. */
  line: Line | null;
  /** The call's own ticket (the new one made for it): never offered. */
  ownTicketId: string | null;
}

const OPEN: readonly TicketStatus[] = ['new', 'open', 'pending_customer'];

/**
 * Every way one number is stored here: caller IDs come as Asterisk gives them (79121234567,
 * 89121234567), callback numbers as E.164 (+79121234567). Read as callback-number.ts reads
 * numbers (libphonenumber-js, the callback region for national forms). Empty for a withheld or
 * malformed caller ID: no number match then.
 */
export function numberSpellings(raw: string | null, defaultRegion: string): string[] {
  if (!isRealNumber(raw)) return [];
  const digits = raw.replace(/\D/g, '');
  const out = new Set([raw, digits, `+${digits}`]);
  const p = parsePhoneNumberFromString(raw, { defaultCountry: defaultRegion as CountryCode, extract: false });
  if (p?.isValid()) {
    out.add(p.number);
    out.add(p.number.slice(1));
    out.add(p.nationalNumber);
    out.add(p.format('NATIONAL').replace(/\D/g, ''));
  }
  return [...out];
}

/** The tickets to offer, labelled and ordered (see the header). */
export function pickRepeatTickets(cands: readonly RepeatCandidate[], call: RepeatCallContext, limit = REPEAT_LIMIT): RepeatTicket[] {
  const seen = new Set<string>();
  const picked: (RepeatTicket & { at: number })[] = [];
  for (const c of cands) {
    if (seen.has(c.id) || c.id === call.ownTicketId || !OPEN.includes(c.status)) continue;
    if (!lineSeesTicket(call.line, { line: c.line, escalated: c.escalated, escalated_lines: c.escalatedLines })) continue;
    const byAccount = call.verifiedAccountId !== null && c.accountId === call.verifiedAccountId;
    if (!byAccount && call.verifiedAccountId !== null && c.accountId !== null) continue;
    seen.add(c.id);
    picked.push({ id: c.id, number: c.number, subject: c.subject, status: c.status, line: c.line, lastActivityAt: c.lastActivity.toISOString(), match: byAccount ? 'account' : 'number', accountBound: c.accountId !== null, at: c.lastActivity.getTime() });
  }
  picked.sort((a, b) => (a.match === b.match ? b.at - a.at || Number(b.id) - Number(a.id) : a.match === 'account' ? -1 : 1));
  return picked.slice(0, limit).map(({ at: _at, ...t }) => t);
}
