// Ticket changes to the operator panels that see them: a new ticket, an SLA target nearing or
// breached, and other changes (so open lists stay current without polling). Sent on each
// panel's own event stream (PanelNotifier), as event "ticket". A ticket on no line yet (a call's,
// before it queues) is staff's only and goes to no panel.
import type { Logger } from 'pino';
import type { Line } from '../vocabulary.js';
import type { TicketNotifier } from '../tickets/ticket.service.js';
import { lineSeesTicket } from '../tickets/ticket-rules.js';
import { toTicketListItem } from '../tickets/ticket-list.dto.js';
import type { TicketRow } from '../tickets/ticket.table.js';
import type { PanelNotifier } from './panel.notifier.js';

type Seen = { line: Line | null; escalated: boolean };
type Change = { change: 'created' } | { change: 'updated'; fields: string[] } | { change: 'sla'; state: 'nearing' | 'breached'; target: 'first_response' | 'resolution' };

export class PanelTicketsNotifier implements TicketNotifier {
  /** Operators' lines (no route changes an operator's line), looked up once per operator. */
  private readonly lines = new Map<string, Line | null>();
  /** One change at a time, so every panel gets them in the order they happened. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly panels: Pick<PanelNotifier, 'connected' | 'send'>,
    private readonly lineOf: (operatorId: string) => Promise<Line | null>,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  ticketCreated(t: TicketRow): void {
    this.tell(t, t, { change: 'created' });
  }

  ticketUpdated(t: TicketRow, changes: Record<string, { from: unknown; to: unknown }>): void {
    // Moved to another line: the line it left is told it is gone (and nothing more about it).
    const before: Seen = changes.line ? { line: changes.line.from as Line | null, escalated: t.escalated } : t;
    this.tell(t, before, { change: 'updated', fields: Object.keys(changes) });
  }

  slaChanged(t: TicketRow, state: 'nearing' | 'breached', target: 'first_response' | 'resolution'): void {
    this.tell(t, t, { change: 'sla', state, target });
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
          const line = await this.line(id);
          if (line === undefined) continue;
          if (lineSeesTicket(line, t)) this.panels.send(id, 'ticket', { ...what, ticket: item });
          else if (lineSeesTicket(line, before)) this.panels.send(id, 'ticket', { change: 'gone', ticket: { id: t.id, number: t.number } });
        }
      })
      .catch((err: Error) => this.log.warn({ ticketId: t.id, err: err.message }, 'ticket change not sent to panels'));
  }

  private async line(operatorId: string): Promise<Line | null | undefined> {
    if (this.lines.has(operatorId)) return this.lines.get(operatorId);
    const line = await this.lineOf(operatorId).catch(() => undefined);
    if (line !== undefined) this.lines.set(operatorId, line);
    return line;
  }
}
