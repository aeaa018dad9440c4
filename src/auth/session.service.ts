// Operator panel sessions. Sign-in with login and password gives an httpOnly cookie and a CSRF
// token; the cookie authenticates /api calls from the panel as that operator, and every call
// that changes something must carry the CSRF token in a header as well. A session ends after
// PANEL_SESSION_IDLE_SEC without requests (30 min) or PANEL_SESSION_MAX_SEC after sign-in
// (12 h), at sign-out, or when an admin sets a new password. Every attempt is recorded (never
// the password); five wrong passwords for a login within 15 minutes lock it for the rest of the
// window, and PANEL_SIGNIN_MAX_FAILURES_PER_ADDRESS failures lock the source address. The count
// is taken atomically before the password is checked, so parallel attempts cannot outrun it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { CsrfRequiredError, InvalidCredentialsError, LoginThrottledError, SessionExpiredError, UnauthenticatedError } from '../errors.js';
import { findOperatorById, findOperatorByLogin } from '../operators/operator.repository.js';
import type { OperatorRow } from '../operators/operator.table.js';
import { hashPassword, verifyPassword } from './password.js';
import { endSession, findOpenSession, insertSession, reserveSignIn, setPanelPassword, settleSignIn, touchSession } from './session.repository.js';
import { SAFE_METHODS, type Principal } from './token.service.js';
import { OutageGrace } from './outage-grace.js';
import type { PanelSessionRow } from './session.table.js';

/** An open panel session as Postgres last confirmed it, with its CSRF token. */
type OpenSession = PanelSessionRow & { supervisor: boolean; csrf: string };

export const SESSION_COOKIE = 'pbxdesk_session';
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 5;

