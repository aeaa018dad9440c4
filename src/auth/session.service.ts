// Operator panel sessions. Sign-in with login and password gives an httpOnly cookie and a CSRF
// token; the cookie authenticates /api calls from the panel as that operator, and every call
// that changes something must carry the CSRF token in a header as well. A session ends after
// PANEL_SESSION_IDLE_SEC without requests (30 min) or PANEL_SESSION_MAX_SEC after sign-in
// (12 h), or at sign-out. Every attempt is recorded (never the password); five wrong passwords
// for a login within 15 minutes lock it for the rest of the window.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { CsrfRequiredError, InvalidCredentialsError, LoginThrottledError, SessionExpiredError, UnauthenticatedError } from '../errors.js';
import { findOperatorById, findOperatorByLogin } from '../operators/operator.repository.js';
import type { OperatorRow } from '../operators/operator.table.js';
import { hashPassword, verifyPassword } from './password.js';
import { endSession, findOpenSession, insertSession, recentFailures, recordSignIn, setPanelPassword, touchSession } from './session.repository.js';
import type { Principal } from './token.service.js';

export const SESSION_COOKIE = 'pbxdesk_session';
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;

export interface SessionSettings {
  idleSec: number;
  maxSec: number;
  /** Mark the cookie Secure (the panel is served over TLS). */
  secureCookie: boolean;
}

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly secretKey: string,
    private readonly s: SessionSettings,
    private readonly log: Logger,
  ) {}

  private hash(token: string): string {
    return createHmac('sha256', this.secretKey).update(`panel:${token}`).digest('hex');
  }

  /** The CSRF token belongs to the session token: a reloaded panel gets it again (GET /panel/session). */
  private csrfOf(token: string): string {
    return createHmac('sha256', this.secretKey).update(`panel-csrf:${token}`).digest('base64url');
  }

  async setPassword(operatorId: string, password: string): Promise<boolean> {
    return setPanelPassword(this.db, operatorId, await hashPassword(password));
  }

  async signIn(login: string, password: string, from: { ip: string | null; userAgent: string | null }) {
    if ((await recentFailures(this.db, login, new Date(Date.now() - FAILURE_WINDOW_MS))) >= MAX_FAILURES) {
      await recordSignIn(this.db, { login, operatorId: null, ok: false, reason: 'throttled', ip: from.ip });
      this.log.warn({ login, ip: from.ip }, 'panel sign-in refused: too many failures');
      throw new LoginThrottledError();
    }
    const op = await findOperatorByLogin(this.db, login);
    const ok = await verifyPassword(password, op?.panel_password_hash ?? null);
    if (!op || !ok) {
      await recordSignIn(this.db, { login, operatorId: op?.id ?? null, ok: false, reason: op ? 'wrong password' : 'unknown login', ip: from.ip });
      this.log.warn({ login, ip: from.ip }, 'panel sign-in failed');
      throw new InvalidCredentialsError();
    }
    const token = randomBytes(32).toString('base64url');
    const csrf = this.csrfOf(token);
    const session = await insertSession(this.db, { tokenHash: this.hash(token), operatorId: op.id, ip: from.ip, userAgent: from.userAgent });
    await recordSignIn(this.db, { login, operatorId: op.id, ok: true, reason: null, ip: from.ip });
    this.log.info({ operatorId: op.id, sessionId: session.id }, 'panel signed in');
    return { token, csrf, operator: op, expiresAt: new Date(session.created_at.getTime() + this.s.maxSec * 1000) };
  }

  /** The Set-Cookie value for a session token (empty token: clears it). */
  cookie(token: string): string {
    const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${token ? this.s.maxSec : 0}`];
    if (this.s.secureCookie) attrs.push('Secure');
    return attrs.join('; ');
  }

  /** The session behind a Cookie header (with its CSRF token), if any; ends it when it is idle or too old. */
  private async open(cookieHeader: string | undefined) {
    const token = parseCookie(cookieHeader)[SESSION_COOKIE];
    if (!token) return undefined;
    const s = await findOpenSession(this.db, this.hash(token));
    if (!s) throw new UnauthenticatedError('the session is unknown or has ended');
    const now = Date.now();
    if (now - s.created_at.getTime() > this.s.maxSec * 1000) {
      await endSession(this.db, s.id, 'expired');
      throw new SessionExpiredError('expired');
    }
    if (now - s.last_seen_at.getTime() > this.s.idleSec * 1000) {
      await endSession(this.db, s.id, 'idle');
      throw new SessionExpiredError('idle');
    }
    // A write a minute at most (less with a short idle limit): idleness is measured in minutes, not requests.
    if (now - s.last_seen_at.getTime() > Math.min(60_000, (this.s.idleSec * 1000) / 4)) await touchSession(this.db, s.id, new Date(now));
    return { ...s, csrf: this.csrfOf(token) };
  }

  /** For the /api hook: a principal from the panel cookie, with the CSRF check on changes. */
  async authenticate(req: { cookie: string | undefined; method: string; csrf: string | undefined }): Promise<Principal | undefined> {
    const s = await this.open(req.cookie);
    if (!s) return undefined;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const want = Buffer.from(s.csrf);
      const got = Buffer.from(req.csrf ?? '');
      if (want.length !== got.length || !timingSafeEqual(want, got)) throw new CsrfRequiredError();
    }
    return { tokenId: `session:${s.id}`, role: s.supervisor ? 'supervisor' : 'operator', operatorId: s.operator_id };
  }

  async current(cookieHeader: string | undefined): Promise<{ operator: OperatorRow; expiresAt: Date; csrf: string }> {
    const s = await this.open(cookieHeader);
    if (!s) throw new UnauthenticatedError('not signed in');
    const operator = await findOperatorById(this.db, s.operator_id);
    if (!operator) throw new UnauthenticatedError('the operator is gone');
    return { operator, expiresAt: new Date(s.created_at.getTime() + this.s.maxSec * 1000), csrf: s.csrf };
  }

  async signOut(cookieHeader: string | undefined): Promise<void> {
    const token = parseCookie(cookieHeader)[SESSION_COOKIE];
    if (!token) return;
    const s = await findOpenSession(this.db, this.hash(token));
    if (s) {
      await endSession(this.db, s.id, 'signed_out');
      this.log.info({ operatorId: s.operator_id, sessionId: s.id }, 'panel signed out');
    }
  }
}

export function parseCookie(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
