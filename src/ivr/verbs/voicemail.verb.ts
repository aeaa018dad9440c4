// Takes a voicemail: a prompt, a beep, then the caller's message until they press #, hang up,
// or maxSec. The message is a recording of the call like any other (archived, checksummed,
// chained) with kind 'voicemail', and so it is on the call's ticket. Then the call ends.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';

export const VoicemailSchema = Type.Object(
  {
    verb: Type.Literal('voicemail'),
    prompt: Type.String({ pattern: '^[a-z0-9-]+$' }),
    maxSec: Type.Integer({ minimum: 5, maximum: 600 }),
    thanksPrompt: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
  },
  { additionalProperties: false },
);

export class VoicemailVerb implements Verb {
  static readonly schema = VoicemailSchema;
  constructor(private readonly d: Static<typeof VoicemailSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.play(this.d.prompt, { interruptible: false });
    await ctx.recordStep('voicemail');
    await ctx.recordVoicemail(this.d.maxSec);
    if (this.d.thanksPrompt) await ctx.play(this.d.thanksPrompt, { interruptible: false });
    return { kind: 'hangup' };
  }
}
