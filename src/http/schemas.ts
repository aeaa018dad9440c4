import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { LANGUAGES, LINE_ID_PATTERN } from '../vocabulary.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
  },
  { examples: [{ error: { code: 'validation_failed', message: 'body is invalid: body/line must be equal to one of the allowed values' } }] },
);

/** bigint ids as Postgres gives them: digits, short enough for int8. */
export const IdParam = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
export const UuidParam = Type.Object({ id: Type.String({ format: 'uuid' }) });
/** A line's id; which lines exist is configuration, so services check it against the LineCatalog (unknown_line, 400). */
export const Line = Type.String({ pattern: LINE_ID_PATTERN, examples: ['first'] });

/** A language the service speaks (src/vocabulary.ts LANGUAGES). */
export const LanguageSchema = Type.Union(LANGUAGES.map((l) => Type.Literal(l)));

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The query filters that calls and recordings searches share. */
export const CallFilters = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  caller: Type.Optional(Type.String({ maxLength: 64 })),
  line: Type.Optional(Line),
  operator: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  ticket: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
};