export interface SessionSettings {
  idleSec: number;
  maxSec: number;
  /** Mark the cookie Secure (the panel is served over TLS). */
  secureCookie: boolean;
  /** Failed sign-ins from one address (any logins) within the window before it is refused (default 20). */
  maxFailuresPerAddress?: number;
  /** While Postgres is away, a session it confirmed within this many seconds may still read (default 300). */
  outageGraceSec?: number;
}

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly secretKey: string,
    private readonly s: SessionSettings,
    private readonly log: Logger,
  ) {
    this.grace = new OutageGrace((s.outageGraceSec ?? 300) * 1000);
  }

  /** Sessions Postgres confirmed lately: still let in while it is away (outage-grace.ts). */
  private readonly grace: OutageGrace<OpenSession>;

  private hash(token: string): string {
    return createHmac('sha256', this.secretKey).update(`panel:${token}`).digest('hex');
  }

  /** The CSRF token belongs to the session token: a reloaded panel gets it again (GET /panel/session). */
  private csrfOf(token: string): string {
    return createHmac('sha256', this.secretKey).update(`panel-csrf:${token}`).digest('base64url');
  }

  /** A new password ends every open session of the operator: whoever knew the old one is out. */
  async setPassword(operatorId: string, password: string): Promise<boolean> {
    const r = await setPanelPassword(this.db, operatorId, await hashPassword(password));
    this.grace.forgetWhere((s) => s.operator_id === operatorId);
    if (r.found) this.log.info({ operatorId, endedSessions: r.endedSessions }, 'panel password set; open sessions ended');
    return r.found;
  }

  async signIn(login: string, password: string, from: { ip: string | null; userAgent: string | null }) {
    const attempt = await reserveSignIn(this.db, {
      login,
      ip: from.ip,
      since: new Date(Date.now() - FAILURE_WINDOW_MS),
      maxPerLogin: MAX_FAILURES,
      maxPerAddress: this.s.maxFailuresPerAddress ?? 20,
    });
    if ('refused' in attempt) {
      this.log.warn({ login, ip: from.ip, by: attempt.refused }, 'panel sign-in refused: too many failures');
      throw new LoginThrottledError(attempt.refused);
    }
    const op = await findOperatorByLogin(this.db, login);
    const ok = await verifyPassword(password, op?.panel_password_hash ?? null);
    if (!op || !ok) {
      await settleSignIn(this.db, attempt.id, { operatorId: op?.id ?? null, ok: false, reason: op ? 'wrong password' : 'unknown login' });
      this.log.warn({ login, ip: from.ip }, 'panel sign-in failed');
      throw new InvalidCredentialsError();
    }
    const token = randomBytes(32).toString('base64url');
    const csrf = this.csrfOf(token);
    const session = await insertSession(this.db, { tokenHash: this.hash(token), operatorId: op.id, ip: from.ip, userAgent: from.userAgent });
    await settleSignIn(this.db, attempt.id, { operatorId: op.id, ok: true, reason: null });
    this.log.info({ operatorId: op.id, sessionId: session.id }, 'panel signed in');
    return { token, csrf, operator: op, expiresAt: new Date(session.created_at.getTime() + this.s.maxSec * 1000) };
  }

  /** The Set-Cookie value for a session token (empty token: clears it). */
  cookie(token: string): string {
    return fastifyCookie.serialize(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: token ? this.s.maxSec : 0, secure: this.s.secureCookie });
  }

  /**
   * The session behind a Cookie header (with its CSRF token), if any; ends it when it is idle or
   * too old. `reading`: the request only reads, so an outage's grace may let it in.
   */
  private async open(cookies: Cookies, reading: boolean) {
    const token = parseCookie(cookies)[SESSION_COOKIE];
    if (!token) return undefined;
    const hash = this.hash(token);
    let s;
    try {
      s = await findOpenSession(this.db, hash);
    } catch (err) {
      // Postgres away: the session as it last confirmed it, within its maximum age (idleness
      // cannot be kept without Postgres, and is checked again once it is back).
      if (!reading) throw err;
      const last = this.grace.orThrow(hash, err);
      if (Date.now() - last.created_at.getTime() > this.s.maxSec * 1000) throw new SessionExpiredError('expired');
      return last;
    }
    if (!s) {
      this.grace.refused(hash);
      throw new UnauthenticatedError('the session is unknown or has ended');
    }
    const now = Date.now();
    if (now - s.created_at.getTime() > this.s.maxSec * 1000) {
      this.grace.refused(hash);
      await endSession(this.db, s.id, 'expired');
      throw new SessionExpiredError('expired');
    }
    if (now - s.last_seen_at.getTime() > this.s.idleSec * 1000) {
      this.grace.refused(hash);
      await endSession(this.db, s.id, 'idle');
      throw new SessionExpiredError('idle');
    }
    // A write a minute at most (less with a short idle limit): idleness is measured in minutes, not requests.
    if (now - s.last_seen_at.getTime() > Math.min(60_000, (this.s.idleSec * 1000) / 4)) await touchSession(this.db, s.id, new Date(now));
    const open = { ...s, csrf: this.csrfOf(token) };
    this.grace.confirmed(hash, open);
    return open;
  }

  /** For the /api hook: a principal from the panel cookie, with the CSRF check on changes. */
  async authenticate(req: { cookie: Cookies; method: string; csrf: string | undefined }): Promise<Principal | undefined> {
    const s = await this.open(req.cookie, SAFE_METHODS.has(req.method));
    if (!s) return undefined;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const want = Buffer.from(s.csrf);
      const got = Buffer.from(req.csrf ?? '');
      if (want.length !== got.length || !timingSafeEqual(want, got)) throw new CsrfRequiredError();
    }
    return { tokenId: `session:${s.id}`, role: s.supervisor ? 'supervisor' : 'operator', operatorId: s.operator_id };
  }

  async current(cookies: Cookies): Promise<{ operator: OperatorRow; expiresAt: Date; csrf: string }> {
    const s = await this.open(cookies, false);
    if (!s) throw new UnauthenticatedError('not signed in');
    const operator = await findOperatorById(this.db, s.operator_id);
    if (!operator) throw new UnauthenticatedError('the operator is gone');
    return { operator, expiresAt: new Date(s.created_at.getTime() + this.s.maxSec * 1000), csrf: s.csrf };
  }

  async signOut(cookies: Cookies): Promise<void> {
    const token = parseCookie(cookies)[SESSION_COOKIE];
    if (!token) return;
    this.grace.refused(this.hash(token));
    const s = await findOpenSession(this.db, this.hash(token));
    if (s) {
      await endSession(this.db, s.id, 'signed_out');
      this.log.info({ operatorId: s.operator_id, sessionId: s.id }, 'panel signed out');
    }
  }
}

/** The request's cookies as @fastify/cookie parsed them (req.cookies), or a raw Cookie header (the SIP relay's upgrade). */
export type Cookies = Record<string, string | undefined> | string | undefined;

/**
 * A raw header goes through @fastify/cookie's parser (loaded once the plugin is registered, as
 * buildServer does before anything is served): a value with broken percent-encoding is kept as
 * it is instead of throwing, so one bad cookie of another app on the host breaks nothing here.
 */
export function parseCookie(cookies: Cookies): Record<string, string | undefined> {
  if (typeof cookies !== 'string') return cookies ?? {};
  return fastifyCookie.parse(cookies);
}
