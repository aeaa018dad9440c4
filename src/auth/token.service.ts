// API tokens: random, shown once, stored only as an HMAC under the service's secret key.
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { OperatorRequiredError, UnauthenticatedError } from '../errors.js';
import { findActiveTokenByHash, insertToken, insertTokenOnce } from './token.repository.js';
import type { Role } from './token.table.js';
import { OutageGrace } from './outage-grace.js';

/** Requests that only read: the only ones let in on an outage's grace. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Principal {
  tokenId: string;
  role: Role;
  operatorId: string | null;
}

export class TokenService {
  /** Tokens Postgres confirmed lately: still let in while it is away (outage-grace.ts). */
  private readonly grace: OutageGrace<Principal>;

  constructor(private readonly db: Db, private readonly secretKey: string, outageGraceSec = 300) {
    this.grace = new OutageGrace(outageGraceSec * 1000);
  }

  hash(token: string): string {
    return createHmac('sha256', this.secretKey).update(token).digest('hex');
  }

  /** An operator token acts as one operator (their line, their calls): it needs that operator. */
  async create(name: string, role: Role, operatorId?: string): Promise<{ id: string; token: string; role: Role }> {
    if (role === 'operator' && !operatorId) throw new OperatorRequiredError();
    const token = `pbx_${role}_${randomBytes(24).toString('base64url')}`;
    const row = await insertToken(this.db, { name, role, tokenHash: this.hash(token), operatorId: operatorId ?? null });
    return { id: row.id, token, role };
  }

  /**
   * The admin token from the environment, so a fresh stack has a way in (README shows it). Once
   * revoked it stays revoked: set a new PBXDESK_BOOTSTRAP_ADMIN_TOKEN to get one again.
   */
  async ensureBootstrapAdmin(token: string): Promise<'created' | 'exists' | 'revoked'> {
    return insertTokenOnce(this.db, { name: 'bootstrap-admin', role: 'admin', tokenHash: this.hash(token) });
  }

  /** `method`: while Postgres is away, a recently confirmed token may still read (GET, HEAD), never change anything. */
  async authenticate(header: string | undefined, method = 'POST'): Promise<Principal> {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) throw new UnauthenticatedError();
    const hash = this.hash(m[1]);
    let row;
    try {
      row = await findActiveTokenByHash(this.db, hash);
    } catch (err) {
      if (!SAFE_METHODS.has(method)) throw err;
      return this.grace.orThrow(hash, err);
    }
    if (!row) {
      this.grace.refused(hash);
      throw new UnauthenticatedError('the token is unknown or revoked');
    }
    const p: Principal = { tokenId: row.id, role: row.role, operatorId: row.operator_id };
    this.grace.confirmed(hash, p);
    return p;
  }
}
