// The screen pop: everything an operator needs on screen before they answer. The caller's
// number, whether they proved who they are (and as whom), how they came through the IVR and in
// which language, how long they waited, their ticket with its history, and their other open
// tickets (repeat callers). Made ahead while the caller waits (pop-cache.ts), served at the ring.
import type { Db } from '../db/database.js';
import type { CallSession } from '../calls/call-session.js';
import type { AssigneeMatch, AssigneeRing } from '../calls/call-phase.js';
import { findCallById } from '../calls/call.repository.js';
import { findOpenTicketByNumber } from '../tickets/ticket.repository.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { CallRow } from '../calls/call.table.js';
import { PopCache, type LiveCallView } from './pop-cache.js';
import { pickRepeatTickets, type RepeatCandidate, type RepeatTicket } from './repeat-caller-rules.js';
import type { RepeatCallers } from './repeat-caller.service.js';
import type { KnownTicket } from '../calls/call-tickets.js';

export interface ScreenPop {
  callId: string;
  callerNumber: string | null;
  language: string;
  line: string | null;
  ivrPath: string[];
  waitedSec: number | null;
  verification: { status: string; accountId: string | null; customerName: string | null };
  /**
   * The caller keyed this open ticket's number but did not prove they belong to it: "keyed
   * 100032 — not confirmed". The operator checks them and confirms (POST
   * /api/panel/calls/:id/ticket-claim); until then `ticket` is the call's own new one.
   */
  claim: { number: string; ticketId: string; line: string | null } | null;
  /**
   * The caller's other open tickets (not this call's own): `account` matches (verified as the
   * ticket's account) first, then `number` matches (only a hint: caller IDs can be spoofed).
   * Attach the call to one with POST /api/panel/calls/:id/ticket-attach.
   */
  repeatTickets: RepeatTicket[];
  /**
   * Why this operator's phone rings (sticky routing, calls/call-sticky.ts): they are the assignee
   * of the caller's ticket. `match`: how the ticket is the caller's; only `account` is verified
   * (a one-time code): `keyed` (its number keyed) and `number` (the calling number is on it)
   * prove nothing, so the operator checks the caller before talking about the ticket. Only on a
   * ring of the assignee (absent otherwise).
   */
  rungAs?: { reason: 'assignee'; ticketId: string; ticketNumber: string; match: AssigneeMatch; verified: boolean };
  ticket: {
    id: string;
    number: string;
    subject: string;
    status: string;
    priority: string;
    history: { callId: string; at: string; status: string; durationSec: number | null; recordingId: string | null }[];
    notes: { author: string; body: string; at: string }[];
  } | null;
}

/** What the pop reads beyond Postgres: the call core's live calls, and the repeat-caller lookup. */
export interface PopSources {
  /** A live call's row as the call core has it now (its changes reach Postgres behind: the call ledger). */
  liveRow?: (callId: string) => CallRow | undefined;
  session?: (callId: string) => CallSession | undefined;
  /** The live calls, for the looks that make pops ahead (pop-cache.ts). */
  live?: () => Iterable<LiveCallView>;
  /** Whether any panel is open to pop to: without one (desk phones only) nothing is made ahead. */
  wanted?: () => boolean;
  repeat?: RepeatCallers;
  /** A live call's ticket as the call core made or found it (calls/call-tickets.ts): a fresh one needs nothing read back. */
  ticket?: (callId: string) => KnownTicket | undefined;
}

/** Where a pop served at the ring came from: made ahead, put together from memory, or built then. */
export type PopMade = 'ahead' | 'memory' | 'at-ring';

export class ScreenPopService {
  private readonly pops = new PopCache<{ pop: ScreenPop; queuedAt: number | null }>();
  /** Repeat-caller candidates per call, by number and account (fetched in the IVR). */
  private readonly candidates = new PopCache<RepeatCandidate[]>();
  private looking = false;
  private readonly src: PopSources;

  constructor(
    private readonly db: Db,
    private readonly tickets: TicketService,
    liveRow: (callId: string) => CallRow | undefined = () => undefined,
    more: Omit<PopSources, 'liveRow'> = {},
  ) {
    this.src = { ...more, liveRow };
  }

  /** The pop for a ringing operator: made ahead when it still stands, else now. */
  async build(callId: string): Promise<ScreenPop | undefined> {
    return (await this.served(callId))?.pop;
  }

