import { Type, type Static } from '@fastify/type-provider-typebox';
import type { IvrContext, Verb, VerbResult } from '../ivr-context.js';
import { LINE_ID_PATTERN, type Line as LineId } from '../../vocabulary.js';
import { NO_SKILLS, SkillsSchema } from '../../queues/skills.js';
import { LanguageSchema } from '../../http/schemas.js';

const Line = Type.String({ pattern: LINE_ID_PATTERN });
export const Action = Type.Object(
  {
    route: Type.Optional(Line),
    /** With `route`: the skills the caller needs (skills routing, see the route verb). */
    skills: Type.Optional(SkillsSchema),
    language: Type.Optional(LanguageSchema),
    goto: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const MenuSchema = Type.Object(
  {
    verb: Type.Literal('menu'),
    prompt: Type.String({ pattern: '^[a-z0-9-]+$' }),
    invalidPrompt: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$' })),
    timeoutSec: Type.Integer({ minimum: 1, maximum: 30 }),
    /** Empty or invalid inputs before the caller is sent to `onFail` (first line by default). */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 5 }),
    options: Type.Record(Type.String({ pattern: '^[0-9*#]$' }), Action),
    onFail: Type.Optional(Action),
  },
  { additionalProperties: false },
);

export type MenuAction = Static<typeof Action>;

export class MenuVerb implements Verb {
  static readonly schema = MenuSchema;
  /** front: the line a person answers on (LineCatalog.front), for 0 and the last failed attempt. */
  constructor(private readonly d: Static<typeof MenuSchema>, private readonly front: () => LineId = () => 'first') {}

  async execute(ctx: IvrContext): Promise<VerbResult> {
    for (let attempt = 1; attempt <= this.d.maxAttempts; attempt++) {
      await ctx.play(this.d.prompt, { interruptible: true });
      const digit = await ctx.readDigit(this.d.timeoutSec * 1000);
      // 0 reaches a person from any menu, whatever the flow's options say.
      const action = digit === null ? undefined : (this.d.options[digit] ?? (digit === '0' ? { route: this.front() } : undefined));
      await ctx.recordStep(`menu:${this.d.prompt}=${digit ?? 'timeout'}`);
      if (action) return applyAction(ctx, action);
      ctx.clearDigits();
      if (this.d.invalidPrompt && attempt < this.d.maxAttempts) {
        await ctx.play(this.d.invalidPrompt, { interruptible: true });
      }
    }
    // Nobody is ever dropped by the IVR: after the last failed attempt, a person answers.
    return applyAction(ctx, this.d.onFail ?? { route: this.front() });
  }
}

export async function applyAction(ctx: IvrContext, a: MenuAction): Promise<VerbResult> {
  if (a.language) await ctx.setLanguage(a.language);
  if (a.route) {
    ctx.requireSkills?.(a.skills ?? NO_SKILLS);
    return { kind: 'route', line: a.route };
  }
  if (a.goto) return { kind: 'goto', node: a.goto };
  return { kind: 'next' };
}
