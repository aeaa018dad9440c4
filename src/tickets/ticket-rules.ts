// The pure rules of built-in tickets: which status changes are allowed, which priority a
// category starts at, and when a ticket's SLA targets fall due. No I/O, so unit tests run
// them with any clock.
import { DEFAULT_LINE_IDS, type Line } from '../vocabulary.js';
import type { TicketPriority, TicketStatus } from './ticket.table.js';

/** Allowed status changes. A closed ticket stays closed (a new call opens a new ticket). */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending_customer', 'resolved', 'closed'],
  open: ['pending_customer', 'resolved', 'closed'],
  pending_customer: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function canMove(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What the visibility rules read of a ticket (escalated_lines absent: a reader that does not select it yet). */
export type TicketLineView = { line: Line | null; escalated: boolean; escalated_lines?: readonly Line[] };

/**
 * Where an escalated ticket went when the reader does not say (no escalated_lines): as migration
 * 0024 read the flag of tickets escalated before there were more lines, to the default
 * configuration's second line, the only line there was to escalate to.
 */
const LEGACY_ESCALATED_TO: readonly Line[] = DEFAULT_LINE_IDS.slice(1, 2);

/**
 * Whether operators serving `lines` see a ticket: the tickets of those lines, and the tickets
 * escalated up to one of them from a lower line, wherever those went afterwards (with today's two
 * lines: the second line also sees the first-line tickets escalated to it). A ticket on no line
 * yet is staff's only. A single line is an operator who serves only their home line.
 */
export function lineSeesTicket(lines: Line | readonly Line[] | null, t: TicketLineView): boolean {
  const served: readonly Line[] = lines === null ? [] : typeof lines === 'string' ? [lines] : lines;
  if (t.line !== null && served.includes(t.line)) return true;
  return (t.escalated_lines ?? (t.escalated ? LEGACY_ESCALATED_TO : [])).some((l) => served.includes(l));
}

/**
 * Who sees a ticket (and so its calls, callbacks and the caller's number): admins, supervisors
 * and pbxdesk itself see all, an operator what the lines they serve see (`lines`; absent: their
 * home line only), a panel token (the customer control panel) none.
 */
export function canSeeTicket(viewer: { role: string; line: Line | null; lines?: readonly Line[] }, t: TicketLineView): boolean {
  if (viewer.role === 'operator') return lineSeesTicket(viewer.lines ?? viewer.line, t);
  return viewer.role !== 'panel';
}

/** The escalation order as the rules need it (LineCatalog has it). */
export type EscalationOrder = { next(line: Line): Line | null };

/**
 * Is a move from `from` to `to` an escalation: is `to` above `from` in the escalation order
 * (reached from it by escalating, once or more)? A move down, sideways (another desk's chain) or
 * from no line is not.
 */
export function isEscalation(order: EscalationOrder, from: Line | null, to: Line): boolean {
  if (from === null || from === to) return false;
  const seen = new Set<Line>([from]);
  for (let up = order.next(from); up !== null && !seen.has(up); up = order.next(up)) {
    if (up === to) return true;
    seen.add(up); // the validator refuses cycles; a reader must never spin on one anyway
  }
  return false;
}

/** Categories whose tickets start at high priority unless one is given (compromised accounts, fraud). */
export const SECURITY_CATEGORIES = ['security', 'fraud', 'account-compromise', 'phishing', 'data-leak'] as const;

export function defaultPriority(category: string | null | undefined): TicketPriority {
  return category && (SECURITY_CATEGORIES as readonly string[]).includes(category) ? 'high' : 'normal';
}

/** First-response and resolution targets per priority, in seconds. */
export type SlaTargets = Record<TicketPriority, { firstResponseSec: number; resolutionSec: number }>;

const H = 3600;
export const DEFAULT_SLA: SlaTargets = {
  critical: { firstResponseSec: 1 * H, resolutionSec: 24 * H },
  high: { firstResponseSec: 4 * H, resolutionSec: 48 * H },
  normal: { firstResponseSec: 24 * H, resolutionSec: 120 * H },
  // Not in the table: low gets twice normal's targets.
  low: { firstResponseSec: 48 * H, resolutionSec: 240 * H },
};

/**
 * Parses SLA_TARGETS: "critical=1h/1d,high=4h/2d,..." (first response / resolution; units s, m,
 * h, d). Priorities left out keep their defaults.
 */
export function parseSlaTargets(spec: string): SlaTargets {
  const out: SlaTargets = structuredClone(DEFAULT_SLA);
  if (!spec.trim()) return out;
  for (const part of spec.split(',')) {
    const m = /^\s*(low|normal|high|critical)\s*=\s*(\d+)([smhd])\s*\/\s*(\d+)([smhd])\s*$/.exec(part);
    if (!m) throw new Error(`"${part}" is not priority=<first>/<resolution>, e.g. high=4h/2d`);
    const unit = { s: 1, m: 60, h: H, d: 24 * H } as const;
    const sec = (n: string | undefined, u: string | undefined) => Number(n) * unit[u as keyof typeof unit];
    out[m[1] as TicketPriority] = { firstResponseSec: sec(m[2], m[3]), resolutionSec: sec(m[4], m[5]) };
  }
  return out;
}

/** The due times of a ticket created at `createdAt` with `priority`. */
export function slaDue(createdAt: Date, priority: TicketPriority, targets: SlaTargets): { firstDue: Date; resolveDue: Date } {
  const t = targets[priority];
  return { firstDue: new Date(createdAt.getTime() + t.firstResponseSec * 1000), resolveDue: new Date(createdAt.getTime() + t.resolutionSec * 1000) };
}

/** "Nearing": this share of the target's time has passed. */
export const SLA_NEARING_SHARE = 0.8;

export function nearingAt(createdAt: Date, due: Date): Date {
  return new Date(createdAt.getTime() + (due.getTime() - createdAt.getTime()) * SLA_NEARING_SHARE);
}

export type SlaCheck =
  | { state: 'ok'; target: null; due: null }
  | { state: 'nearing' | 'breached'; target: 'first_response' | 'resolution'; due: Date };

/**
 * The SLA state of a ticket at `now`: breached when a target it has not met is past due,
 * nearing when 80% of a pending target's time has passed. A met target no longer counts.
 */
export function slaState(
  t: { createdAt: Date; firstDue: Date | null; resolveDue: Date | null; firstResponseAt: Date | null; resolvedAt: Date | null; status: TicketStatus },
  now: Date,
): SlaCheck {
  const done = t.status === 'resolved' || t.status === 'closed';
  const pending: ['first_response' | 'resolution', Date][] = [];
  if (t.firstDue && !t.firstResponseAt && !done) pending.push(['first_response', t.firstDue]);
  if (t.resolveDue && !t.resolvedAt && !done) pending.push(['resolution', t.resolveDue]);
  for (const [target, due] of pending) if (now >= due) return { state: 'breached', target, due };
  for (const [target, due] of pending) if (now >= nearingAt(t.createdAt, due)) return { state: 'nearing', target, due };
  return { state: 'ok', target: null, due: null };
}
