import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';

/** Ends the call, after an optional goodbye prompt. */
export const HangupSchema = Type.Object(
  { verb: Type.Literal('hangup'), prompt: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })) },
  { additionalProperties: false },
);

export class HangupVerb implements Verb {
  static readonly schema = HangupSchema;
  constructor(private readonly d: Static<typeof HangupSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    if (this.d.prompt) await ctx.play(this.d.prompt, { interruptible: false });
    await ctx.recordStep('hangup');
    return { kind: 'hangup' };
  }
}
