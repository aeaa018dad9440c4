// QA scorecards over HTTP. Who may do what (http/access.ts):
// - forms: admins create and edit (an edit is a new version), supervisors read;
// - scoring, corrections, upholding a dispute, lists and reports: supervisors and admins, of
//   every line (the evaluator may not resolve a dispute of their own evaluation: 403);
// - an operator (token or panel session) reads and answers only their own evaluations: another
//   operator's is a 404, whatever its line (stricter than a line rule, so the rule is 'any').
//   A supervisor is an operator too, and may be evaluated: the same routes serve them.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../http/auth.hook.js';
import { ErrorBody, IdParam, UuidParam } from '../http/schemas.js';
import { EvaluationDto, EvaluationFields, EvaluationSummaryDto, FormDoc, FormDto, evaluationDto, formDto, summaryDto } from './qa.dto.js';
import type { QaService } from './qa.service.js';

const Page = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
};
const Comment = (min: number) => Type.String({ minLength: min, maxLength: 2000 });

export const qaRoutes =
  (qa: QaService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const admin = requireRole('admin');
    const staff = requireRole('admin', 'supervisor');
    const evaluated = requireRole('operator', 'supervisor');

    // ---- forms ----------------------------------------------------------------------------------

    app.get(
      '/qa/forms',
      {
        preHandler: staff,
        schema: {
          summary: 'QA forms, each with its current version number and how many evaluations use it',
          response: { 200: Type.Object({ forms: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), currentVersion: Type.Integer(), evaluations: Type.Integer(), updatedAt: Type.String() })) }) },
        },
      },
      async () => ({
        forms: (await qa.listForms()).map((f) => ({ id: f.id, name: f.name, currentVersion: f.current_version, evaluations: f.evaluations, updatedAt: f.updated_at.toISOString() })),
      }),
    );

    app.get(
      '/qa/forms/:id',
      {
        preHandler: staff,
        schema: {
          summary: 'A QA form: its current version, or the version asked for',
          params: IdParam,
          querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }, { additionalProperties: false }),
          response: { 200: FormDto, 404: ErrorBody },
        },
      },
      async (req) => formDto(await qa.form(req.params.id, req.query.version)),
    );

    app.post(
      '/qa/forms',
      { preHandler: admin, schema: { summary: 'Create a QA form (version 1)', body: FormDoc, response: { 201: FormDto, 422: ErrorBody } } },
      async (req, reply) => reply.code(201).send(formDto(await qa.createForm(principalOf(req), req.body))),
    );

    app.put(
      '/qa/forms/:id',
      {
        preHandler: admin,
        schema: { summary: 'Edit a QA form: stored as its next version; evaluations keep the version they were scored on', params: IdParam, body: FormDoc, response: { 200: FormDto, 404: ErrorBody, 422: ErrorBody } },
      },
      async (req) => formDto(await qa.editForm(principalOf(req), req.params.id, req.body)),
    );

    // ---- evaluations ----------------------------------------------------------------------------

    app.post(
      '/qa/evaluations',
      {
        preHandler: staff,
        schema: {
          summary: "Score an answered call on a form's current version (final once submitted: a change is a correction)",
          body: Type.Object({ callId: Type.String({ format: 'uuid' }), formId: Type.String({ pattern: '^[0-9]{1,18}$' }), ...EvaluationFields }, { additionalProperties: false }),
          response: { 201: EvaluationDto, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
      },
      async (req, reply) => reply.code(201).send(evaluationDto(await qa.score(principalOf(req), req.body))),
    );

    app.post(
      '/qa/evaluations/:id/correct',
      {
        preHandler: staff,
        schema: {
          summary: 'Correct an evaluation: a new one on the same form version supersedes it (both stay). Resolves an open dispute (not by the evaluator)',
          params: UuidParam,
          body: Type.Object({ ...EvaluationFields, resolutionComment: Type.Optional(Comment(3)) }, { additionalProperties: false }),
          response: { 201: EvaluationDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
      },
      async (req, reply) => reply.code(201).send(evaluationDto(await qa.correct(principalOf(req), req.params.id, req.body))),
    );

    app.post(
      '/qa/evaluations/:id/uphold',
      {
        preHandler: staff,
        schema: {
          summary: 'Resolve a dispute by upholding the evaluation (a supervisor other than the evaluator)',
          params: UuidParam,
          body: Type.Object({ comment: Comment(3) }, { additionalProperties: false }),
          response: { 200: EvaluationDto, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (req) => evaluationDto(await qa.uphold(principalOf(req), req.params.id, req.body.comment)),
    );

    app.get(
      '/qa/evaluations',
      {
        preHandler: staff,
        schema: {
          summary: 'Evaluations, newest first (superseded ones too: supersededBy says so)',
          querystring: Type.Object(
            {
              operator: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
              call: Type.Optional(Type.String({ format: 'uuid' })),
              from: Type.Optional(Type.String({ format: 'date-time', description: "by the call's time" })),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              disputes: Type.Optional(Type.Literal('open', { description: 'only evaluations with a dispute nobody has resolved' })),
              ...Page,
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ evaluations: Type.Array(EvaluationSummaryDto) }) },
        },
      },
      async (req) => {
        const x = req.query;
        const rows = await qa.list({
          operatorId: x.operator, callId: x.call, from: x.from ? new Date(x.from) : undefined, to: x.to ? new Date(x.to) : undefined,
          openDisputes: x.disputes === 'open', limit: x.limit, offset: x.offset,
        });
        return { evaluations: rows.map(summaryDto) };
      },
    );

    app.get(
      '/qa/evaluations/:id',
      {
        preHandler: requireRole('admin', 'supervisor', 'operator'),
        schema: { summary: "One evaluation with its answers, remarks, history and form version (an operator: only their own)", params: UuidParam, response: { 200: EvaluationDto, 404: ErrorBody } },
      },
      async (req) => evaluationDto(await qa.evaluation(principalOf(req), req.params.id)),
    );

    app.get(
      '/qa/my-evaluations',
      {
        preHandler: evaluated,
        schema: {
          summary: "The signed-in operator's own evaluations, newest first",
          querystring: Type.Object(Page, { additionalProperties: false }),
          response: { 200: Type.Object({ evaluations: Type.Array(EvaluationSummaryDto) }) },
        },
      },
      async (req) => ({ evaluations: (await qa.mine(principalOf(req), req.query)).map(summaryDto) }),
    );

    for (const [path, kind, min] of [['acknowledge', 'acknowledged', 0], ['dispute', 'disputed', 3]] as const) {
      app.post(
        `/qa/evaluations/:id/${path}`,
        {
          preHandler: evaluated,
          schema: {
            summary: kind === 'acknowledged' ? 'The evaluated operator acknowledges the evaluation (once)' : 'The evaluated operator disputes the evaluation (once), saying why: another supervisor resolves it',
            params: UuidParam,
            body: Type.Object(min ? { comment: Comment(min) } : { comment: Type.Optional(Comment(0)) }, { additionalProperties: false }),
            response: { 200: EvaluationDto, 404: ErrorBody, 409: ErrorBody },
          },
        },
        async (req) => evaluationDto(await qa.answer(principalOf(req), req.params.id, kind, (req.body as { comment?: string }).comment)),
      );
    }
  };
