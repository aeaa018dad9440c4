// Who was let in recently, for while Postgres is away. Every request's token or panel session is
// checked in Postgres; with Postgres away no request got through, so the API could not tell the
// calls in progress that the service still runs from memory (issue 17: "the API still tells the
// truth"). A credential confirmed by Postgres within the grace period is taken on that
// confirmation while Postgres is unavailable, never otherwise, and only to read (the callers of
// orThrow pass safe methods only): a token or session refused at its last check, signed out or
// ended by a password reset here is forgotten at once; one revoked by another process (the CLI,
// another instance) just before the outage can still read for at most the grace.
import { isUnavailable } from '../db/pg-errors.js';

export class OutageGrace<V> {
  private readonly seen = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly graceMs: number,
    /** Bounded: the oldest confirmations go first. */
    private readonly max = 10_000,
  ) {}

  /** Postgres confirmed it now. */
  confirmed(key: string, value: V): void {
    if (this.graceMs <= 0) return;
    this.seen.delete(key); // re-inserted last: the Map's order is the age order
    this.seen.set(key, { value, at: Date.now() });
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Postgres refused it (unknown, revoked, ended). */
  refused(key: string): void {
    this.seen.delete(key);
  }

  /** Forgets every credential whose confirmed value matches (all sessions of an operator). */
  forgetWhere(match: (value: V) => boolean): void {
    for (const [k, s] of this.seen) if (match(s.value)) this.seen.delete(k);
  }

  /** What Postgres last confirmed for `key`, if `err` says it is away and that was within the grace; else `err` again. */
  orThrow(key: string, err: unknown): V {
    const s = this.seen.get(key);
    if (s && isUnavailable(err) && Date.now() - s.at <= this.graceMs) return s.value;
    throw err;
  }
}
