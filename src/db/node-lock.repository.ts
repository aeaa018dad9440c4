// One service instance per Asterisk node (docs/scaling.md): two instances driving one node
// would both take its Stasis app's calls. The guard is a Postgres advisory lock named after the
// node, held on a connection of its own for as long as the instance runs. Advisory locks belong
// to the session, so the lock goes with the connection: if that drops (Postgres restarted),
// it is taken again on a new one, and if another instance took it meanwhile, this one stops
// driving the node (onLost).
import pg from 'pg';
import type { Logger } from 'pino';

// The first key of the two-key lock: pbxdesk's own space, so other apps' locks cannot clash.
const LOCK_SPACE = 0x70627864; // 'pbxd'

export class NodeLock {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly node: string,
    private readonly log: Logger,
    private readonly onLost: () => void,
  ) {}

  /** Takes the node's lock; false when another instance holds it. */
  async acquire(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `pbxdesk-node-lock:${this.node}` });
    client.on('error', () => undefined); // 'end' follows and is what we act on
    await client.connect();
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_SPACE, this.node]);
    if (!r.rows[0]?.ok) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    client.once('end', () => this.dropped());
    return true;
  }

  private dropped(): void {
    this.client = undefined;
    if (this.stopped) return;
    this.log.warn({ node: this.node }, 'node lock connection lost: taking the lock again');
    const again = (delayMs: number) => {
      this.retry = setTimeout(() => {
        this.acquire().then(
          (ok) => {
            if (ok) return this.log.info({ node: this.node }, 'node lock taken again');
            this.log.error({ node: this.node }, 'another instance took this node while the database was away: no longer driving it');
            this.onLost();
          },
          () => again(Math.min(delayMs * 2, 5000)), // Postgres still away: the calls go on meanwhile
        );
      }, delayMs);
    };
    again(200);
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
