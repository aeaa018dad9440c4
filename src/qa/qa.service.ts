// QA scorecards: admins keep forms (an edit is a new version: an evaluation's version never
// changes under it), supervisors score answered calls against the current version, and a
// submitted evaluation is final (the database refuses UPDATE and DELETE). A correction is a new
// evaluation superseding the old one, on the old one's form version. The evaluated operator
// acknowledges or disputes each evaluation once; a dispute is resolved by a supervisor other
// than the evaluator, by upholding it or by a correction. Every answer and resolution takes the
// evaluation's row lock first, so of two at once one wins and the other is told why (409).
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/token.service.js';
import type { Database, Db } from '../db/database.js';
import {
  InvalidQaEvaluationError,
  NotFoundError,
  QaAlreadyAnsweredError,
  QaCallNotScorableError,
  QaDisputeNotOpenError,
  QaEvaluationSupersededError,
  QaOwnEvaluationError,
} from '../errors.js';
import { parseQaForm } from './qa-form.js';
import { scoreEvaluation, type QaAnswerInput } from './qa-score.js';
import {
  addFormVersion,
  findCallToScore,
  findEvaluation,
  findFormVersion,
  findRecordingOf,
  insertEvaluation,
  insertEvent,
  insertForm,
  listEvaluations,
  listEvents,
  listForms,
  lockEvaluation,
  reportByCriterion,
  reportByLine,
  reportByOperator,
  type EvaluationFilter,
  type EvaluationView,
  type ReportRange,
} from './qa.repository.js';
import type { QaAnswerKind, QaEvaluationRow, QaRemark } from './qa.table.js';

/** Who did it, as stored: the operator behind a session or an operator-bound token, else the token. */
export const actorOf = (p: Principal): string => (p.operatorId ? `operator:${p.operatorId}` : `token:${p.tokenId}`);

export interface EvaluationInput {
  answers: QaAnswerInput[];
  comment?: string;
  remarks?: QaRemark[];
  recordingId?: string;
}

const isUnique = (err: unknown, constraint: string) =>
  (err as { code?: unknown }).code === '23505' && String((err as { constraint?: unknown }).constraint ?? '').startsWith(constraint);

export class QaService {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- forms ----------------------------------------------------------------------------------

  async createForm(by: Principal, doc: unknown) {
    const def = parseQaForm(doc);
    const form = await this.db.transaction().execute((trx) => insertForm(trx, def, actorOf(by)));
    return this.form(form.id);
  }

  /** An edit is a new version; evaluations keep the version they were scored on. */
  async editForm(by: Principal, id: string, doc: unknown) {
    const def = parseQaForm(doc);
    const form = await this.db.transaction().execute((trx) => addFormVersion(trx, id, def, actorOf(by)));
    if (!form) throw new NotFoundError('qa form', id);
    return this.form(id);
  }

  listForms() {
    return listForms(this.db);
  }

  async form(id: string, version?: number) {
    const f = await findFormVersion(this.db, id, version);
    if (!f) throw new NotFoundError('qa form', version === undefined ? id : `${id} version ${version}`);
    return f;
  }

  // ---- scoring --------------------------------------------------------------------------------

  async score(by: Principal, input: EvaluationInput & { callId: string; formId: string }) {
    const form = await this.form(input.formId);
    const call = await findCallToScore(this.db, input.callId);
    if (!call) throw new NotFoundError('call', input.callId);
    if (!call.operator_id || !call.answered_at) throw new QaCallNotScorableError(call.id, 'no operator answered it');
    if (!call.ended_at) throw new QaCallNotScorableError(call.id, 'it is still in progress');
    if (by.operatorId && by.operatorId === call.operator_id) throw new QaCallNotScorableError(call.id, 'it is your own call');
    const remarks = await this.checkRemarks(input.callId, input.recordingId, input.remarks ?? []);
    const score = scoreEvaluation(form.definition, input.answers);
    const row = await insertEvaluation(this.db, {
      callId: call.id, recordingId: input.recordingId ?? null, operatorId: call.operator_id, line: call.line, callAt: call.entered_at,
      formId: form.form_id, formVersion: form.version, evaluator: actorOf(by), evaluatorOperatorId: by.operatorId,
      score, comment: input.comment?.trim() || null, remarks, supersedesId: null,
    });
    return this.evaluation(by, row.id);
  }

