// What Asterisk knows of the operators, kept in step with Postgres (the truth): each operator's
// PJSIP endpoint (pushed over ARI into astdb, only what changed) and their membership of their
// home line's fallback queue (over AMI: the queue plain Asterisk rings when the app is away or
// shedding). Split from OperatorService, which owns the operators' states.
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { OperatorEndpoint } from '../calls/pbx.port.js';
import type { LineCatalog } from '../lines/line-catalog.js';
import { findOperatorById, listOperators, setEndpointFingerprint } from './operator.repository.js';
import type { EndpointIdentity } from './extension.js';
import type { OperatorRow, OperatorState } from './operator.table.js';

export interface EndpointProvisioner {
  isConnected(): boolean;
  upsertOperatorEndpoint(ep: OperatorEndpoint & EndpointIdentity): Promise<void>;
  /** The operator endpoints Asterisk has now, in one request (absent: every operator is pushed at connect). */
  endpointIds?(): Promise<Set<string>>;
  /** What a push of `ep` writes, as a hash (absent: every operator is pushed at connect). */
  endpointFingerprint?(ep: OperatorEndpoint & EndpointIdentity): string;
  /** Internal calls: an extension given up leads nowhere any more (absent: it still rings its former owner until the next connect's sweep). */
  forgetExtension?(extension: string): Promise<void>;
}

export interface FallbackQueues {
  isConnected(): boolean;
  /** `queue`: the queues.conf queue of the operator's home line (LineDefinition.fallbackQueue). */
  syncQueueMember(endpoint: string, name: string, queue: string, state: OperatorState): Promise<void>;
}

export class OperatorAsterisk {
  /** Each operator's endpoint push in progress (push runs them one after another). */
  private readonly pushing = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly realm: string,
    private readonly endpoints: EndpointProvisioner,
    private readonly fallback: FallbackQueues,
    private readonly log: Logger,
    /** The node this instance drives: only its operators' phones are pushed and synced here. */
    private readonly node: string,
    private readonly lines: LineCatalog,
  ) {}

  /**
   * At every ARI connect: the endpoints of this node's operators that Asterisk lacks (a new or
   * wiped astdb) or that changed since they were last pushed (the fingerprint), ten at a time.
   * Hundreds of unchanged endpoints written again at every connect backed up Asterisk's
   * sorcery/aor task processor (issue 17); astdb keeps them across Asterisk restarts.
   */
  async pushEndpoints(): Promise<{ pushed: number; operators: number }> {
    const all = (await listOperators(this.db)).filter((op) => this.mine(op));
    // Asterisk's list unreadable: every endpoint is pushed, as before there was a list.
    const present = this.endpoints.endpointIds
      ? await this.endpoints.endpointIds().catch((err: Error) => {
          this.log.warn({ err: err.message }, 'endpoint list unreadable: pushing every operator');
          return new Set<string>();
        })
      : new Set<string>();
    const stale = all.filter(
      (op) => !present.has(op.sip_username) || (op.extension && !present.has(`ext-${op.extension}`)) || op.endpoint_fingerprint !== this.fingerprint(op),
    );
    for (let i = 0; i < stale.length; i += 10) await Promise.all(stale.slice(i, i + 10).map((op) => this.push(op.id)));
    // Internal calls: extension endpoints (ext-<n>, endpoint-push.ts) no operator of this node has any more.
    const wanted = new Set(all.map((op) => `ext-${op.extension}`));
    const gone = [...present].filter((id) => /^ext-\d+$/.test(id) && !wanted.has(id)).map((id) => id.slice(4));
    for (const ext of gone) await this.endpoints.forgetExtension?.(ext).catch((err: Error) => this.log.warn({ extension: ext, err: err.message }, 'stale extension not removed'));
    this.log.info({ pushed: stale.length, operators: all.length, extensionsRemoved: gone.length }, 'operator endpoints pushed');
    return { pushed: stale.length, operators: all.length };
  }

  async syncAllFallback(): Promise<void> {
    for (const op of await listOperators(this.db)) await this.syncFallback(op);
  }

  /** Homed on the node this instance drives. */
  private mine(op: OperatorRow): boolean {
    return op.pbx_node === this.node;
  }

  private endpointOf(op: OperatorRow): OperatorEndpoint & EndpointIdentity {
    return { id: op.sip_username, md5Cred: op.sip_md5_cred, realm: this.realm, webrtc: op.softphone === 'webrtc', extension: op.extension, displayName: op.name };
  }

  /** The hash of what a push writes for this operator on this node; null when the provisioner cannot tell. */
  private fingerprint(op: OperatorRow): string | null {
    const fp = this.endpoints.endpointFingerprint?.(this.endpointOf(op));
    return fp ? `${this.node}:${fp}` : null;
  }

  /**
   * Pushes one operator's endpoint. Pushes of one operator run one after another, each from the
   * row as it is when its turn comes: a connect's push racing a password reset cannot leave the
   * old secret in Asterisk under the new secret's fingerprint (the last push is of the newest row).
   */
  push(id: string): Promise<void> {
    const next = (this.pushing.get(id) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        const op = await findOperatorById(this.db, id);
        if (!op || !this.mine(op)) return;
        await this.endpoints.upsertOperatorEndpoint(this.endpointOf(op));
        // Recorded after Asterisk took it: a failed push is tried again at the next connect.
        const fp = this.fingerprint(op);
        if (fp !== op.endpoint_fingerprint) {
          await setEndpointFingerprint(this.db, op.id, fp).catch((err: Error) => this.log.warn({ operatorId: op.id, err: err.message }, 'endpoint fingerprint not recorded'));
        }
      });
    this.pushing.set(id, next);
    void next.finally(() => {
      if (this.pushing.get(id) === next) this.pushing.delete(id);
    }).catch(() => undefined);
    return next;
  }

  async syncFallback(op: OperatorRow): Promise<void> {
    if (!this.mine(op) || !this.fallback.isConnected()) return; // synced in full on the next AMI connect
    // The home line's queue only: the dialplan's fallback is a shed caller's plain first/second
    // choice (extensions.conf), and app_queue would ring a member of two queues twice as often.
    const queue = this.lines.get(op.line)?.fallbackQueue;
    if (!queue) return; // a home line no longer configured: no queue to be a member of
    await this.fallback
      .syncQueueMember(op.sip_username, op.name, queue, op.state)
      .catch((err: Error) => this.log.warn({ operatorId: op.id, err: err.message }, 'fallback queue sync failed'));
  }
}
