import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody } from '../http/schemas.js';
import type { VerificationService } from './verification.service.js';

export const verificationRoutes =
  (verification: VerificationService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/verification-codes',
      {
        preHandler: requireRole('panel', 'admin'),
        // Per API token, across instances (Redis), once the token is known (preHandler); the
        // per-account limit is the service's own rule (Postgres).
        config: { rateLimit: { hook: 'preHandler', max: verification.issuePerTokenPerMin, timeWindow: '1 minute', keyGenerator: (req) => `verification-codes:${principalOf(req).tokenId}` } },
        schema: {
          summary: 'A one-time code for the customer to key when they call',
          description:
            "For the customer's control panel: show the code to the signed-in customer. It is valid once, for VERIFY_CODE_TTL_SEC (at most 10 minutes); a new code for the same account replaces the previous one. Only an HMAC of it is stored. Issuing is limited per API token (VERIFY_ISSUE_PER_TOKEN_PER_MIN: 429 `rate_limited`) and per account (VERIFY_ISSUE_PER_ACCOUNT_PER_HOUR: 429 `verification_issue_rate_limited`).",
          body: Type.Object(
            {
              accountId: Type.String({ minLength: 1, maxLength: 128 }),
              accountName: Type.Optional(Type.String({ maxLength: 256 })),
              callerNumberHint: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{3,18}$' })),
            },
            { additionalProperties: false, examples: [{ accountId: 'acc-1042', accountName: 'ООО Ромашка', callerNumberHint: '79991234567' }] },
          ),
          response: {
            201: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }), expiresAt: Type.String() }, { examples: [{ code: '402917', expiresAt: '2026-11-22T10:10:00.000Z' }] }),
            400: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const r = await verification.issue({
          accountId: req.body.accountId,
          accountName: req.body.accountName,
          callerNumberHint: req.body.callerNumberHint?.replace(/^\+/, ''),
        });
        return reply.status(201).send({ code: r.code, expiresAt: r.expiresAt.toISOString() });
      },
    );
  };
