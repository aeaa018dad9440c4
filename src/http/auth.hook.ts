import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Principal, TokenService } from '../auth/token.service.js';
import type { SessionService } from '../auth/session.service.js';
import type { Role } from '../auth/token.table.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * onRequest hook for the /api scope: every route there needs a valid Bearer token, or the
 * operator panel's session cookie (with its CSRF header on every change).
 */
export function authenticate(tokens: TokenService, sessions?: SessionService) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    if (!req.headers.authorization && sessions) {
      const csrf = req.headers['x-csrf-token'];
      const p = await sessions.authenticate({ cookie: req.headers.cookie, method: req.method, csrf: typeof csrf === 'string' ? csrf : undefined });
      if (p) {
        req.principal = p;
        return;
      }
    }
    req.principal = await tokens.authenticate(req.headers.authorization);
  };
}

export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return async (req) => {
    const p = req.principal;
    if (!p) throw new UnauthenticatedError();
    if (!roles.includes(p.role)) throw new ForbiddenError(p.role, roles);
  };
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthenticatedError();
  return req.principal;
}
