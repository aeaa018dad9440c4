// Ticket changes to the operator panels that see them: a new ticket, an SLA target nearing or
// breached, and other changes (so open lists stay current without polling). Sent on each
// panel's own event stream (PanelNotifier), as event "ticket", to every operator whose served
// lines see it (operators.lines: the home line and any others). A ticket on no line yet (a
// call's, before it queues) is staff's only and goes to no panel.
import type { Logger } from 'pino';
import type { Line } from '../vocabulary.js';
import type { TicketNotifier } from '../tickets/ticket.service.js';
import { lineSeesTicket } from '../tickets/ticket-rules.js';
import { toTicketListItem } from '../tickets/ticket-list.dto.js';
import type { TicketRow } from '../tickets/ticket.table.js';
import type { PanelNotifier } from './panel.notifier.js';

type Seen = { line: Line | null; escalated: boolean; escalated_lines?: readonly Line[] };
/** How long an operator's served lines are trusted before they are looked up again (see `lines`). */
const SERVED_LINES_KEPT_MS = 60_000;

type Change = { change: 'created' } | { change: 'updated'; fields: string[] } | { change: 'sla'; state: 'nearing' | 'breached'; target: 'first_response' | 'resolution' };

export class PanelTicketsNotifier implements TicketNotifier {
  /**
   * Operators' served lines, looked up once per operator and kept current by operatorChanged
   * (PUT /api/operators/:id/lines on this instance). A change made through another instance is
   * only seen here when the entry is looked up again, so entries are kept a short while only.
   */
  private readonly lines = new Map<string, { lines: readonly Line[]; at: number }>();
  /** One change at a time, so every panel gets them in the order they happened. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly panels: Pick<PanelNotifier, 'connected' | 'send'>,
    private readonly lineOf: (operatorId: string) => Promise<readonly Line[]>,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  ticketCreated(t: TicketRow): void {
    this.tell(t, t, { change: 'created' });
  }

  ticketUpdated(t: TicketRow, changes: Record<string, { from: unknown; to: unknown }>): void {
    // Moved to another line: the line it left is told it is gone (and nothing more about it).
    const before: Seen = changes.line ? { line: changes.line.from as Line | null, escalated: t.escalated, escalated_lines: t.escalated_lines } : t;
    this.tell(t, before, { change: 'updated', fields: Object.keys(changes) });
  }

  slaChanged(t: TicketRow, state: 'nearing' | 'breached', target: 'first_response' | 'resolution'): void {
    this.tell(t, t, { change: 'sla', state, target });
  }

  /** An operator's row changed here (served lines among what may have): their lines as they are now. */
  operatorChanged(op: { id: string; lines: readonly Line[] }): void {
    this.lines.set(op.id, { lines: op.lines, at: this.now().getTime() });
  }

  /** Resolves once every change so far has gone out (tests). */
  settled(): Promise<void> {
    return this.tail;
  }

  private tell(t: TicketRow, before: Seen, what: Change): void {
    // A call's new ticket is on no line yet (it is opened while the caller is in the IVR): nobody to tell.
    if (t.line === null && before.line === null && !t.escalated) return;
    const ids = this.panels.connected();
    if (!ids.length) return;
    const item = toTicketListItem(t, this.now());
    this.tail = this.tail
      .then(async () => {
        for (const id of ids) {
          const served = await this.served(id);
          if (served === undefined) continue;
          if (lineSeesTicket(served, t)) this.panels.send(id, 'ticket', { ...what, ticket: item });
          else if (lineSeesTicket(served, before)) this.panels.send(id, 'ticket', { change: 'gone', ticket: { id: t.id, number: t.number } });
        }
      })
      .catch((err: Error) => this.log.warn({ ticketId: t.id, err: err.message }, 'ticket change not sent to panels'));
  }

  private async served(operatorId: string): Promise<readonly Line[] | undefined> {
    const at = this.now().getTime();
    const known = this.lines.get(operatorId);
    if (known && at - known.at < SERVED_LINES_KEPT_MS) return known.lines;
    const lines = await this.lineOf(operatorId).catch(() => undefined);
    if (lines !== undefined) this.lines.set(operatorId, { lines, at });
    return lines;
  }
}
