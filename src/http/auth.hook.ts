import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Principal, TokenService } from '../auth/token.service.js';
import type { SessionService } from '../auth/session.service.js';
import type { Role } from '../auth/token.table.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { declareRoles, type AccessRule } from './access.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * onRequest hook for the /api scope: every route there needs a valid Bearer token, or the
 * operator panel's session cookie (with its CSRF header on every change), and then a role its
 * declared access rule allows. The role is checked here, before the body is parsed or
 * validated, so a caller without the role learns nothing about what the route accepts.
 */
export function authenticate(tokens: TokenService, sessions?: SessionService) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    req.principal = await principalFrom(req, tokens, sessions);
    const rule = (req.routeOptions.config as { access?: AccessRule }).access;
    // No declared rule: nobody (server.ts copies the rule in; a route without one is a bug the matrix test names).
    const roles = rule?.roles ?? [];
    if (!roles.includes(req.principal.role)) throw new ForbiddenError(req.principal.role, roles);
  };
}

async function principalFrom(req: FastifyRequest, tokens: TokenService, sessions?: SessionService): Promise<Principal> {
  if (!req.headers.authorization && sessions) {
    const csrf = req.headers['x-csrf-token'];
    const p = await sessions.authenticate({ cookie: req.cookies, method: req.method, csrf: typeof csrf === 'string' ? csrf : undefined });
    if (p) return p;
  }
  return tokens.authenticate(req.headers.authorization, req.method);
}

/** A route's role rule: use it as the route's preHandler; server.ts reads it as the route's declared access. */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return declareRoles<preHandlerAsyncHookHandler>(async (req) => {
    const p = req.principal;
    if (!p) throw new UnauthenticatedError();
    if (!roles.includes(p.role)) throw new ForbiddenError(p.role, roles);
  }, roles);
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthenticatedError();
  return req.principal;
}
