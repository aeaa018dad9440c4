// QA scorecards in SQL: form versions, evaluations (insert only: the database refuses changes),
// their events (acknowledged, disputed, upheld, corrected) and the reports. An evaluation is
// "current" unless a correction supersedes it; reports count current evaluations only.
import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../db/database.js';
import type { Line } from '../vocabulary.js';
import type { QaFormDefinition } from './qa-form.js';
import type { QaScore } from './qa-score.js';
import type { QaEvaluationEventRow, QaEvaluationRow, QaEventKind, QaFormRow, QaFormVersionRow, QaRemark, QaTables } from './qa.table.js';

const q = (db: Db) => (db as Kysely<Database>).withTables<QaTables>();

// ---- forms ------------------------------------------------------------------------------------

export async function insertForm(db: Db, def: QaFormDefinition, by: string): Promise<QaFormRow> {
  const form = await q(db).insertInto('qa_forms').values({ name: def.name }).returningAll().executeTakeFirstOrThrow();
  await q(db).insertInto('qa_form_versions').values({ form_id: form.id, version: 1, definition: JSON.stringify(def), created_by: by }).execute();
  return form;
}

/** A new version of a form (its row locked: two edits at once get consecutive versions). Undefined: no such form. */
export async function addFormVersion(db: Db, formId: string, def: QaFormDefinition, by: string): Promise<QaFormRow | undefined> {
  const form = await q(db).selectFrom('qa_forms').selectAll().where('id', '=', formId).forUpdate().executeTakeFirst();
  if (!form) return undefined;
  const version = form.current_version + 1;
  await q(db).insertInto('qa_form_versions').values({ form_id: formId, version, definition: JSON.stringify(def), created_by: by }).execute();
  return q(db).updateTable('qa_forms').set({ name: def.name, current_version: version, updated_at: new Date() }).where('id', '=', formId).returningAll().executeTakeFirstOrThrow();
}

export async function listForms(db: Db): Promise<(QaFormRow & { evaluations: number })[]> {
  const rows = await q(db)
    .selectFrom('qa_forms as f')
    .selectAll('f')
    .select((eb) => eb.selectFrom('qa_evaluations as e').whereRef('e.form_id', '=', 'f.id').select(sql<string>`count(*)`.as('n')).as('evaluations'))
    .orderBy('f.id')
    .execute();
  return rows.map((r) => ({ ...r, evaluations: Number(r.evaluations ?? 0) }));
}

/** A form with one of its versions (its current one by default). */
export async function findFormVersion(db: Db, formId: string, version?: number): Promise<(QaFormVersionRow & { name: string; current_version: number }) | undefined> {
  return q(db)
    .selectFrom('qa_form_versions as v')
    .innerJoin('qa_forms as f', 'f.id', 'v.form_id')
    .selectAll('v')
    .select(['f.name', 'f.current_version'])
    .where('v.form_id', '=', formId)
    .where((eb) => (version === undefined ? eb('v.version', '=', eb.ref('f.current_version')) : eb('v.version', '=', version)))
    .executeTakeFirst();
}

// ---- what is scored ---------------------------------------------------------------------------

export async function findCallToScore(db: Db, callId: string) {
  return q(db)
    .selectFrom('calls')
    .select(['id', 'operator_id', 'line', 'entered_at', 'ended_at', 'answered_at', 'status'])
    .where('id', '=', callId)
    .executeTakeFirst();
}

export async function findRecordingOf(db: Db, recordingId: string) {
  return q(db).selectFrom('recordings').select(['id', 'call_id', 'duration_ms']).where('id', '=', recordingId).executeTakeFirst();
}

// ---- evaluations ------------------------------------------------------------------------------

export interface NewEvaluation {
  callId: string;
  recordingId: string | null;
  operatorId: string;
  line: Line | null;
  callAt: Date;
  formId: string;
  formVersion: number;
  evaluator: string;
  evaluatorOperatorId: string | null;
  score: QaScore;
  comment: string | null;
  remarks: QaRemark[];
  supersedesId: string | null;
}

