// Sticky routing (issue 21): a caller whose ticket is known rings that ticket's assignee first,
// when the assignee is available and serves the caller's line, for the line's stickyRingSec
// (0: off). Not answered in that time, or not available: the caller goes to the line's waiting
// list at the place they took when they joined, and the assignee is not paused as missed (a
// ring they were never obliged to take; nor could a caller get an operator paused by keying
// their tickets' numbers).
//
// What the caller's ticket is, and how sure we are (AssigneeMatch, call-phase.ts):
// - keyed, and the caller verified as the ticket's account: the ticket is theirs (`account`).
// - keyed from a number on the ticket: the call takes it (call-tickets.ts), but caller IDs can be
//   spoofed, so the pop says the match is by the calling number, not verified (`number`).
// - keyed, not proved (a claim, call-tickets.ts): ticket numbers are sequential, so anyone can
//   key one, and a claim that rang its assignee would let any caller pick which operator answers
//   (and go past callers waiting for that operator). Issue 21 asks for a ticket the caller keyed
//   *and is attached to*: a claim rings nobody first; the line takes the caller, and the operator
//   confirms the claim as before. (A ring with match `keyed` still exists in old transitions.)
// - keyed, but the caller is verified as another account than the ticket's (flagged as a
//   conflict by call-tickets.ts): provably not theirs, no sticky ring.
// - verified (one-time code) as an account with an open ticket that has an assignee: the
//   account's most recently active such ticket.
// A keyed ticket says which ticket the call is about: it wins over the account's, even when it
// has no assignee (then the call goes to the line).
//
// No round trip of its own on a caller's path (docs/scaling.md): a keyed ticket's assignee comes
// with the ticket the IVR looks up anyway; an account's ticket is looked up as soon as the caller
// is verified, while the IVR goes on, and when the caller is queued the call core waits for it
// alongside the call's own ticket (call.service.ts enqueue: that asks Postgres there anyway), so
// the lookup adds no wait. Postgres away: the lookup fails like the ticket, and the caller goes
// to the line. Which operator is free is read from memory (OperatorService.available).
//
// The ring is an ordinary ring of the call core (call-dispatch.ts ring()): the call's phase is
// `ringing {assignee}`, with its own timeout, and its miss goes through operatorMissed like any
// other. This module keeps only what it knows about the caller's ticket, per live call, and
// decides once, when the caller first joins the line.
//
// An assignee who missed their sticky ring is then avoided for that caller (MISSED_ASSIGNEE_AVOID_SEC):
// the ACD would otherwise ring them again at once as an ordinary ring when they are the free
// operator idle longest, the same caller for the same person who just did not pick up, and that
// second miss would pause them. Avoided only while anybody else of the line could take the caller
// (queues/skill-match.ts), and only for a bounded time, not the rest of the call: once a minute
// has passed with nobody else come free, an idle operator is better than a longer wait (and a
// miss then is an ordinary one). A ring the service's restart cancelled (call-reclaim.ts) was
// nobody's miss: the assignee is offered the caller again, as the assignee (offerAgain).
import type { Logger } from 'pino';
import type { LineCatalog } from '../lines/line-catalog.js';
import type { OperatorRow } from '../operators/operator.table.js';
import type { Line } from '../vocabulary.js';
import type { AssigneeMatch, AssigneeRing, CallPhase } from './call-phase.js';
import type { CallSession } from './call-session.js';

/** A ticket as sticky routing needs it. */
export interface StickyTicket {
  id: string;
  number: string;
  assigneeId: string | null;
}

/**
 * What is known of a live call's ticket: `ticket` (keyed, or the verified account's), `used`
 * once the caller has joined a line (decided: nothing learnt later rings anyone).
 */
type Known = { kind: 'ticket'; ticket: StickyTicket; match: AssigneeMatch } | { kind: 'used'; missed?: { operatorId: string; at: number } };

/** How long (s) a caller is not offered to the assignee whose sticky ring they missed (see above). */
export const MISSED_ASSIGNEE_AVOID_SEC = 60;

/** The ACD's side (call-dispatch.ts): the ring itself, and the line's waiting list. */
export interface StickyCore {
  ring(s: CallSession, op: OperatorRow, fromQueue: boolean, assignee: AssigneeRing): Promise<void>;
  joinQueue(s: CallSession, line: Line, rank: number): void;
}

export interface StickyDeps {
  lines: LineCatalog;
  /** The operators rung or talking (the live calls' own set): not rung again. */
  busy: Set<string>;
  /** Available operators serving a line, from memory. */
  operators: { available(line: Line): OperatorRow[] };
  /** The verified account's open ticket with an assignee, most recently active first (Postgres; never awaited by a caller). */
  accountTicket: (accountId: string) => Promise<StickyTicket | undefined>;
  log: Logger;
}

/** Whom to ring first, and how: the assignee when free and serving the line, the line rings at all, the match allows it. */
export function stickyTarget(known: Known | undefined, ringSec: number, free: readonly Pick<OperatorRow, 'id'>[]): { operatorId: string; ring: AssigneeRing } | undefined {
  // A keyed claim proves nothing (see the header): only a ticket the call took, or the verified account's.
  if (known?.kind !== 'ticket' || ringSec <= 0 || known.match === 'keyed') return undefined;
  const { ticket, match } = known;
  if (!ticket.assigneeId || !free.some((o) => o.id === ticket.assigneeId)) return undefined;
  return { operatorId: ticket.assigneeId, ring: { ticketId: ticket.id, ticketNumber: ticket.number, match, ringSec } };
}

