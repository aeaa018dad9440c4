// What a failed Postgres write says about retrying it: the one place the service tells "Postgres
// is away" from "the change is wrong". The call ledger retries everything but data errors (it
// must never drop a call's change for a transient or systemic fault); the writes behind a call
// (write-behind.ts) retry only while Postgres is away and give up on anything else.

/**
 * SQLSTATE classes that say the change itself is wrong (22 data, 23 constraints): retrying it
 * would block every change behind it, and would never succeed.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}

/**
 * Postgres, or the way to it, is away (connection refused or lost, the server shutting down,
 * out of resources): the same write can succeed later. pg reports some of these only in the
 * message (a pool that cannot connect), so both are read.
 */
export function isUnavailable(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (/^(08|57P|53)/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(e.code))) return true;
  return typeof e.message === 'string' && /Connection terminated|ECONNREFUSED|timeout exceeded when trying to connect|connection error|Connection refused/i.test(e.message);
}

/** The next wait of a retry loop: doubled, up to `maxMs`. */
export function nextBackoff(waitMs: number, maxMs: number): number {
  return Math.min(waitMs * 2, maxMs);
}