  /**
   * A correction: a new evaluation on the old one's form version that supersedes it (both stay).
   * If the old one is disputed and unresolved, the correction resolves the dispute (saying why in
   * resolutionComment), which only a supervisor other than the evaluator may do; a
   * resolutionComment with no open dispute is refused (409: another resolution came first).
   */
  async correct(by: Principal, id: string, input: EvaluationInput & { resolutionComment?: string }) {
    let newId: string;
    try {
      newId = await this.db.transaction().execute(async (trx) => {
        const old = await this.lockOpen(trx, id);
        const view = (await findEvaluation(trx, id)) as EvaluationView;
        const resolving = view.answer === 'disputed' && !view.resolution;
        // A correction meant as a resolution (it says why) of a dispute another supervisor
        // resolved meanwhile is the race's loser, not a plain correction.
        if (!resolving && input.resolutionComment !== undefined) {
          throw new QaDisputeNotOpenError(id, view.resolution ? `it has been ${view.resolution} already` : 'the operator has not disputed it');
        }
        if (resolving && old.evaluator === actorOf(by)) throw new QaOwnEvaluationError(id);
        if (resolving && !input.resolutionComment?.trim()) {
          throw new InvalidQaEvaluationError([{ path: '/resolutionComment', message: 'this correction resolves a dispute: say why' }]);
        }
        const form = await this.form(old.form_id, old.form_version);
        const recordingId = input.recordingId ?? old.recording_id ?? undefined;
        const remarks = await this.checkRemarks(old.call_id, recordingId, input.remarks ?? [], trx);
        const score = scoreEvaluation(form.definition, input.answers);
        const row = await insertEvaluation(trx, {
          callId: old.call_id, recordingId: recordingId ?? null, operatorId: old.operator_id, line: old.line, callAt: old.call_at,
          formId: old.form_id, formVersion: old.form_version, evaluator: actorOf(by), evaluatorOperatorId: by.operatorId,
          score, comment: input.comment?.trim() || null, remarks, supersedesId: old.id,
        });
        if (resolving) {
          await insertEvent(trx, { evaluationId: id, kind: 'corrected', actor: actorOf(by), actorOperatorId: by.operatorId, comment: input.resolutionComment?.trim() ?? null, correctionId: row.id });
        }
        return row.id;
      });
    } catch (err) {
      if (isUnique(err, 'qa_evaluations_supersedes_id')) throw new QaEvaluationSupersededError(id);
      if (isUnique(err, 'qa_evaluation_events_resolution')) throw new QaDisputeNotOpenError(id, 'another supervisor resolved it first');
      throw err;
    }
    return this.evaluation(by, newId);
  }

  private async checkRemarks(callId: string, recordingId: string | undefined, remarks: QaRemark[], db: Db = this.db): Promise<QaRemark[]> {
    if (recordingId) {
      const rec = await findRecordingOf(db, recordingId);
      if (!rec) throw new NotFoundError('recording', recordingId);
      if (rec.call_id !== callId) throw new InvalidQaEvaluationError([{ path: '/recordingId', message: `recording ${recordingId} is not of call ${callId}` }]);
      const errors = remarks.flatMap((r, i) =>
        rec.duration_ms !== null && r.atMs > rec.duration_ms ? [{ path: `/remarks/${i}/atMs`, message: `is past the recording's end (${rec.duration_ms} ms)` }] : [],
      );
      if (errors.length) throw new InvalidQaEvaluationError(errors);
    } else if (remarks.length) {
      throw new InvalidQaEvaluationError([{ path: '/remarks', message: 'remarks are pinned to moments of a recording: give recordingId' }]);
    }
    return [...remarks].sort((a, b) => a.atMs - b.atMs).map((r) => ({ atMs: r.atMs, text: r.text.trim() }));
  }