/** The operators a caller is not offered to at `now` (ms since the epoch): the assignee who missed their sticky ring, for a while. */
export function avoidedAt(known: Known | undefined, now: number): readonly string[] {
  const missed = known?.kind === 'used' ? known.missed : undefined;
  return missed && now - missed.at < MISSED_ASSIGNEE_AVOID_SEC * 1000 ? [missed.operatorId] : [];
}

/** A ring of a ticket's assignee, who was never obliged to take it: its miss pauses nobody. */
export function rungAsAssignee(p: CallPhase): boolean {
  return p.kind === 'ringing' && p.assignee !== undefined;
}

export class CallSticky {
  private readonly known = new WeakMap<CallSession, Known>();
  /** A verified caller's account ticket being looked up (settles, never fails). */
  private readonly lookups = new WeakMap<CallSession, Promise<void>>();

  constructor(private readonly d: StickyDeps) {}

  /**
   * The caller keyed an open ticket's number (call-tickets.ts): how it is theirs (AssigneeMatch),
   * or `conflict` when the caller is verified as another account (then nothing is rung). A later
   * keyed ticket replaces an earlier one.
   */
  ticketKeyed(s: CallSession, ticket: StickyTicket, how: AssigneeMatch | 'conflict'): void {
    if (this.known.get(s)?.kind === 'used') return;
    if (how === 'conflict') this.known.set(s, { kind: 'ticket', ticket: { ...ticket, assigneeId: null }, match: 'keyed' });
    else this.known.set(s, { kind: 'ticket', ticket, match: how });
  }

  /**
   * The caller proved an account in the IVR: its open ticket's assignee is looked up while the
   * IVR goes on (ready() tells when it is known). A keyed ticket known meanwhile wins; an answer
   * after the caller joined the line rings nobody. Postgres away: nothing sticks.
   */
  verified(s: CallSession, accountId: string): void {
    if (!s.in('ivr') || this.known.has(s)) return;
    const lookup = this.d
      .accountTicket(accountId)
      .then((t) => {
        if (t?.assigneeId && !this.known.has(s)) this.known.set(s, { kind: 'ticket', ticket: t, match: 'account' });
      })
      .catch((err: Error) => this.d.log.warn({ callId: s.callId, err: err.message }, "verified account's ticket not looked up: the caller goes to the line"));
    this.lookups.set(s, lookup);
  }

  /** The assignee rung first did not pick up (call-dispatch.ts operatorMissed): avoided for the caller for a while. */
  missed(s: CallSession, operatorId: string, now = Date.now()): void {
    this.known.set(s, { kind: 'used', missed: { operatorId, at: now } });
  }

  /** Whom the ACD does not offer the caller to now (queues/skill-match.ts `avoid`). */
  avoided(s: CallSession, now = Date.now()): readonly string[] {
    return avoidedAt(this.known.get(s), now);
  }

  /**
   * The assignee's ring was cancelled, not missed (the service restarted under it: call-reclaim.ts
   * rebuilds it from the call's last ringing transition): when the caller joins the line again,
   * the assignee is rung first again, as the assignee, if free.
   */
  offerAgain(s: CallSession, ring: AssigneeRing, operatorId: string): void {
    this.known.set(s, { kind: 'ticket', ticket: { id: ring.ticketId, number: ring.ticketNumber, assigneeId: operatorId }, match: ring.match });
  }

  /** Settles when what is being looked up for the caller (a verified account's ticket) is known. */
  ready(s: CallSession): Promise<void> {
    return this.lookups.get(s) ?? Promise.resolve();
  }

  /**
   * A caller joins `line` at `rank` (call-dispatch.ts joinQueue). The first time only: when their
   * ticket's assignee is free and serves the line, they are rung, and true is returned (the
   * caller is not in the waiting list meanwhile; a miss puts them there at `rank`).
   */
  ringFirst(core: StickyCore, s: CallSession, line: Line, rank: number): boolean {
    const known = this.known.get(s);
    if (known?.kind === 'used') return false;
    this.known.set(s, { kind: 'used' });
    if (!s.in('queued')) return false;
    const free = this.d.operators.available(line).filter((o) => !this.d.busy.has(o.id));
    const target = stickyTarget(known, this.d.lines.get(line)?.stickyRingSec ?? 0, free);
    const op = target && free.find((o) => o.id === target.operatorId);
    if (!target || !op) return false;
    s.rank = rank;
    this.d.log.info({ callId: s.callId, operatorId: op.id, ticketId: target.ring.ticketId, match: target.ring.match, ringSec: target.ring.ringSec }, "ringing the ticket's assignee first");
    core.ring(s, op, false, target.ring).catch((err: Error) => {
      // Not rung (the call changed meanwhile, or the ring could not be started): the line takes the caller.
      this.d.log.error({ callId: s.callId, operatorId: op.id, err: err.message }, 'assignee not rung');
      if (s.operatorId === op.id && !s.in('ringing')) {
        this.d.busy.delete(op.id);
        s.operatorId = null;
        s.operatorChannelId = null;
      }
      if (s.in('queued')) core.joinQueue(s, line, rank);
    });
    return true;
  }
}