export async function insertEvaluation(db: Db, e: NewEvaluation): Promise<QaEvaluationRow> {
  return q(db)
    .insertInto('qa_evaluations')
    .values({
      call_id: e.callId, recording_id: e.recordingId, operator_id: e.operatorId, line: e.line, call_at: e.callAt, form_id: e.formId, form_version: e.formVersion,
      evaluator: e.evaluator, evaluator_operator_id: e.evaluatorOperatorId, score: e.score.score, raw_score: e.score.rawScore, critical_failed: e.score.criticalFailed,
      answers: JSON.stringify(e.score.answers), sections: JSON.stringify(e.score.sections), comment: e.comment, remarks: JSON.stringify(e.remarks), supersedes_id: e.supersedesId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The evaluation locked for an answer or a resolution: two at once queue up here, and the second
 * sees what the first wrote. (FOR UPDATE takes a row lock; it is no UPDATE, so the append-only
 * trigger does not fire.)
 */
export async function lockEvaluation(db: Db, id: string): Promise<QaEvaluationRow | undefined> {
  return q(db).selectFrom('qa_evaluations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export type EvaluationView = QaEvaluationRow & {
  operator_name: string;
  evaluator_name: string | null;
  superseded_by: string | null;
  answer: QaEventKind | null;
  resolution: QaEventKind | null;
};

function evaluationsView(db: Db) {
  return q(db)
    .selectFrom('qa_evaluations as e')
    .innerJoin('operators as o', 'o.id', 'e.operator_id')
    .leftJoin('operators as ev', 'ev.id', 'e.evaluator_operator_id')
    .selectAll('e')
    .select((eb) => [
      'o.name as operator_name',
      'ev.name as evaluator_name',
      eb.selectFrom('qa_evaluations as s').whereRef('s.supersedes_id', '=', 'e.id').select('s.id').as('superseded_by'),
      eb.selectFrom('qa_evaluation_events as a').whereRef('a.evaluation_id', '=', 'e.id').where('a.kind', 'in', ['acknowledged', 'disputed']).select('a.kind').as('answer'),
      eb.selectFrom('qa_evaluation_events as r').whereRef('r.evaluation_id', '=', 'e.id').where('r.kind', 'in', ['upheld', 'corrected']).select('r.kind').as('resolution'),
    ]);
}

export async function findEvaluation(db: Db, id: string): Promise<EvaluationView | undefined> {
  return evaluationsView(db).where('e.id', '=', id).executeTakeFirst();
}

export interface EvaluationFilter {
  operatorId?: string;
  callId?: string;
  from?: Date;
  to?: Date;
  /** Only evaluations with a dispute nobody has resolved yet. */
  openDisputes?: boolean;
  limit: number;
  offset: number;
}

export async function listEvaluations(db: Db, f: EvaluationFilter): Promise<EvaluationView[]> {
  let query = evaluationsView(db);
  if (f.operatorId) query = query.where('e.operator_id', '=', f.operatorId);
  if (f.callId) query = query.where('e.call_id', '=', f.callId);
  if (f.from) query = query.where('e.call_at', '>=', f.from);
  if (f.to) query = query.where('e.call_at', '<', f.to);
  if (f.openDisputes) {
    query = query
      .where((eb) => eb.exists(eb.selectFrom('qa_evaluation_events as d').whereRef('d.evaluation_id', '=', 'e.id').where('d.kind', '=', 'disputed').select('d.id')))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('qa_evaluation_events as x').whereRef('x.evaluation_id', '=', 'e.id').where('x.kind', 'in', ['upheld', 'corrected']).select('x.id'))));
  }
  return query.orderBy('e.created_at', 'desc').orderBy('e.id').limit(f.limit).offset(f.offset).execute();
}

export async function listEvents(db: Db, evaluationId: string): Promise<(QaEvaluationEventRow & { actor_name: string | null })[]> {
  return q(db)
    .selectFrom('qa_evaluation_events as x')
    .leftJoin('operators as o', 'o.id', 'x.actor_operator_id')
    .selectAll('x')
    .select('o.name as actor_name')
    .where('x.evaluation_id', '=', evaluationId)
    .orderBy('x.id')
    .execute();
}

export async function insertEvent(
  db: Db,
  e: { evaluationId: string; kind: QaEventKind; actor: string; actorOperatorId: string | null; comment: string | null; correctionId?: string },
): Promise<QaEvaluationEventRow> {
  return q(db)
    .insertInto('qa_evaluation_events')
    .values({ evaluation_id: e.evaluationId, kind: e.kind, actor: e.actor, actor_operator_id: e.actorOperatorId, comment: e.comment, correction_id: e.correctionId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- reports ----------------------------------------------------------------------------------

export interface ReportRange {
  from: Date;
  to: Date;
  formId?: string;
}

/** Current evaluations of calls in the range (by the call's time), as a subquery named e. */
function current(db: Db, r: ReportRange) {
  let query = q(db)
    .selectFrom('qa_evaluations as c')
    .selectAll('c')
    .where('c.call_at', '>=', r.from)
    .where('c.call_at', '<', r.to)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('qa_evaluations as s').whereRef('s.supersedes_id', '=', 'c.id').select('s.id'))));
  if (r.formId) query = query.where('c.form_id', '=', r.formId);
  return query;
}

const stats = sql<string>`round(avg(e.score), 2)`;

export async function reportByOperator(db: Db, r: ReportRange) {
  return q(db)
    .selectFrom(current(db, r).as('e'))
    .innerJoin('operators as o', 'o.id', 'e.operator_id')
    .select([
      'e.operator_id', 'o.name', 'o.line',
      sql<string>`count(*)`.as('evaluations'),
      stats.as('mean_score'),
      sql<string>`min(e.score)`.as('min_score'),
      sql<string>`max(e.score)`.as('max_score'),
      sql<string>`count(*) FILTER (WHERE e.critical_failed)`.as('critical_failed'),
    ])
    .groupBy(['e.operator_id', 'o.name', 'o.line'])
    .orderBy('o.name')
    .execute();
}

export async function reportByLine(db: Db, r: ReportRange) {
  return q(db)
    .selectFrom(current(db, r).as('e'))
    .select(['e.line', sql<string>`count(*)`.as('evaluations'), stats.as('mean_score'), sql<string>`count(*) FILTER (WHERE e.critical_failed)`.as('critical_failed')])
    .groupBy('e.line')
    .orderBy('e.line')
    .execute();
}

/** Per criterion (of a form): the mean of its answered (not N/A) answers as a percentage, and how often a critical one failed. */
export async function reportByCriterion(db: Db, r: ReportRange) {
  return q(db)
    .selectFrom(current(db, r).as('e'))
    .innerJoin('qa_forms as f', 'f.id', 'e.form_id')
    .innerJoin(sql<{ value: unknown }>`jsonb_array_elements(e.answers)`.as('x'), (j) => j.onTrue())
    .select([
      'e.form_id', 'f.name as form_name',
      sql<string>`x.value->>'criterionId'`.as('criterion_id'),
      sql<string>`max(x.value->>'title')`.as('title'),
      sql<string>`count(*) FILTER (WHERE jsonb_typeof(x.value->'normalised') = 'number')`.as('answered'),
      sql<string | null>`round(100 * avg((x.value->>'normalised')::numeric), 2)`.as('mean_score'),
      sql<string>`count(*) FILTER (WHERE (x.value->>'failed')::boolean)`.as('critical_failed'),
    ])
    .groupBy(['e.form_id', 'f.name', sql`x.value->>'criterionId'`])
    .orderBy('e.form_id')
    .orderBy(sql`x.value->>'criterionId'`)
    .execute();
}