  // ---- reading --------------------------------------------------------------------------------

  /** One evaluation with its history and form version; an operator sees only their own (others: 404). */
  async evaluation(by: Principal, id: string) {
    const e = await findEvaluation(this.db, id);
    if (!e || (by.role === 'operator' && e.operator_id !== by.operatorId)) throw new NotFoundError('evaluation', id);
    const [events, form] = await Promise.all([listEvents(this.db, id), this.form(e.form_id, e.form_version)]);
    return { ...e, events, form };
  }

  list(filter: EvaluationFilter) {
    return listEvaluations(this.db, filter);
  }

  /** The signed-in operator's own evaluations (none for a principal that is nobody's). */
  async mine(by: Principal, page: { limit: number; offset: number }) {
    if (!by.operatorId) return [];
    return listEvaluations(this.db, { operatorId: by.operatorId, ...page });
  }

  // ---- answers and resolutions ----------------------------------------------------------------

  /** The evaluated operator acknowledges or disputes (once; a superseded one: act on its correction). */
  async answer(by: Principal, id: string, kind: QaAnswerKind, comment: string | undefined) {
    try {
      await this.db.transaction().execute(async (trx) => {
        const e = await lockEvaluation(trx, id);
        if (!e || !by.operatorId || e.operator_id !== by.operatorId) throw new NotFoundError('evaluation', id);
        const view = (await findEvaluation(trx, id)) as EvaluationView;
        if (view.superseded_by) throw new QaEvaluationSupersededError(id);
        if (view.answer) throw new QaAlreadyAnsweredError(id, view.answer);
        await insertEvent(trx, { evaluationId: id, kind, actor: actorOf(by), actorOperatorId: by.operatorId, comment: comment?.trim() || null });
      });
    } catch (err) {
      if (isUnique(err, 'qa_evaluation_events_answer')) throw new QaAlreadyAnsweredError(id, kind);
      throw err;
    }
    return this.evaluation(by, id);
  }

  /** A supervisor other than the evaluator upholds a disputed evaluation. */
  async uphold(by: Principal, id: string, comment: string) {
    try {
      await this.db.transaction().execute(async (trx) => {
        const e = await this.lockOpen(trx, id);
        const view = (await findEvaluation(trx, id)) as EvaluationView;
        if (view.answer !== 'disputed') throw new QaDisputeNotOpenError(id, 'the operator has not disputed it');
        if (view.resolution) throw new QaDisputeNotOpenError(id, `it has been ${view.resolution} already`);
        if (e.evaluator === actorOf(by)) throw new QaOwnEvaluationError(id);
        await insertEvent(trx, { evaluationId: id, kind: 'upheld', actor: actorOf(by), actorOperatorId: by.operatorId, comment: comment.trim() });
      });
    } catch (err) {
      if (isUnique(err, 'qa_evaluation_events_resolution')) throw new QaDisputeNotOpenError(id, 'another supervisor resolved it first');
      throw err;
    }
    return this.evaluation(by, id);
  }

  /** The evaluation locked, and not superseded (a correction is acted on instead). */
  private async lockOpen(trx: Db, id: string): Promise<QaEvaluationRow> {
    const e = await lockEvaluation(trx, id);
    if (!e) throw new NotFoundError('evaluation', id);
    const view = (await findEvaluation(trx, id)) as EvaluationView;
    if (view.superseded_by) {
      // A dispute resolved by the correction that superseded it: the loser of a race learns that.
      if (view.resolution) throw new QaDisputeNotOpenError(id, `it has been ${view.resolution} already`);
      throw new QaEvaluationSupersededError(id);
    }
    return e;
  }

  // ---- reports --------------------------------------------------------------------------------

  async reports(kind: 'operators' | 'criteria' | 'lines', r: ReportRange) {
    if (kind === 'operators') return reportByOperator(this.db, r);
    if (kind === 'lines') return reportByLine(this.db, r);
    return reportByCriterion(this.db, r);
  }
}
