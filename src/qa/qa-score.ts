// The score of an evaluation, as a pure function of the form version and the answers:
// - each answer is normalised to 0..1 (yes 1, no 0; points value/max);
// - a section's score is the weighted mean of its answered criteria ("not applicable" answers
//   count neither for nor against), the form's the weighted mean of its sections that have one;
// - a critical criterion failed (a "no", or points below its failBelow) zeroes the score: the
//   raw score is kept beside it so that a report can tell "bad call" from "one fatal mistake".
// Scores are percentages with two decimals.
import { InvalidQaEvaluationError } from '../errors.js';
import { criteriaOf, type QaCriterion, type QaFormDefinition } from './qa-form.js';

/** What a supervisor answers for one criterion. value: yes/no as a boolean, points as an integer, null = not applicable. */
export interface QaAnswerInput {
  criterionId: string;
  value: boolean | number | null;
  comment?: string;
}

/** One answer as stored with the evaluation: what was asked (a snapshot) and what it scored. */
export interface ScoredAnswer {
  criterionId: string;
  sectionId: string;
  title: string;
  value: boolean | number | null;
  /** 0..1, null when not applicable. */
  normalised: number | null;
  weight: number;
  critical: boolean;
  /** A critical criterion failed by this answer. */
  failed: boolean;
  comment: string | null;
}

export interface QaScore {
  score: number;
  rawScore: number;
  criticalFailed: boolean;
  sections: { sectionId: string; score: number | null }[];
  answers: ScoredAnswer[];
}

type ScoreError = { path: string; message: string };

const pct = (x: number) => Math.round(x * 10_000) / 100;

/** Checks every answer against the form (all of them, with their paths) and scores them. */
export function scoreEvaluation(form: QaFormDefinition, answers: readonly QaAnswerInput[]): QaScore {
  const errors: ScoreError[] = [];
  const byId = new Map<string, { input: QaAnswerInput; index: number }>();
  const known = new Map(criteriaOf(form).map((x) => [x.criterion.id, x]));
  answers.forEach((a, i) => {
    if (!known.has(a.criterionId)) errors.push({ path: `/answers/${i}/criterionId`, message: `the form has no criterion "${a.criterionId}"` });
    else if (byId.has(a.criterionId)) errors.push({ path: `/answers/${i}/criterionId`, message: `"${a.criterionId}" is answered twice (also /answers/${byId.get(a.criterionId)?.index})` });
    else byId.set(a.criterionId, { input: a, index: i });
  });
  const scored: ScoredAnswer[] = [];
  for (const { section, criterion } of known.values()) {
    const given = byId.get(criterion.id);
    if (!given) {
      errors.push({ path: '/answers', message: `criterion "${criterion.id}" is not answered` });
      continue;
    }
    const at = `/answers/${given.index}`;
    const problem = valueProblem(criterion, given.input.value);
    if (problem) errors.push({ path: `${at}/value`, message: problem });
    if (given.input.comment && criterion.comments === false) errors.push({ path: `${at}/comment`, message: 'this criterion takes no comment' });
    if (problem) continue;
    const n = normalise(criterion, given.input.value);
    scored.push({
      criterionId: criterion.id,
      sectionId: section.id,
      title: criterion.title,
      value: given.input.value,
      normalised: n,
      weight: criterion.weight ?? 1,
      critical: criterion.critical ?? false,
      failed: failedCritical(criterion, given.input.value),
      comment: given.input.comment?.trim() || null,
    });
  }
  if (errors.length) throw new InvalidQaEvaluationError(errors);

  const sections = form.sections.map((s) => {
    const mine = scored.filter((a) => a.sectionId === s.id && a.normalised !== null);
    const w = mine.reduce((sum, a) => sum + a.weight, 0);
    return { sectionId: s.id, weight: s.weight ?? 1, score: w > 0 ? mine.reduce((sum, a) => sum + a.weight * (a.normalised as number), 0) / w : null };
  });
  const rated = sections.filter((s) => s.score !== null);
  const total = rated.reduce((sum, s) => sum + s.weight, 0);
  if (total === 0) throw new InvalidQaEvaluationError([{ path: '/answers', message: 'every answer is "not applicable": there is nothing to score' }]);
  const raw = rated.reduce((sum, s) => sum + s.weight * (s.score as number), 0) / total;
  const criticalFailed = scored.some((a) => a.failed);
  return {
    score: criticalFailed ? 0 : pct(raw),
    rawScore: pct(raw),
    criticalFailed,
    sections: sections.map((s) => ({ sectionId: s.sectionId, score: s.score === null ? null : pct(s.score) })),
    answers: scored,
  };
}

function valueProblem(c: QaCriterion, v: QaAnswerInput['value']): string | undefined {
  if (v === null) return c.naAllowed ? undefined : 'this criterion must be answered (it does not allow "not applicable")';
  if (c.scale.type === 'yesno') return typeof v === 'boolean' ? undefined : 'a yes/no criterion is answered true or false';
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > c.scale.max) return `a points criterion is answered with a whole number from 0 to ${c.scale.max}`;
  return undefined;
}

function normalise(c: QaCriterion, v: QaAnswerInput['value']): number | null {
  if (v === null) return null;
  if (c.scale.type === 'yesno') return v === true ? 1 : 0;
  return (v as number) / c.scale.max;
}

function failedCritical(c: QaCriterion, v: QaAnswerInput['value']): boolean {
  if (!c.critical || v === null) return false;
  if (c.scale.type === 'yesno') return v === false;
  return (v as number) < (c.scale.failBelow ?? 1);
}
