// "Key the code from your control panel": a right code binds the call (and its ticket) to the
// verified account. A wrong one is asked again while the call has tries left; after that, or
// when the caller keys nothing, the call goes on unverified, never dropped. No recording runs
// yet at this point of a call (recording starts at the bridge), so the digits are never recorded.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { Action, applyAction } from './menu.verb.js';

const Prompt = Type.String({ pattern: '^[a-z0-9-]+$' });

export const VerifySchema = Type.Object(
  {
    verb: Type.Literal('verify'),
    prompt: Prompt,
    wrongPrompt: Type.Optional(Prompt),
    okPrompt: Type.Optional(Prompt),
    failPrompt: Type.Optional(Prompt),
    timeoutSec: Type.Integer({ minimum: 1, maximum: 30 }),
    /** What happens next; by default the flow goes on with its next verb either way. */
    onVerified: Type.Optional(Action),
    onFail: Type.Optional(Action),
  },
  { additionalProperties: false },
);

export class VerifyVerb implements Verb {
  static readonly schema = VerifySchema;
  constructor(private readonly d: Static<typeof VerifySchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    for (;;) {
      if ((await ctx.verifyTriesLeft()) === 0) {
        await ctx.recordStep('verify:no-tries-left');
        return this.fail(ctx);
      }
      // Digits keyed ahead (during the prompt, or right after a wrong code) are kept.
      await ctx.play(this.d.prompt, { interruptible: true });
      const code = await ctx.readDigits({ max: 6, terminator: '#', timeoutMs: this.d.timeoutSec * 1000, interDigitMs: 4000 });
      if (!code) {
        await ctx.recordStep('verify:none');
        return this.d.onFail ? applyAction(ctx, this.d.onFail) : { kind: 'next' };
      }
      const r = await ctx.verifyCode(code);
      // The outcome only: the digits keyed are never written into the IVR path.
      await ctx.recordStep(`verify:${r.outcome}`);
      if (r.outcome === 'verified') {
        if (this.d.okPrompt) await ctx.play(this.d.okPrompt, { interruptible: true });
        return this.d.onVerified ? applyAction(ctx, this.d.onVerified) : { kind: 'next' };
      }
      if (r.triesLeft === 0 || r.outcome === 'throttled' || r.outcome === 'locked') return this.fail(ctx);
      if (this.d.wrongPrompt) await ctx.play(this.d.wrongPrompt, { interruptible: true });
    }
  }

  private async fail(ctx: IvrContext): Promise<VerbResult> {
    if (this.d.failPrompt) await ctx.play(this.d.failPrompt, { interruptible: true });
    return this.d.onFail ? applyAction(ctx, this.d.onFail) : { kind: 'next' };
  }
}
