// Skills (issue 21): what an operator can do, with a level, and what a caller needs. A skill is
// a name an installation chooses (a language such as `en`, a product such as `billing`), so it
// is a pattern-checked string, not a union; a level is 1 (basic) to 5 (expert). The one place
// that says what skills look like: the operators' API, the IVR flow and the ACD all use it.
import { Type } from '@fastify/type-provider-typebox';

/** A skill's name, such as `en` or `billing`. */
export type Skill = string;
/** Skill → level (1–5). On an operator: what they have; on a caller: the least level they need. */
export type Skills = Readonly<Record<Skill, number>>;

export const SKILL_NAME_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
export const MIN_SKILL_LEVEL = 1;
export const MAX_SKILL_LEVEL = 5;
/** More than this is a mistake, not a contact centre (and keeps the matching cheap). */
export const MAX_SKILLS = 32;

export const NO_SKILLS: Skills = Object.freeze({});

/** The schema of a skills object (API bodies, IVR route verbs and menu options). */
export const SkillsSchema = Type.Record(Type.String({ pattern: SKILL_NAME_PATTERN }), Type.Integer({ minimum: MIN_SKILL_LEVEL, maximum: MAX_SKILL_LEVEL }), {
  additionalProperties: false,
  maxProperties: MAX_SKILLS,
  description: 'skill → level 1–5, e.g. {"en": 3, "billing": 1}',
  examples: [{ en: 3, billing: 1 }],
});

export const needsSkills = (required: Skills): boolean => Object.keys(required).length > 0;

/** Has every required skill at the required level or better. */
export function meets(has: Skills, required: Skills): boolean {
  for (const [skill, level] of Object.entries(required)) if ((has[skill] ?? 0) < level) return false;
  return true;
}

/** How well `has` covers `required`: the sum of the operator's levels in the required skills (0 for a missing one). */
export function levelScore(has: Skills, required: Skills): number {
  let sum = 0;
  for (const skill of Object.keys(required)) sum += has[skill] ?? 0;
  return sum;
}

/** How many of the required skills `has` meets: after widening, the nearest to skilled goes first. */
export function skillsMet(has: Skills, required: Skills): number {
  let n = 0;
  for (const [skill, level] of Object.entries(required)) if ((has[skill] ?? 0) >= level) n++;
  return n;
}
