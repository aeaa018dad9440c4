// The QA scorecards' and review filters' failures, one class each (re-exported by src/errors.ts,
// which every caller imports).
import { AppError } from '../app-error.js';

export class InvalidQaFormError extends AppError {
  readonly code = 'invalid_qa_form';
  readonly status = 422;
  constructor(errors: { path: string; message: string }[]) {
    super(`QA form is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, { errors });
  }
}

/** Answers that do not fit the form version (or remarks outside the recording). */
export class InvalidQaEvaluationError extends AppError {
  readonly code = 'invalid_qa_evaluation';
  readonly status = 422;
  constructor(errors: { path: string; message: string }[]) {
    super(`evaluation is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, { errors });
  }
}

/** A call nobody answered, one still in progress, or a supervisor's own call. */
export class QaCallNotScorableError extends AppError {
  readonly code = 'qa_call_not_scorable';
  readonly status = 409;
  constructor(callId: string, why: string) {
    super(`call ${callId} cannot be scored: ${why}`, { callId, why });
  }
}

/** A correction of an evaluation that has been corrected already (the other correction won). */
export class QaEvaluationSupersededError extends AppError {
  readonly code = 'qa_evaluation_superseded';
  readonly status = 409;
  constructor(id: string) {
    super(`evaluation ${id} has been superseded by a correction; act on the correction`, { id });
  }
}

/** The operator acknowledged or disputed this evaluation already (once each evaluation). */
export class QaAlreadyAnsweredError extends AppError {
  readonly code = 'qa_already_answered';
  readonly status = 409;
  constructor(id: string, kind: string) {
    super(`evaluation ${id} has been ${kind} already`, { id, kind });
  }
}

/** No open dispute to resolve: none was raised, or another supervisor resolved it first. */
export class QaDisputeNotOpenError extends AppError {
  readonly code = 'qa_dispute_not_open';
  readonly status = 409;
  constructor(id: string, why: string) {
    super(`evaluation ${id} has no open dispute: ${why}`, { id, why });
  }
}

/** A dispute goes to another supervisor: the evaluator may not resolve a dispute of their own evaluation. */
export class QaOwnEvaluationError extends AppError {
  readonly code = 'qa_own_evaluation';
  readonly status = 403;
  constructor(id: string) {
    super(`evaluation ${id} is yours: a dispute of it is resolved by another supervisor`, { id });
  }
}

/** A saved review filter that is not one (its kind, parameters, name or line), every error with its path. */
export class InvalidReviewFilterError extends AppError {
  readonly code = 'invalid_review_filter';
  readonly status = 422;
  constructor(errors: { path: string; message: string }[]) {
    super(`review filter is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, { errors });
  }
}

/** A line's review filters have distinct names. */
export class ReviewFilterNameTakenError extends AppError {
  readonly code = 'review_filter_name_taken';
  readonly status = 409;
  constructor(line: string, name: string) {
    super(`the ${line} line has a review filter named "${name}" already`, { line, name });
  }
}

/** A supervisor keeps the review filters of their own line only. */
export class ReviewFilterLineError extends AppError {
  readonly code = 'review_filter_forbidden';
  readonly status = 403;
  constructor(line: string, own: string) {
    super(`a supervisor of the ${own} line keeps review filters of that line only, not of the ${line} line`, { line, own });
  }
}
