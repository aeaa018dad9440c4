// Offers a callback before the caller joins the queue: "press 1 to be called back". The key
// routes the caller to the line (so they take their place there at once, ranked like any
// caller) and opens the same callback menu a queued caller gets with the callback key: confirm
// the number or key another, and hang up with the place kept. Anything else goes on in the flow.
// When an operator is free at once the caller is simply put through: nobody waits for a callback
// they don't need.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { LINE_ID_PATTERN } from '../../vocabulary.js';

export const CallbackSchema = Type.Object(
  {
    verb: Type.Literal('callback'),
    line: Type.String({ pattern: LINE_ID_PATTERN }),
    prompt: Type.String({ pattern: '^[a-z0-9-]+$' }),
    key: Type.Optional(Type.String({ pattern: '^[0-9*#]$' })),
    timeoutSec: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
  },
  { additionalProperties: false },
);

export class CallbackVerb implements Verb {
  static readonly schema = CallbackSchema;
  constructor(private readonly d: Static<typeof CallbackSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.play(this.d.prompt, { interruptible: true });
    const digit = await ctx.readDigit((this.d.timeoutSec ?? 5) * 1000);
    const wanted = digit === (this.d.key ?? '1');
    await ctx.recordStep(`callback-offer:${this.d.line}=${wanted ? 'yes' : 'no'}`);
    if (!wanted) {
      ctx.clearDigits();
      return { kind: 'next' };
    }
    ctx.requestCallback();
    return { kind: 'route', line: this.d.line };
  }
}
