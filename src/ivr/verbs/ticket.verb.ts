// "Key your ticket number, then #": a known open ticket takes the call (and, by default,
// sends it to the line that owns the ticket); an unknown number is asked again once, then
// the call goes on and gets a new ticket. The keyed number is stored either way.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';

export const TicketSchema = Type.Object(
  {
    verb: Type.Literal('ticket'),
    prompt: Type.String({ pattern: '^[a-z0-9-]+$' }),
    unknownPrompt: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
    timeoutSec: Type.Integer({ minimum: 1, maximum: 30 }),
    maxDigits: Type.Integer({ minimum: 1, maximum: 18 }),
    attempts: Type.Integer({ minimum: 1, maximum: 3 }),
    routeToOwner: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export class TicketVerb implements Verb {
  static readonly schema = TicketSchema;
  constructor(private readonly d: Static<typeof TicketSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    for (let attempt = 1; attempt <= this.d.attempts; attempt++) {
      await ctx.play(this.d.prompt, { interruptible: true });
      const keyed = await ctx.readDigits({ max: this.d.maxDigits, terminator: '#', timeoutMs: this.d.timeoutSec * 1000, interDigitMs: 3000 });
      if (!keyed) {
        await ctx.recordStep('ticket:none');
        return { kind: 'next' };
      }
      const r = await ctx.attachTicket(keyed);
      await ctx.recordStep(`ticket:${keyed}=${r.found ? 'found' : 'unknown'}`);
      if (r.found) return r.line && (this.d.routeToOwner ?? true) ? { kind: 'route', line: r.line } : { kind: 'next' };
      if (this.d.unknownPrompt && attempt < this.d.attempts) await ctx.play(this.d.unknownPrompt, { interruptible: true });
    }
    return { kind: 'next' };
  }
}
