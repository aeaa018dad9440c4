// The screen pop put together from the call core's memory at the ring (issue 19: with an operator
// free the phone rings within milliseconds of the caller joining the line, before a pop made
// ahead from Postgres is ready). Only when memory is the whole truth: a ticket made for this
// call, an unverified caller, and their number's other tickets already fetched in the IVR.
// Anything else goes to Postgres as before (here a database that throws shows it was asked).
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { newCallRow } from '../../src/calls/call-ledger.js';
import type { CallSession } from '../../src/calls/call-session.js';
import type { KnownTicket } from '../../src/calls/call-tickets.js';
import { ScreenPopService } from '../../src/panel/screen-pop.service.js';
import type { TicketService } from '../../src/tickets/ticket.service.js';
import type { TicketRow } from '../../src/tickets/ticket.table.js';
import type { RepeatCandidate } from '../../src/panel/repeat-caller-rules.js';

const asked: string[] = [];
const db = new Proxy({}, { get: (_t, k) => { asked.push(String(k)); throw new Error('Postgres asked'); } }) as unknown as Db;

function rig(o: { fresh?: boolean; verified?: string | null; claim?: KnownTicket['claim'] } = {}) {
  const row = { ...newCallRow({ caller_number: '+79990001122', dialled_number: '88005553535', language: 'ru', status: 'queued', caller_channel_id: 'ch', pbx_node: 'n' }), line: 'first', ivr_path: ['menu', 'first'], queued_at: new Date(Date.now() - 3000) };
  const session = { callId: row.id, status: 'ivr', callerNumber: row.caller_number, verifiedAccountId: o.verified ?? null } as unknown as CallSession;
  const ticket = { id: '900', number: '100900', subject: 'Call from +79990001122', status: 'new', priority: 'normal', customer_name: null, line: 'first' } as unknown as TicketRow;
  const other: RepeatCandidate = { id: '800', number: '100800', subject: 'Earlier', status: 'open', line: 'first', escalated: false, escalatedLines: [], accountId: null, lastActivity: new Date() };
  const pops = new ScreenPopService(db, {} as TicketService, () => row, {
    session: () => session,
    live: () => [{ callId: row.id, status: session.status, callerNumber: row.caller_number, verifiedAccountId: session.verifiedAccountId }],
    repeat: { candidates: async () => [other] } as never,
    ticket: () => ({ ticket, fresh: o.fresh ?? true, claim: o.claim ?? null }),
  });
  return { pops, row, session };
}

/** One look while the caller is in the IVR: their number's other tickets are fetched then. */
async function inIvr(pops: ScreenPopService): Promise<void> {
  pops.transitioned();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
}

describe('the screen pop from memory', () => {
  it('serves a fresh ticket’s pop at once, with the repeat tickets fetched in the IVR and a claim', async () => {
    const { pops, row, session } = rig({ claim: { ticketId: '700', number: '100700', line: 'second' } });
    await inIvr(pops);
    (session as { status: string }).status = 'ringing';
    asked.length = 0;
    const r = await pops.served(row.id);
    expect(asked).toEqual([]);
    expect(r?.made).toBe('memory');
    expect(r?.pop).toMatchObject({
      callId: row.id,
      line: 'first',
      ivrPath: ['menu', 'first'],
      waitedSec: 3,
      verification: { status: 'none', accountId: null },
      claim: { ticketId: '700', number: '100700', line: 'second' },
      ticket: { id: '900', number: '100900', history: [], notes: [] },
    });
    expect(r?.pop.repeatTickets.map((t) => t.id)).toEqual(['800']);
  });

  it('asks Postgres for a ticket found (its history), a verified caller, or before the IVR’s lookup', async () => {
    for (const [o, look] of [[{ fresh: false }, true], [{ verified: 'acc-1' }, true], [{}, false]] as const) {
      const { pops, row } = rig(o);
      if (look) await inIvr(pops);
      asked.length = 0;
      const r = await pops.served(row.id).catch(() => undefined);
      expect(r?.made).not.toBe('memory');
      expect(asked.length).toBeGreaterThan(0);
    }
  });
});
