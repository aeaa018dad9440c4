// Who may call a route, declared on the route itself so that one hook enforces it and one test
// (test/http/authorization-matrix.int.test.ts) checks every route × role × line against it.
// A route declares its rule with `requireRole(...)` as its preHandler (the roles), optionally
// refined by `config: { access: { line: 'own' } }`; an /api route with no rule is refused to
// everyone (fail closed) and fails the matrix test.
import type { RouteOptions } from 'fastify';
import type { Role } from '../auth/token.table.js';

export interface AccessRule {
  /** The roles that may call the route at all (checked before the body is even validated). */
  roles: readonly Role[];
  /**
   * 'own': an operator (token or panel session bound to one) reaches only resources of their own
   * line (the service enforces it, answering 403 or 404 for another line's); 'any': the role is
   * the whole rule. Admins, supervisors and panel tokens are never limited by line.
   */
  line: 'own' | 'any';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Partial<AccessRule>;
  }
}

const RULE = Symbol.for('pbxdesk.access');
type Tagged = { [RULE]?: readonly Role[] };

/** Marks a preHandler as the declaration of the roles a route allows (see requireRole). */
export function declareRoles<T extends object>(handler: T, roles: readonly Role[]): T {
  (handler as Tagged)[RULE] = roles;
  return handler;
}

/** The rule a route declares: its requireRole preHandler's roles, merged with config.access. */
export function declaredAccess(route: Pick<RouteOptions, 'preHandler' | 'config'>): AccessRule | undefined {
  const tagged = [route.preHandler].flat().map((h) => (h as Tagged | undefined)?.[RULE]).find(Boolean);
  const own = (route.config as { access?: Partial<AccessRule> } | undefined)?.access;
  const roles = own?.roles ?? tagged;
  if (!roles) return undefined;
  return { roles, line: own?.line ?? 'any' };
}
