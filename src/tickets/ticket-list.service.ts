// The operator's ticket lists between calls: the views of their lines (ticket-list-rules.ts).
// An operator's lists hold only what the lines they serve see; "my lines" are the operator's
// served lines for a supervisor too, and every line for an API token of no operator.
import type { Db } from '../db/database.js';
import { servedLines, type Actor } from './ticket.service.js';
import { listTicketView } from './ticket-list.repository.js';
import type { TicketView } from './ticket-list-rules.js';
import type { TicketPriority, TicketRow } from './ticket.table.js';

export class TicketListService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async view(
    actor: Actor,
    view: TicketView,
    f: { priority?: TicketPriority; category?: string; limit: number; offset: number },
  ): Promise<{ rows: TicketRow[]; total: number; at: Date }> {
    const at = this.now();
    const r = await listTicketView(this.db, { view, operatorId: actor.operatorId, lines: servedLines(actor), ...f, now: at });
    return { ...r, at };
  }
}
