// When a callback may ring (which numbers may be called back: callback-number.ts).
// Pure functions: the service feeds them its settings and counters.

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
 * Who may read, cancel or mark a callback: admins and supervisors, the operators of its line
 * (who will ring it), and whoever booked it (`requested_by` keeps their label: a panel token
 * sees only its own bookings).
 */
export function mayHandleCallback(actor: { role: string; line: string | null; label: string }, c: { line: string; requested_by: string }): boolean {
  if (actor.role === 'admin' || actor.role === 'supervisor') return true;
  if (c.requested_by === actor.label) return true;
  return actor.role === 'operator' && actor.line === c.line;
}