  /**
   * The pop for a ringing operator, and where it came from. A pop made ahead and ready is
   * served; else one put together from memory when nothing needs reading back (fromMemory); else
   * the build under way is waited for, or one is made now. With an operator free the ring comes
   * within milliseconds of the caller joining the line, before a build started then can finish.
   */
  async served(callId: string): Promise<{ pop: ScreenPop; made: PopMade } | undefined> {
    const key = this.keyOf(callId);
    const hit = key === undefined ? undefined : this.pops.get(callId, key);
    const waited = (m: { pop: ScreenPop; queuedAt: number | null }) => ({ ...m.pop, waitedSec: waitedSince(m.queuedAt) });
    if (hit?.ready) return { pop: waited(hit.ready), made: 'ahead' };
    const quick = this.fromMemory(callId);
    if (quick) return { pop: quick, made: 'memory' };
    const made = hit ? await hit.value : undefined;
    if (made) return { pop: waited(made), made: 'ahead' };
    const fresh = await this.make(callId);
    return fresh && { pop: fresh.pop, made: 'at-ring' };
  }

  /**
   * The pop from the call core's memory alone, when that is the whole truth: the call's ticket
   * was made for it (no earlier calls, no notes), the caller is not verified (a verified caller's
   * name is on the account's ticket), and their number's other tickets were fetched in the IVR.
   * Anything else is read from Postgres as before.
   */
  private fromMemory(callId: string): ScreenPop | undefined {
    const row = this.src.liveRow?.(callId);
    const s = this.src.session?.(callId);
    const known = this.src.ticket?.(callId);
    if (!row || !s || !known?.fresh || s.verifiedAccountId || row.verified_account_id) return undefined;
    const cands = this.candidates.get(callId, `${row.caller_number}|null`)?.ready;
    if (!cands) return undefined;
    const t = known.ticket;
    const claim = known.claim && known.claim.ticketId !== t.id ? known.claim : null;
    return {
      callId,
      callerNumber: row.caller_number,
      language: row.language,
      line: row.line,
      ivrPath: row.ivr_path,
      waitedSec: waitedSince(row.queued_at?.getTime() ?? null),
      verification: { status: row.verification_status, accountId: null, customerName: t.customer_name },
      claim,
      repeatTickets: pickRepeatTickets(cands, { verifiedAccountId: null, line: row.line, ownTicketId: t.id }),
      ticket: { id: t.id, number: t.number, subject: t.subject, status: t.status, priority: t.priority, history: [], notes: [] },
    };
  }

  /**
   * The call core reported a call starting, an IVR step or a transition: one look (per turn of the event loop) over the live
   * calls makes what is missing and drops what is over. Never awaited by anyone.
   */
  transitioned(): void {
    if (this.looking || !this.src.live) return;
    this.looking = true;
    setImmediate(() => {
      this.looking = false;
      try {
        this.look();
      } catch {
        // A look is an optimisation: the ring builds the pop itself.
      }
    });
  }

  private look(): void {
    if (this.src.wanted && !this.src.wanted()) {
      this.pops.retain(() => false);
      this.candidates.retain(() => false);
      return;
    }
    const live = new Map<string, LiveCallView>();
    for (const s of this.src.live?.() ?? []) live.set(s.callId, s);
    for (const s of live.values()) {
      if (s.status === 'ivr') void this.candidatesOf(s.callId, s.callerNumber, s.verifiedAccountId);
      else if (s.status === 'queued' || s.status === 'ringing') {
        const key = this.keyOf(s.callId);
        if (key !== undefined) void this.pops.fill(s.callId, key, () => this.compute(s.callId));
      }
    }
    const waiting = (id: string) => ['ivr', 'queued', 'ringing'].includes(live.get(id)?.status ?? '');
    this.pops.retain(waiting);
    this.candidates.retain(waiting);
  }

  /** What a made pop depends on that can change while the caller waits (a verification, a claim, a move). */
  private keyOf(callId: string): string | undefined {
    const row = this.src.liveRow?.(callId);
    if (!row) return undefined;
    const s = this.src.session?.(callId);
    return [s?.ticketId ?? row.ticket_id, row.keyed_ticket_number, s?.verifiedAccountId ?? row.verified_account_id, row.line].join('|');
  }

  private async make(callId: string): Promise<{ pop: ScreenPop; queuedAt: number | null } | undefined> {
    const key = this.keyOf(callId);
    return key === undefined ? this.compute(callId) : this.pops.fill(callId, key, () => this.compute(callId), 0);
  }

  private candidatesOf(callId: string, callerNumber: string | null, accountId: string | null): Promise<RepeatCandidate[] | undefined> {
    const repeat = this.src.repeat;
    if (!repeat) return Promise.resolve([]);
    return this.candidates.fill(callId, `${callerNumber}|${accountId}`, () => repeat.candidates({ callerNumber, verifiedAccountId: accountId }), 10_000);
  }

