// A caller's other open tickets, for the screen pop and for attaching the call to one of them
// (ticket-claim.service.ts): the candidates from Postgres, the choice by the pure rules.
import type { Db } from '../db/database.js';
import { findRepeatTicketCandidates } from '../tickets/repeat-caller.repository.js';
import { numberSpellings, pickRepeatTickets, REPEAT_LIMIT, type RepeatCallContext, type RepeatCandidate, type RepeatTicket } from './repeat-caller-rules.js';

export interface RepeatLookup {
  callerNumber: string | null;
  verifiedAccountId: string | null;
}

export class RepeatCallers {
  constructor(private readonly db: Db, private readonly defaultRegion: string) {}

  /**
   * The candidates of a number and account, before the call's line and own ticket are known
   * (fetched while the caller is still in the IVR: the pop cache). A few more than are shown,
   * so that filtering by line still leaves enough.
   */
  async candidates(q: RepeatLookup): Promise<RepeatCandidate[]> {
    const rows = await findRepeatTicketCandidates(this.db, {
      spellings: numberSpellings(q.callerNumber, this.defaultRegion),
      accountId: q.verifiedAccountId,
      exclude: null,
      limit: REPEAT_LIMIT * 4,
    });
    return rows.map((r) => ({ id: r.id, number: r.number, subject: r.subject, status: r.status, line: r.line, escalated: r.escalated, escalatedLines: r.escalated_lines, accountId: r.account_id, lastActivity: r.last_activity }));
  }

  async forCall(q: RepeatLookup & RepeatCallContext): Promise<RepeatTicket[]> {
    return pickRepeatTickets(await this.candidates(q), q);
  }
}
