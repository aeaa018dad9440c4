// When a callback may ring (which numbers may be called back: callback-number.ts).
// Pure functions: the service feeds them its settings and counters.
import type { Line } from '../vocabulary.js';
import { lineSeesTicket } from '../tickets/ticket-rules.js';

/** Checks a requested calling window; returns the moment the first attempt is due. */
export function firstDue(now: Date, notBefore: Date | null, notAfter: Date | null): { due: Date } | { error: string } {
  const due = notBefore && notBefore > now ? notBefore : now;
  if (notAfter && notAfter <= due) return { error: 'notAfter must be later than notBefore and than now' };
  return { due };
}

/** When the next attempt is due after a failed one, or null when the callback is done for. */
export function nextAttemptAt(
  c: { attempts: number; max_attempts: number; not_after: Date | null },
  now: Date,
  retrySec: number,
): Date | null {
  if (c.attempts >= c.max_attempts) return null;
  const at = new Date(now.getTime() + retrySec * 1000);
  if (c.not_after && at >= c.not_after) return null;
  return at;
}

/**
 * Who may read, cancel or mark a callback: admins and supervisors, the operators serving its
 * line (who will ring it: `lines`, the served lines, absent: the home line only), and whoever
 * booked it (`requested_by` keeps their label: a panel token sees only its own bookings).
 */
export function mayHandleCallback(actor: { role: string; line: Line | null; lines?: readonly Line[]; label: string }, c: { line: Line; requested_by: string }): boolean {
  if (actor.role === 'admin' || actor.role === 'supervisor') return true;
  if (c.requested_by === actor.label) return true;
  // A callback is on its line only, never escalated: the line rule of tickets with nothing escalated.
  return actor.role === 'operator' && lineSeesTicket(actor.lines ?? actor.line, { line: c.line, escalated: false, escalated_lines: [] });
}
