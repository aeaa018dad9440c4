// QA forms are validated like the IVR flow (every error with its path), and the score is a pure
// function of the form and the answers: weights, scales normalised, critical criteria zeroing.
import { describe, expect, it } from 'vitest';
import { InvalidQaEvaluationError, InvalidQaFormError } from '../../src/errors.js';
import { parseQaForm } from '../../src/qa/qa-form.js';
import { scoreEvaluation } from '../../src/qa/qa-score.js';

const FORM = {
  name: 'Inbound support',
  sections: [
    {
      id: 'greeting', title: 'Greeting', weight: 1,
      criteria: [
        { id: 'hello', title: 'Greets by the script', scale: { type: 'yesno' } },
        { id: 'name', title: 'Says their name', scale: { type: 'yesno' }, weight: 2 },
      ],
    },
    {
      id: 'solution', title: 'Solution', weight: 3,
      criteria: [
        { id: 'accuracy', title: 'Correct answer', scale: { type: 'points', max: 4 }, weight: 3 },
        { id: 'verify', title: 'Verified the caller before account details', scale: { type: 'yesno' }, critical: true },
        { id: 'followup', title: 'Booked a follow-up', scale: { type: 'yesno' }, naAllowed: true },
      ],
    },
  ],
};

const errorsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidQaFormError || err instanceof InvalidQaEvaluationError) return (err.details as { errors: { path: string; message: string }[] }).errors;
    throw err;
  }
  throw new Error('no error');
};

