// The screen pop: everything an operator needs on screen before they answer. The caller's
// number, whether they proved who they are (and as whom), how they came through the IVR and in
// which language, how long they waited, and their ticket with its history.
import type { Db } from '../db/database.js';
import { findCallById } from '../calls/call.repository.js';
import { findOpenTicketByNumber } from '../tickets/ticket.repository.js';
import type { TicketService } from '../tickets/ticket.service.js';
import type { CallRow } from '../calls/call.table.js';

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

export class ScreenPopService {
  constructor(
    private readonly db: Db,
    private readonly tickets: TicketService,
    /** A live call's row as the call core has it now (its changes reach Postgres behind: the call ledger). */
    private readonly liveRow: (callId: string) => CallRow | undefined = () => undefined,
  ) {}

  async build(callId: string): Promise<ScreenPop | undefined> {
    // Verification (and, unless the call core hands CallTickets the ledger, the keyed number) is
    // written straight to Postgres; the path, line, wait and ticket reach it behind the live row
    // (the call ledger): each is taken from where it is current.
    const [live, stored] = [this.liveRow(callId), await findCallById(this.db, callId)];
    const c = live && stored ? { ...stored, ...pick(live, ['ivr_path', 'line', 'queued_at', 'language', 'status']), ticket_id: live.ticket_id ?? stored.ticket_id, keyed_ticket_number: live.keyed_ticket_number ?? stored.keyed_ticket_number } : (live ?? stored);
    if (!c) return undefined;
    const t = c.ticket_id ? await this.tickets.history(c.ticket_id).catch(() => undefined) : undefined;
    const keyed = c.keyed_ticket_number ? await findOpenTicketByNumber(this.db, c.keyed_ticket_number) : undefined;
    return {
      callId: c.id,
      callerNumber: c.caller_number,
      language: c.language,
      line: c.line,
      ivrPath: c.ivr_path,
      waitedSec: c.queued_at ? Math.round((Date.now() - c.queued_at.getTime()) / 1000) : null,
      verification: { status: c.verification_status, accountId: c.verified_account_id, customerName: t?.ticket.customer_name ?? null },
      claim: keyed && keyed.id !== c.ticket_id ? { number: keyed.number, ticketId: keyed.id, line: keyed.line } : null,
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
  }
}

function pick<K extends keyof CallRow>(row: CallRow, keys: readonly K[]): Pick<CallRow, K> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<CallRow, K>;
}
