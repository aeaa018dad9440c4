// The screen pop, made while the caller is still in the IVR and the queue rather than when an
// operator's phone starts ringing (issue 19: the pop must arrive before the answer, p95 < 100 ms
// on a loaded machine, repeat-caller tickets included). Panel-side only: it reads the call
// core's live sessions and never makes a caller wait (each look runs on a later turn of the
// event loop, and what it asks Postgres is not on any caller's path).
//
// - In the IVR: the repeat-caller candidates of the number (and account, once verified) are
//   fetched, as soon as a look sees the call.
// - Queued: the whole pop is built (the ticket exists from then on).
// - Ringing: the pop is served from here when what it was built from is still the call's: the
//   same ticket, keyed number, verified account and line (`key`), and not older than MAX_AGE_MS.
//   Not ready yet (an operator free rings within milliseconds of the caller joining the line, so
//   the build started at `queued` is often still in Postgres): a call on a ticket made for it, not
//   verified, is popped from the call core's memory (screen-pop.service.ts fromMemory); otherwise
//   the build is waited for, or made at once as before. Callers who wait long get theirs rebuilt every
//   REFRESH_MS, so a note added meanwhile is there too.
// - Only while some operator panel is open: with desk phones alone nobody is popped.
// - Answered (bridged) or ended: evicted; a consultation's ring builds afresh.
// Looks happen when the core reports a call starting (its row), an IVR step acted on, or any
// transition (coalesced into one per turn of the event loop).

/** A live call as the look sees it (a subset of the core's CallSession). */
export interface LiveCallView {
  readonly callId: string;
  readonly status: string;
  readonly callerNumber: string | null;
  readonly verifiedAccountId: string | null;
}

// A pop's ticket side is read afresh by the panel anyway (GET /api/tickets/:id): the refresh only
// keeps the pop's own notes and history roughly current, at a cost per waiting caller.
export const REFRESH_MS = 15_000;
export const MAX_AGE_MS = 30_000;

interface Entry<T> {
  key: string;
  at: number;
  value: Promise<T | undefined>;
  /** Set once the value is there: served without waiting. */
  ready?: T;
}

export class PopCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** The entry for this key, if fresh enough to serve. */
  get(callId: string, key: string, now = Date.now()): Entry<T> | undefined {
    const e = this.entries.get(callId);
    return e && e.key === key && now - e.at < MAX_AGE_MS ? e : undefined;
  }

  /** Builds (and keeps) the value unless one for the same key is younger than `refreshMs`. */
  fill(callId: string, key: string, build: () => Promise<T | undefined>, refreshMs = REFRESH_MS, now = Date.now()): Promise<T | undefined> {
    const e = this.entries.get(callId);
    if (e && e.key === key && now - e.at < refreshMs) return e.value;
    const entry: Entry<T> = { key, at: now, value: Promise.resolve(undefined), ...(e && e.key === key && e.ready !== undefined ? { ready: e.ready } : {}) };
    entry.value = build().then(
      (v) => {
        if (v !== undefined) entry.ready = v;
        return v;
      },
      () => {
        // A failed build is not served: the ring builds again.
        if (this.entries.get(callId) === entry) this.entries.delete(callId);
        return undefined;
      },
    );
    this.entries.set(callId, entry);
    return entry.value;
  }

  delete(callId: string): void {
    this.entries.delete(callId);
  }

  /** Drops every entry whose call `keep` does not name. */
  retain(keep: (callId: string) => boolean): void {
    for (const id of this.entries.keys()) if (!keep(id)) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
