// Business-hours branch: while the line is open the flow goes on; when it is closed the caller
// hears the optional prompt, then when the line opens (day and time on the line's clock, and on
// theirs when their region is known; `announceOpening: false` leaves it out), and `closed` runs
// (typically: goto a node that takes a voicemail).
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { Action, applyAction } from './menu.verb.js';
import { LINE_ID_PATTERN } from '../../vocabulary.js';

export const HoursSchema = Type.Object(
  {
    verb: Type.Literal('hours'),
    line: Type.String({ pattern: LINE_ID_PATTERN }),
    closedPrompt: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
    announceOpening: Type.Optional(Type.Boolean()),
    closed: Action,
  },
  { additionalProperties: false },
);

export class HoursVerb implements Verb {
  static readonly schema = HoursSchema;
  constructor(private readonly d: Static<typeof HoursSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    if (ctx.isLineOpen(this.d.line)) return { kind: 'next' };
    await ctx.recordStep(`hours:${this.d.line}=closed`);
    if (this.d.closedPrompt) await ctx.play(this.d.closedPrompt, { interruptible: true });
    const opening = this.d.announceOpening === false ? null : ctx.lineOpening(this.d.line);
    if (opening) {
      await ctx.recordStep(`hours:${this.d.line}=opens ${opening.text}`);
      for (const p of opening.prompts) await ctx.play(p, { interruptible: true });
    }
    return applyAction(ctx, this.d.closed);
  }
}
