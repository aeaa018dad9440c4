// A QA form is data: sections of criteria, each with a weight and a scale (yes/no, or 0..N
// points), some critical (failing one zeroes the whole score). Like the IVR flow it is validated
// as a whole before it is stored, and every error names its exact path in the document, so an
// admin editing the JSON sees all of what is wrong at once.
import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import { InvalidQaFormError } from '../errors.js';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' });
const Title = Type.String({ minLength: 1, maxLength: 200 });

const YesNo = Type.Object({ type: Type.Literal('yesno') }, { additionalProperties: false });
const Points = Type.Object(
  {
    type: Type.Literal('points'),
    /** The scale is 0..max. */
    max: Type.Integer({ minimum: 1, maximum: 10 }),
    /** A critical points criterion fails below this value (required when critical). */
    failBelow: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  },
  { additionalProperties: false },
);

const Criterion = Type.Object(
  {
    id: Id,
    title: Title,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    scale: Type.Union([YesNo, Points]),
    critical: Type.Optional(Type.Boolean()),
    /** "Not applicable" may be answered: the criterion then counts neither for nor against. */
    naAllowed: Type.Optional(Type.Boolean()),
    /** false: no comment on this criterion's answer (default: a comment may be given). */
    comments: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Section = Type.Object(
  {
    id: Id,
    title: Title,
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    criteria: Type.Array(Criterion, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

export const QaFormShape = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    sections: Type.Array(Section, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);

export type QaFormDefinition = Static<typeof QaFormShape>;
export type QaSection = Static<typeof Section>;
export type QaCriterion = Static<typeof Criterion>;

type FormError = { path: string; message: string };

function shapeErrors(schema: TSchema, value: unknown): FormError[] {
  return [...Value.Errors(schema, value)]
    .filter((e) => e.keyword !== 'boolean') // typebox repeats additionalProperties as a 'schema is false' entry
    .map((e) => ({ path: e.instancePath, message: e.message }));
}

/** The form as validated (weights defaulted to 1), or InvalidQaFormError with every error's path. */
export function parseQaForm(doc: unknown): QaFormDefinition {
  const errors = shapeErrors(QaFormShape, doc);
  // typebox reports a bad union (the scale) once per branch: the same path and message twice.
  if (errors.length) throw new InvalidQaFormError(dedupe(errors));
  const form = structuredClone(doc) as QaFormDefinition;
  const sectionIds = new Map<string, number>();
  const criterionIds = new Map<string, string>();
  form.sections.forEach((s, i) => {
    const at = `/sections/${i}`;
    const seen = sectionIds.get(s.id);
    if (seen !== undefined) errors.push({ path: `${at}/id`, message: `section "${s.id}" is also /sections/${seen}` });
    else sectionIds.set(s.id, i);
    s.weight ??= 1;
    s.criteria.forEach((c, j) => {
      const cat = `${at}/criteria/${j}`;
      const other = criterionIds.get(c.id);
      // Answers name criteria by id alone, across sections.
      if (other) errors.push({ path: `${cat}/id`, message: `criterion "${c.id}" is also ${other}` });
      else criterionIds.set(c.id, cat);
      c.weight ??= 1;
      if (c.scale.type === 'points') {
        if (c.scale.failBelow !== undefined && c.scale.failBelow > c.scale.max) {
          errors.push({ path: `${cat}/scale/failBelow`, message: `must be at most the scale's max (${c.scale.max})` });
        }
        if (c.critical && c.scale.failBelow === undefined) {
          errors.push({ path: `${cat}/scale/failBelow`, message: 'a critical points criterion needs failBelow: the value below which it fails' });
        }
        if (!c.critical && c.scale.failBelow !== undefined) {
          errors.push({ path: `${cat}/scale/failBelow`, message: 'only a critical criterion fails below a value' });
        }
      }
      if (c.critical && c.naAllowed) errors.push({ path: `${cat}/naAllowed`, message: 'a critical criterion must be answered: it cannot be "not applicable"' });
    });
  });
  if (errors.length) throw new InvalidQaFormError(errors);
  return form;
}

function dedupe(errors: FormError[]): FormError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path} ${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every criterion of a form with its section, in order. */
export function criteriaOf(form: QaFormDefinition): { section: QaSection; criterion: QaCriterion }[] {
  return form.sections.flatMap((section) => section.criteria.map((criterion) => ({ section, criterion })));
}
