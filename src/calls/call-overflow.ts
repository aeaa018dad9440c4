// Overflow: when a caller has waited a line's limit, or nobody of the line is logged in when
// they join it, the flow's rule for that line runs: to the other line (keeping the caller's place
// in time), or to a node of the flow (a voicemail). A call overflows once, never back and forth:
// that it did is history, kept where the call's history is, its IVR path (`overflow:…`).
// While the flow runs the call is in the `overflow-ivr` phase (still `queued` in its row).
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { IvrFlow, OverflowRule } from '../ivr/ivr-flow.js';
import { runFlow } from '../ivr/ivr-runner.js';
import type { Line } from '../vocabulary.js';
import type { TicketLines } from '../tickets/ticket.service.js';
import type { CallLedger } from './call-ledger.js';
import { CallerGoneError, type CallSession } from './call-session.js';
import type { PbxPort } from './pbx.port.js';

/** The IVR-path step an overflow writes (`overflow:<where>`): the one record that a call overflowed once. */
const OVERFLOW_STEP = 'overflow:';

export interface OverflowTarget {
  readonly waiting: { remove(id: string): void; rankOf(id: string): number | undefined };
  joinQueue(s: CallSession, line: Line, rank: number): void;
  stopOffers(callId: string): void;
}

export class CallOverflow {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly t: OverflowTarget,
    private readonly d: { db: Db; tickets: TicketLines; ledger: CallLedger; pbx: PbxPort; log: Logger; flow: () => IvrFlow; staffed: (line: Line) => Promise<number> },
  ) {}

  /** A caller joined `line`'s queue: arm that line's rule. */
  async watch(s: CallSession, line: Line): Promise<void> {
    const rule = this.d.flow().overflow[line];
    if (!rule || overflowedBefore(s)) return;
    // Postgres away: taken as staffed, so the caller waits for the line rather than leave it.
    if (rule.whenNobodyLoggedIn && (await this.d.staffed(line).catch(() => 1)) === 0) return this.apply(s, line, rule, 'nobody logged in');
    if (rule.maxWaitSec) {
      const t = setTimeout(() => {
        this.timers.delete(s.callId);
        this.apply(s, line, rule, `waited ${rule.maxWaitSec} s`).catch((err: Error) => {
          if (!(err instanceof CallerGoneError)) this.d.log.error({ callId: s.callId, err: err.message }, 'overflow failed');
        });
      }, rule.maxWaitSec * 1000);
      t.unref();
      this.timers.set(s.callId, t);
    }
  }

  forget(callId: string): void {
    const t = this.timers.get(callId);
    if (t) clearTimeout(t);
    this.timers.delete(callId);
  }

  private async apply(s: CallSession, line: Line, rule: OverflowRule, why: string): Promise<void> {
    // Only a caller still waiting on that line: one rung or answered meanwhile stays put.
    if (s.phase.kind !== 'queued' || s.line !== line) return;
    const rank = this.t.waiting.rankOf(s.callId) ?? Date.now();
    this.t.waiting.remove(s.callId);
    this.t.stopOffers(s.callId);
    if ('route' in rule.action) {
      const to = rule.action.route;
      this.d.log.info({ callId: s.callId, from: line, to, why }, 'overflow to the other line');
      await s.recordStep(`${OVERFLOW_STEP}${to}`);
      s.line = to;
      this.d.ledger.update(s.callId, { line: to });
      if (s.ticketId) await this.d.tickets.setLine(s.ticketId, to).catch((err: Error) => this.d.log.error({ callId: s.callId, err: err.message }, 'ticket line not changed'));
      this.t.joinQueue(s, to, rank);
      return;
    }
    this.d.log.info({ callId: s.callId, line, node: rule.action.goto, why }, 'overflow into the flow');
    s.to({ kind: 'overflow-ivr', endsAs: 'abandoned' });
    await s.recordStep(`${OVERFLOW_STEP}${rule.action.goto}`);
    await this.d.pbx.stopMoh(s.callerChannelId);
    const next = await runFlow(this.d.flow(), s, rule.action.goto);
    if (next === 'hangup') {
      s.ivrEnds();
      await this.d.pbx.hangup(s.callerChannelId);
      return;
    }
    if (!s.in('overflow-ivr')) return; // the caller left as the flow ended
    s.to({ kind: 'queued' });
    s.line = next;
    this.d.ledger.update(s.callId, { line: next });
    await this.d.pbx.startMoh(s.callerChannelId);
    this.t.joinQueue(s, next, rank);
  }
}

/** Overflowed before: the step is in the call's IVR path (recorded before anything else of the overflow). */
function overflowedBefore(s: CallSession): boolean {
  return s.ivrPath.some((step) => step.startsWith(OVERFLOW_STEP));
}
