import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';

export const PlaySchema = Type.Object(
  {
    verb: Type.Literal('play'),
    prompt: Type.String({ pattern: '^[a-z0-9-]+$' }),
    interruptible: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export class PlayVerb implements Verb {
  static readonly schema = PlaySchema;
  constructor(private readonly d: Static<typeof PlaySchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.play(this.d.prompt, { interruptible: this.d.interruptible ?? true });
    return { kind: 'next' };
  }
}
