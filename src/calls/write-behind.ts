// Writes a call causes outside its own row (an operator's state, the ticket's line, a ticket for
// a call that ended while Postgres was away): never awaited on the caller's path, kept in order
// per key, and retried for as long as Postgres is unavailable. A write refused for any other
// reason is logged and given up: retrying it would not make it right.
import type { Logger } from 'pino';
import { isUnavailable, nextBackoff } from '../db/pg-errors.js';

export class WriteBehind {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Runs `fn` after the earlier writes of `key`, retrying while Postgres is away. */
  run(key: string, what: string, fn: () => Promise<unknown>): void {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.retry(what, fn));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Resolves when every write queued so far is done or given up (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async retry(what: string, fn: () => Promise<unknown>): Promise<void> {
    let wait = 200;
    for (let tries = 1; ; tries++) {
      try {
        await fn();
        if (tries > 1) this.log.info({ what, tries }, 'written after Postgres came back');
        return;
      } catch (err) {
        // As long as Postgres is away: an operator's state must not be left on_call for good.
        if (!isUnavailable(err)) {
          this.log.error({ what, err: (err as Error).message }, 'write given up');
          return;
        }
        if (tries === 1) this.log.warn({ what, err: (err as Error).message }, 'Postgres unavailable: write retried behind the call');
        await new Promise((r) => setTimeout(r, wait));
        wait = nextBackoff(wait, 2000);
      }
    }
  }
}
