import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../auth/token.service.js';
import type { Db } from '../db/database.js';
import { ForbiddenError, NotFoundError, OperatorLoginTakenError } from '../errors.js';
import type { OperatorEndpoint } from '../calls/pbx.port.js';
import {
  findOperatorById,
  findOperatorByLogin,
  insertOperator,
  listOperators,
  updateOperatorState,
} from './operator.repository.js';
import type { Line, OperatorRow, OperatorState } from './operator.table.js';

export interface EndpointProvisioner {
  isConnected(): boolean;
  upsertOperatorEndpoint(ep: OperatorEndpoint): Promise<void>;
}

export interface FallbackQueues {
  isConnected(): boolean;
  syncQueueMember(endpoint: string, name: string, line: Line, state: OperatorState): Promise<void>;
}

export interface OperatorAvailabilityListener {
  operatorAvailable(line: Line): void;
}

/** Operators' PJSIP endpoint ids carry a prefix so no login can clash with the trunk's. */
export function endpointIdFor(login: string): string {
  return `op-${login}`;
}

export class OperatorService {
  private listener: OperatorAvailabilityListener | undefined;

  constructor(
    private readonly db: Db,
    private readonly realm: string,
    private readonly endpoints: EndpointProvisioner,
    private readonly fallback: FallbackQueues,
    private readonly log: Logger,
  ) {}

  onAvailable(l: OperatorAvailabilityListener): void {
    this.listener = l;
  }

  async create(input: { login: string; name: string; line: Line; sipPassword: string }): Promise<OperatorRow> {
    if (await findOperatorByLogin(this.db, input.login)) throw new OperatorLoginTakenError(input.login);
    const username = endpointIdFor(input.login);
    const md5 = createHash('md5').update(`${username}:${this.realm}:${input.sipPassword}`).digest('hex');
    let row: OperatorRow;
    try {
      row = await insertOperator(this.db, {
        login: input.login,
        name: input.name,
        line: input.line,
        sip_username: username,
        sip_md5_cred: md5,
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new OperatorLoginTakenError(input.login);
      throw err;
    }
    // With ARI down the endpoint is pushed on reconnect (pushEndpoints): Postgres is the truth.
    if (this.endpoints.isConnected()) await this.pushEndpoint(row);
    return row;
  }

  async list(): Promise<OperatorRow[]> {
    return listOperators(this.db);
  }

  async get(id: string): Promise<OperatorRow> {
    const row = await findOperatorById(this.db, id);
    if (!row) throw new NotFoundError('operator', id);
    return row;
  }

  async setState(id: string, state: OperatorState, reason: string | null, by: Principal): Promise<OperatorRow> {
    if (by.role === 'operator' && by.operatorId !== id) throw new ForbiddenError(by.role, ['admin', 'supervisor', 'the operator']);
    const row = await updateOperatorState(this.db, id, state, state === 'available' ? null : reason);
    if (!row) throw new NotFoundError('operator', id);
    await this.syncFallback(row);
    if (state === 'available') this.listener?.operatorAvailable(row.line);
    return row;
  }

  /** Used by the ACD: an operator who did not answer is paused, as Asterisk queues' autopause does. */
  async autoPause(id: string, reason: string): Promise<void> {
    const row = await updateOperatorState(this.db, id, 'paused', reason);
    if (row) await this.syncFallback(row);
  }

  async pushEndpoints(): Promise<void> {
    for (const op of await listOperators(this.db)) await this.pushEndpoint(op);
  }

  async syncAllFallback(): Promise<void> {
    for (const op of await listOperators(this.db)) await this.syncFallback(op);
  }

  private async pushEndpoint(op: OperatorRow): Promise<void> {
    await this.endpoints.upsertOperatorEndpoint({ id: op.sip_username, md5Cred: op.sip_md5_cred, realm: this.realm });
  }

  private async syncFallback(op: OperatorRow): Promise<void> {
    if (!this.fallback.isConnected()) return; // synced in full on the next AMI connect
    await this.fallback
      .syncQueueMember(op.sip_username, op.name, op.line, op.state)
      .catch((err: Error) => this.log.warn({ operatorId: op.id, err: err.message }, 'fallback queue sync failed'));
  }
}
