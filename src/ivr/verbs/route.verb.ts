import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { LINE_ID_PATTERN } from '../../vocabulary.js';

export const RouteSchema = Type.Object(
  { verb: Type.Literal('route'), line: Type.String({ pattern: LINE_ID_PATTERN }) },
  { additionalProperties: false },
);

export class RouteVerb implements Verb {
  static readonly schema = RouteSchema;
  constructor(private readonly d: Static<typeof RouteSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.recordStep(`route:${this.d.line}`);
    return { kind: 'route', line: this.d.line };
  }
}