describe('QA form validation', () => {
  it('accepts a good form and defaults weights to 1', () => {
    const f = parseQaForm(FORM);
    expect(f.sections[0]?.criteria[0]?.weight).toBe(1);
    expect(f.sections[1]?.weight).toBe(3);
  });

  it('names the path of every shape error', () => {
    const bad = structuredClone(FORM) as Record<string, unknown> & typeof FORM;
    (bad.sections[1]!.criteria[0]!.scale as { max: number }).max = 0;
    (bad.sections[0]!.criteria[1] as { weight: number }).weight = -1;
    (bad as Record<string, unknown>).colour = 'red';
    const paths = errorsOf(() => parseQaForm(bad)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/sections/1/criteria/0/scale/max', '/sections/0/criteria/1/weight']));
    expect(paths.some((p) => p === '' || p === '/colour')).toBe(true);
  });

  it('refuses duplicate ids, a critical points criterion without failBelow, a critical N/A', () => {
    const bad = structuredClone(FORM);
    bad.sections[1]!.criteria[0]!.id = 'hello';
    bad.sections[1]!.id = 'greeting';
    bad.sections[1]!.criteria.push({ id: 'tone', title: 'Tone', scale: { type: 'points', max: 3 }, critical: true } as never);
    (bad.sections[1]!.criteria[1] as { naAllowed?: boolean }).naAllowed = true;
    const errs = errorsOf(() => parseQaForm(bad));
    expect(errs).toEqual(
      expect.arrayContaining([
        { path: '/sections/1/id', message: 'section "greeting" is also /sections/0' },
        { path: '/sections/1/criteria/0/id', message: 'criterion "hello" is also /sections/0/criteria/0' },
        { path: '/sections/1/criteria/3/scale/failBelow', message: expect.stringContaining('needs failBelow') },
        { path: '/sections/1/criteria/1/naAllowed', message: expect.stringContaining('critical') },
      ]),
    );
  });

  it('refuses an empty form and a form that is not an object', () => {
    expect(errorsOf(() => parseQaForm({ name: 'x', sections: [] })).map((e) => e.path)).toContain('/sections');
    expect(() => parseQaForm('nope')).toThrow(InvalidQaFormError);
  });
});

describe('score arithmetic', () => {
  const form = parseQaForm(FORM);
  const all = (over: Record<string, boolean | number | null> = {}) =>
    Object.entries({ hello: true, name: true, accuracy: 4, verify: true, followup: true, ...over }).map(([criterionId, value]) => ({ criterionId, value }));

  it('all best answers score 100', () => {
    expect(scoreEvaluation(form, all())).toMatchObject({ score: 100, rawScore: 100, criticalFailed: false });
  });

  it('weights criteria within a section and sections within the form; points are normalised', () => {
    // greeting: (1*1 + 2*0)/3 = 1/3; solution: (3*(2/4) + 1*1 + 1*1)/5 = 0.7; form: (1*1/3 + 3*0.7)/4 = 0.60833…
    const s = scoreEvaluation(form, all({ name: false, accuracy: 2 }));
    expect(s.sections).toEqual([{ sectionId: 'greeting', score: 33.33 }, { sectionId: 'solution', score: 70 }]);
    expect(s.score).toBe(60.83);
    expect(s.answers.find((a) => a.criterionId === 'accuracy')?.normalised).toBe(0.5);
  });

  it('"not applicable" counts neither for nor against', () => {
    // solution without followup: (3*1 + 1*1)/4 = 1; greeting 1 → 100
    expect(scoreEvaluation(form, all({ followup: null })).score).toBe(100);
    // followup N/A with accuracy 0: solution (0 + 1)/4 = 0.25 → (1 + 0.75)/4 = 43.75
    expect(scoreEvaluation(form, all({ followup: null, accuracy: 0 })).score).toBe(43.75);
  });

  it('a failed critical criterion zeroes the score and keeps the raw score', () => {
    const s = scoreEvaluation(form, all({ verify: false }));
    expect(s).toMatchObject({ score: 0, criticalFailed: true, rawScore: 85 });
    expect(s.answers.find((a) => a.criterionId === 'verify')).toMatchObject({ critical: true, failed: true });
  });

  it('a critical points criterion fails below its failBelow only', () => {
    const f = parseQaForm({ name: 'p', sections: [{ id: 's', title: 'S', criteria: [{ id: 'c', title: 'C', scale: { type: 'points', max: 5, failBelow: 3 }, critical: true }, { id: 'd', title: 'D', scale: { type: 'yesno' } }] }] });
    expect(scoreEvaluation(f, [{ criterionId: 'c', value: 3 }, { criterionId: 'd', value: true }])).toMatchObject({ score: 80, criticalFailed: false });
    expect(scoreEvaluation(f, [{ criterionId: 'c', value: 2 }, { criterionId: 'd', value: true }])).toMatchObject({ score: 0, rawScore: 70, criticalFailed: true });
  });

  it('refuses answers that do not fit, naming each', () => {
    const answers = [...all({ accuracy: 5, hello: 1 as never, verify: null }), { criterionId: 'nope', value: true }].filter((a) => a.criterionId !== 'name');
    const errs = errorsOf(() => scoreEvaluation(form, answers));
    expect(errs).toEqual(
      expect.arrayContaining([
        { path: '/answers/0/value', message: 'a yes/no criterion is answered true or false' },
        { path: '/answers/1/value', message: 'a points criterion is answered with a whole number from 0 to 4' },
        { path: '/answers/2/value', message: expect.stringContaining('must be answered') },
        { path: '/answers/4/criterionId', message: 'the form has no criterion "nope"' },
        { path: '/answers', message: 'criterion "name" is not answered' },
      ]),
    );
  });

  it('refuses a criterion answered twice and everything not applicable', () => {
    expect(errorsOf(() => scoreEvaluation(form, [...all(), { criterionId: 'hello', value: false }]))[0]?.message).toContain('answered twice');
    const naOnly = parseQaForm({ name: 'n', sections: [{ id: 's', title: 'S', criteria: [{ id: 'c', title: 'C', scale: { type: 'yesno' }, naAllowed: true }] }] });
    expect(errorsOf(() => scoreEvaluation(naOnly, [{ criterionId: 'c', value: null }]))[0]?.message).toContain('nothing to score');
  });
});
