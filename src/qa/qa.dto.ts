// The API's shapes of QA forms and evaluations, and the rows they are made from.
import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';
import type { EvaluationView } from './qa.repository.js';
import type { QaEvaluationEventRow, QaFormVersionRow } from './qa.table.js';

export const EXAMPLE_FORM = {
  name: 'Inbound support',
  sections: [
    {
      id: 'greeting', title: 'Greeting', weight: 1,
      criteria: [{ id: 'script', title: 'Greets by the script', scale: { type: 'yesno' } }],
    },
    {
      id: 'solution', title: 'Solution', weight: 3,
      criteria: [
        { id: 'accuracy', title: 'Correct and complete answer', scale: { type: 'points', max: 4 }, weight: 2 },
        { id: 'verified', title: 'Verified the caller before account details', scale: { type: 'yesno' }, critical: true },
        { id: 'follow-up', title: 'Booked a follow-up when needed', scale: { type: 'yesno' }, naAllowed: true },
      ],
    },
  ],
};

export const FormDoc = Type.Unknown({
  description: 'A QA form: {name, description?, sections: [{id, title, weight?, criteria: [{id, title, weight?, scale: {type: "yesno"} | {type: "points", max, failBelow?}, critical?, naAllowed?, comments?}]}]}. Validated as a whole (422 invalid_qa_form with every error\'s path).',
  examples: [EXAMPLE_FORM],
});

export const FormDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  currentVersion: Type.Integer(),
  definition: Type.Unknown(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});

export const formDto = (f: QaFormVersionRow & { name: string; current_version: number }) => ({
  // The version's own name: a later edit may have renamed the form.
  id: f.form_id, name: f.definition.name, version: f.version, currentVersion: f.current_version, definition: f.definition, createdBy: f.created_by, createdAt: f.created_at.toISOString(),
});

export const AnswerInput = Type.Object(
  {
    criterionId: Type.String({ minLength: 1, maxLength: 40 }),
    value: Type.Union([Type.Boolean(), Type.Integer({ minimum: 0, maximum: 10 }), Type.Null()], { description: 'yes/no: true or false; points: 0..max; null: not applicable' }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const RemarkInput = Type.Object(
  { atMs: Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'offset into the recording' }), text: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export const EvaluationFields = {
  answers: Type.Array(AnswerInput, { minItems: 1, maxItems: 500 }),
  comment: Type.Optional(Type.String({ maxLength: 4000 })),
  remarks: Type.Optional(Type.Array(RemarkInput, { maxItems: 200 })),
  recordingId: Type.Optional(Type.String({ format: 'uuid', description: "the call's recording listened to (remarks are pinned to it)" })),
};

const State = Nullable(Type.String());
export const EvaluationSummaryDto = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  recordingId: Nullable(Type.String()),
  operatorId: Type.String(),
  operatorName: Type.String(),
  line: Nullable(Type.String()),
  callAt: Type.String(),
  formId: Type.String(),
  formVersion: Type.Integer(),
  evaluator: Type.String(),
  evaluatorName: Nullable(Type.String()),
  score: Type.Number(),
  rawScore: Type.Number(),
  criticalFailed: Type.Boolean(),
  comment: Nullable(Type.String()),
  supersedesId: Nullable(Type.String()),
  supersededBy: Nullable(Type.String()),
  /** acknowledged | disputed | null */
  answer: State,
  /** upheld | corrected | null */
  resolution: State,
  createdAt: Type.String(),
});

export const EvaluationDto = Type.Intersect([
  EvaluationSummaryDto,
  Type.Object({
    answers: Type.Array(
      Type.Object({
        criterionId: Type.String(), sectionId: Type.String(), title: Type.String(), value: Type.Union([Type.Boolean(), Type.Number(), Type.Null()]),
        normalised: Nullable(Type.Number()), weight: Type.Number(), critical: Type.Boolean(), failed: Type.Boolean(), comment: Nullable(Type.String()),
      }),
    ),
    sections: Type.Array(Type.Object({ sectionId: Type.String(), score: Nullable(Type.Number()) })),
    remarks: Type.Array(Type.Object({ atMs: Type.Integer(), text: Type.String() })),
    events: Type.Array(
      Type.Object({ id: Type.String(), kind: Type.String(), actor: Type.String(), actorName: Nullable(Type.String()), comment: Nullable(Type.String()), correctionId: Nullable(Type.String()), at: Type.String() }),
    ),
    form: FormDto,
  }),
]);

export const summaryDto = (e: EvaluationView) => ({
  id: e.id, callId: e.call_id, recordingId: e.recording_id, operatorId: e.operator_id, operatorName: e.operator_name, line: e.line, callAt: e.call_at.toISOString(),
  formId: e.form_id, formVersion: e.form_version, evaluator: e.evaluator, evaluatorName: e.evaluator_name, score: Number(e.score), rawScore: Number(e.raw_score),
  criticalFailed: e.critical_failed, comment: e.comment, supersedesId: e.supersedes_id, supersededBy: e.superseded_by, answer: e.answer, resolution: e.resolution,
  createdAt: e.created_at.toISOString(),
});

export const evaluationDto = (
  e: EvaluationView & { events: (QaEvaluationEventRow & { actor_name: string | null })[]; form: QaFormVersionRow & { name: string; current_version: number } },
) => ({
  ...summaryDto(e),
  answers: e.answers,
  sections: e.sections,
  remarks: e.remarks,
  events: e.events.map((x) => ({ id: x.id, kind: x.kind, actor: x.actor, actorName: x.actor_name, comment: x.comment, correctionId: x.correction_id, at: x.at.toISOString() })),
  form: formDto(e.form),
});