  private async compute(callId: string): Promise<{ pop: ScreenPop; queuedAt: number | null } | undefined> {
    // Verification (and, unless the call core hands CallTickets the ledger, the keyed number) is
    // written straight to Postgres; the path, line, wait and ticket reach it behind the live row
    // (the call ledger): each is taken from where it is current.
    // What the live call already tells (its ticket, keyed number, account) is read in parallel
    // with its stored row: one round trip instead of two on the way to the pop.
    const live = this.src.liveRow?.(callId);
    const session = this.src.session?.(callId);
    const guess = { ticketId: session?.ticketId ?? live?.ticket_id ?? null, keyed: live?.keyed_ticket_number ?? null, account: session?.verifiedAccountId ?? null };
    const history = (id: string | null) => (id ? this.tickets.history(id).catch(() => undefined) : Promise.resolve(undefined));
    const keyedTicket = (n: string | null) => (n ? findOpenTicketByNumber(this.db, n) : Promise.resolve(undefined));
    // Not part of the pop's promise: a repeat lookup that fails leaves the list empty.
    const repeat = (n: string | null, account: string | null) => this.candidatesOf(callId, n, account).catch(() => []);
    const [stored, tGuess, keyedGuess, candsGuess] = await Promise.all([
      findCallById(this.db, callId),
      history(guess.ticketId),
      keyedTicket(guess.keyed),
      live ? repeat(live.caller_number, guess.account) : undefined,
    ]);
    const c = live && stored ? { ...stored, ...pick(live, ['ivr_path', 'line', 'queued_at', 'language', 'status']), ticket_id: live.ticket_id ?? stored.ticket_id, keyed_ticket_number: live.keyed_ticket_number ?? stored.keyed_ticket_number } : (live ?? stored);
    if (!c) return undefined;
    const ticketId = session?.ticketId ?? c.ticket_id;
    const account = session?.verifiedAccountId ?? c.verified_account_id;
    // Read again only what the stored row says otherwise (a call of another instance, a verification written straight to Postgres).
    const [t, keyed, cands] = await Promise.all([
      ticketId === guess.ticketId ? tGuess : history(ticketId),
      c.keyed_ticket_number === guess.keyed ? keyedGuess : keyedTicket(c.keyed_ticket_number),
      candsGuess && account === guess.account ? candsGuess : repeat(c.caller_number, account),
    ]);
    const repeatTickets = pickRepeatTickets(cands ?? [], { verifiedAccountId: account, line: c.line, ownTicketId: ticketId });
    const pop: ScreenPop = {
      callId: c.id,
      callerNumber: c.caller_number,
      language: c.language,
      line: c.line,
      ivrPath: c.ivr_path,
      waitedSec: waitedSince(c.queued_at?.getTime() ?? null),
      verification: { status: c.verification_status, accountId: c.verified_account_id, customerName: t?.ticket.customer_name ?? null },
      claim: keyed && keyed.id !== ticketId ? { number: keyed.number, ticketId: keyed.id, line: keyed.line } : null,
      repeatTickets,
      ticket: t
        ? {
            id: t.ticket.id,
            number: t.ticket.number,
            subject: t.ticket.subject,
            status: t.ticket.status,
            priority: t.ticket.priority,
            // Earlier calls on the ticket, newest first (not this one).
            history: t.calls
              .filter((x) => x.id !== c.id)
              .reverse()
              .map((x) => ({
                callId: x.id,
                at: x.entered_at.toISOString(),
                status: x.status,
                durationSec: x.answered_at && x.ended_at ? Math.round((x.ended_at.getTime() - x.answered_at.getTime()) / 1000) : null,
                recordingId: x.recording_id,
              })),
            notes: t.notes.map((n) => ({ author: n.author, body: n.body, at: n.created_at.toISOString() })),
          }
        : null,
    };
    return { pop, queuedAt: c.queued_at ? c.queued_at.getTime() : null };
  }
}

/** The pop's reason for a ring of the caller's ticket's assignee. */
export function rungAs(a: AssigneeRing): NonNullable<ScreenPop['rungAs']> {
  return { reason: 'assignee', ticketId: a.ticketId, ticketNumber: a.ticketNumber, match: a.match, verified: a.match === 'account' };
}

/** Seconds since the caller joined the line (ms since the epoch), or null before that. */
function waitedSince(queuedAt: number | null): number | null {
  return queuedAt === null ? null : Math.round((Date.now() - queuedAt) / 1000);
}

function pick<K extends keyof CallRow>(row: CallRow, keys: readonly K[]): Pick<CallRow, K> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<CallRow, K>;
}
