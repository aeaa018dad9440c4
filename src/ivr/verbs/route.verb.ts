import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { LINE_ID_PATTERN } from '../../vocabulary.js';
import { NO_SKILLS, SkillsSchema } from '../../queues/skills.js';

export const RouteSchema = Type.Object(
  {
    verb: Type.Literal('route'),
    line: Type.String({ pattern: LINE_ID_PATTERN }),
    /** Skills routing: offered first to operators with these skills (e.g. {"en": 1}), to anyone of the line after its widenAfterSec. */
    skills: Type.Optional(SkillsSchema),
  },
  { additionalProperties: false },
);

export class RouteVerb implements Verb {
  static readonly schema = RouteSchema;
  constructor(private readonly d: Static<typeof RouteSchema>) {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    await ctx.recordStep(`route:${this.d.line}`);
    ctx.requireSkills?.(this.d.skills ?? NO_SKILLS);
    return { kind: 'route', line: this.d.line };
  }
}
