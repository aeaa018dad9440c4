// Which operators' phones are in a call between colleagues now. Those calls never touch the
// service (extensions.conf [pbxdesk-internal]); the dialplan tells of their start and end with
// UserEvents over AMI. The ACD leaves such an operator out (OperatorService.available), so a
// queue call is not offered to a phone that would answer 486 and get its operator paused as
// "missed"; the colleague list shows them busy. Operators' states in Postgres do not change:
// an internal call is no call of the call centre's (no row, no wrap-up, no statistics).

/**
 * A call between colleagues in extensions.conf [pbxdesk-internal] (PJSIP endpoint ids), or
 * 'reset' at every AMI (re)connect: AMI does not replay what was missed meanwhile. Owned here,
 * where it is consumed; src/pbx/ami-connection.ts produces it.
 */
export type InternalCallEvent = { kind: 'started' | 'ended'; id: string; caller: string; callee: string } | { kind: 'reset' };

/** After this long an internal call whose end was never heard is forgotten (an AMI hiccup must not bench an operator for good). */
const STALE_MS = 4 * 3600_000;
const ENDED_KEEP_MS = 60_000;

export class InternalCalls {
  /** By the dialplan's call id (the caller channel's UNIQUEID): the two endpoints and when it started. */
  private readonly calls = new Map<string, { endpoints: string[]; at: number }>();
  /** Per endpoint, how many internal calls it is in (a desk phone may hold two). */
  private readonly count = new Map<string, number>();
  private readonly listeners: ((endpoints: string[], busy: boolean) => void)[] = [];
  /**
   * Calls whose end was heard, and when: a start that arrives after its own end (UserEvents of
   * different channels) is dropped instead of marking the operator busy until STALE_MS. Kept
   * ENDED_KEEP_MS.
   */
  private readonly ended = new Map<string, number>();
  private swept = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Told of every endpoint that starts or stops being in an internal call. */
  onChange(fn: (endpoints: string[], busy: boolean) => void): void {
    this.listeners.push(fn);
  }

  apply(e: InternalCallEvent): void {
    if (e.kind === 'reset') {
      const all = [...this.count.keys()];
      this.calls.clear();
      this.count.clear();
      if (all.length) this.emit(all, false);
      return;
    }
    if (e.kind === 'started') {
      if (!e.id || this.calls.has(e.id) || this.ended.has(e.id)) return;
      const endpoints = [e.caller, e.callee].filter((x) => /^op-[a-z0-9_.-]+$/.test(x));
      this.calls.set(e.id, { endpoints, at: this.now() });
      for (const ep of endpoints) this.count.set(ep, (this.count.get(ep) ?? 0) + 1);
      this.emit(endpoints, true);
      return;
    }
    this.ended.set(e.id, this.now());
    this.forgetStale();
    const call = this.calls.get(e.id);
    if (!call) return;
    this.end(e.id, call.endpoints);
  }

  /** In an internal call now (the ACD's filter: a Map lookup, on the caller's path). */
  busy(endpoint: string): boolean {
    if (this.count.size === 0) return false;
    this.forgetStale();
    return (this.count.get(endpoint) ?? 0) > 0;
  }

  private end(id: string, endpoints: string[]): void {
    this.calls.delete(id);
    const freed: string[] = [];
    for (const ep of endpoints) {
      const n = (this.count.get(ep) ?? 1) - 1;
      if (n > 0) this.count.set(ep, n);
      else {
        this.count.delete(ep);
        freed.push(ep);
      }
    }
    if (freed.length) this.emit(freed, false);
  }

  private forgetStale(): void {
    if (this.now() - this.swept < 60_000) return;
    this.swept = this.now();
    for (const [id, at] of this.ended) if (at < this.now() - ENDED_KEEP_MS) this.ended.delete(id);
    const cutoff = this.now() - STALE_MS;
    for (const [id, c] of this.calls) if (c.at < cutoff) this.end(id, c.endpoints);
  }

  private emit(endpoints: string[], busy: boolean): void {
    for (const fn of this.listeners) fn(endpoints, busy);
  }
}
