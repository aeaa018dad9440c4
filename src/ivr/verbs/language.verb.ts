import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { LanguageSchema as Language } from '../../http/schemas.js';

/** Sets the call's language (e.g. per dialled number's flow); remembered on the call. */
export const LanguageSchema = Type.Object(
  { verb: Type.Literal('language'), language: Language },
  { additionalProperties: false },
);

export class LanguageVerb implements Verb {
  static readonly schema = LanguageSchema;
  constructor(private readonly d: Static<typeof LanguageSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.setLanguage(this.d.language);
    return { kind: 'next' };
  }
}
