// QA scorecards against the real Postgres: a submitted evaluation is refused UPDATE and DELETE
// by the database itself; a correction supersedes (both stay); an operator sees only their own
// evaluations and disputes one; the dispute goes to a supervisor other than the evaluator, and
// of two resolutions at once one wins and the other gets 409; the reports' numbers.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCall } from '../../src/calls/call.repository.js';
import { DEFAULT_PBX_NODE } from '../../src/calls/call.table.js';
import { insertRecording } from '../../src/recordings/recording.repository.js';
import { insertTicket } from '../../src/tickets/ticket.repository.js';
import { randomPhone, startTestApp, uniq, type TestApp } from '../support/app.js';
import { db } from '../support/recordings.js';
import type { Line } from '../../src/vocabulary.js';

interface Evaluation {
  id: string;
  score: number;
  rawScore: number;
  criticalFailed: boolean;
  formVersion: number;
  supersedesId: string | null;
  supersededBy: string | null;
  answer: string | null;
  resolution: string | null;
  remarks: { atMs: number; text: string }[];
  events: { kind: string; actor: string; correctionId: string | null }[];
}
type Err = { error: { code: string } };

const FORM = {
  name: 'QA test form',
  sections: [
    { id: 'greeting', title: 'Greeting', criteria: [{ id: 'script', title: 'Greets by the script', scale: { type: 'yesno' } }] },
    {
      id: 'solution', title: 'Solution', weight: 3,
      criteria: [
        { id: 'accuracy', title: 'Correct answer', scale: { type: 'points', max: 4 }, weight: 2 },
        { id: 'verified', title: 'Verified the caller', scale: { type: 'yesno' }, critical: true },
      ],
    },
  ],
};
const answers = (script: boolean, accuracy: number, verified = true) => [
  { criterionId: 'script', value: script },
  { criterionId: 'accuracy', value: accuracy, comment: 'missed the tariff' },
  { criterionId: 'verified', value: verified },
];

let t: TestApp;
const tok: Record<'sup1' | 'sup2' | 'op' | 'other', string> = { sup1: '', sup2: '', op: '', other: '' };
let op: string;
let sup1: string;
let formId: string;
// The calls of this file happened on one day of 2003: the reports see only them.
const DAY = new Date(Date.UTC(2003, 0, 1 + Math.floor(Math.random() * 360), 10));

async function operator(line: Line, supervisor = false) {
  return (await t.api<{ id: string }>('POST', '/api/operators', { login: uniq('qa-'), name: uniq('QA '), line, sipPassword: `${uniq('pw-')}${uniq()}`, supervisor })).body.id;
}
const token = async (role: string, operatorId: string) => (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('qa-'), role, operatorId })).body.token;

/** A finished, answered call of `operatorId` with a 60 s recording, `minutes` after DAY. */
async function answeredCall(operatorId: string, line: Line = 'first', minutes = 0) {
  const ticket = await insertTicket(db, { subject: 'qa', line });
  const at = new Date(DAY.getTime() + minutes * 60_000);
  const call = await insertCall(db, {
    ticket_id: ticket.id, caller_number: randomPhone(), dialled_number: '88005553535', status: 'completed', line, caller_channel_id: `qa-${randomUUID()}`,
    operator_id: operatorId, entered_at: at, answered_at: at, ended_at: new Date(at.getTime() + 60_000), pbx_node: DEFAULT_PBX_NODE,
  });
  // An inert row ('failed': no worker picks it up): only its call and length matter here.
  const rec = await insertRecording(db, { call_id: call.id, name: `qa-${call.id}`, status: 'failed', spool_path: null, duration_ms: 60_000, pbx_node: DEFAULT_PBX_NODE });
  return { callId: call.id, recordingId: rec.id };
}

async function score(who: string, call: { callId: string; recordingId: string }, a = answers(true, 4), extra: Record<string, unknown> = {}) {
  return t.api<Evaluation & Err>('POST', '/api/qa/evaluations', { ...call, formId, answers: a, ...extra }, who);
}

beforeAll(async () => {
  t = await startTestApp();
  op = await operator('first');
  sup1 = await operator('first', true);
  const [sup2, other] = [await operator('second', true), await operator('first')];
  tok.sup1 = await token('supervisor', sup1);
  tok.sup2 = await token('supervisor', sup2);
  tok.op = await token('operator', op);
  tok.other = await token('operator', other);
  const f = await t.api<{ id: string; version: number }>('POST', '/api/qa/forms', FORM);
  expect(f.status).toBe(201);
  formId = f.body.id;
});
afterAll(async () => t?.stop());

describe('QA scorecards', () => {
  it('refuses an invalid form with the paths, and an edit is a new version the old evaluations keep', async () => {
    const bad = await t.api<{ error: { code: string; details: { errors: { path: string }[] } } }>('POST', '/api/qa/forms', { name: 'x', sections: [{ id: 'a', title: 'A', criteria: [{ id: 'c', title: 'C', scale: { type: 'points', max: 3 }, critical: true }] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.errors.map((e) => e.path)).toEqual(['/sections/0/criteria/0/scale/failBelow']);
    const form = (await t.api<{ id: string }>('POST', '/api/qa/forms', FORM)).body.id;
    const call = await answeredCall(op);
    const e = await t.api<Evaluation>('POST', '/api/qa/evaluations', { ...call, formId: form, answers: answers(true, 4) }, tok.sup1);
    expect(e.body.formVersion).toBe(1);
    const edited = await t.api<{ version: number; currentVersion: number }>('PUT', `/api/qa/forms/${form}`, { ...FORM, name: 'QA test form v2' });
    expect(edited.body).toMatchObject({ version: 2, currentVersion: 2 });
    expect((await t.api<{ name: string }>('GET', `/api/qa/forms/${form}?version=1`, undefined, tok.sup1)).body.name).toBe('QA test form');
    expect((await t.api<Evaluation>('GET', `/api/qa/evaluations/${e.body.id}`)).body.formVersion).toBe(1);
    expect((await t.api<Err>('PUT', `/api/qa/forms/${form}`, FORM, tok.sup1)).status).toBe(403);
    await expect(sql`UPDATE qa_form_versions SET created_by = 'x' WHERE form_id = ${form}`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('scores with a pinned remark; the database refuses UPDATE and DELETE of a submitted evaluation', async () => {
    const call = await answeredCall(op);
    const e = await score(tok.sup1, call, answers(false, 2), { comment: 'ok', remarks: [{ atMs: 12_500, text: 'no greeting' }, { atMs: 1_000, text: 'late pickup' }] });
    expect(e.status).toBe(201);
    // greeting 0, solution (2*0.5 + 1)/3 = 2/3 → (0 + 3*2/3)/4 = 50
    expect(e.body).toMatchObject({ score: 50, rawScore: 50, criticalFailed: false, remarks: [{ atMs: 1_000, text: 'late pickup' }, { atMs: 12_500, text: 'no greeting' }] });
    const critical = await score(tok.sup1, await answeredCall(op), answers(true, 4, false));
    expect(critical.body).toMatchObject({ score: 0, rawScore: 75, criticalFailed: true });

    await expect(sql`UPDATE qa_evaluations SET score = 100 WHERE id = ${e.body.id}`.execute(db)).rejects.toThrow(/qa_evaluations is append-only/);
    await expect(sql`DELETE FROM qa_evaluations WHERE id = ${e.body.id}`.execute(db)).rejects.toThrow(/qa_evaluations is append-only/);
    expect((await t.api<Evaluation>('GET', `/api/qa/evaluations/${e.body.id}`)).body.score).toBe(50);

    // A remark past the recording's end, remarks without a recording, the supervisor's own call, an unknown criterion.
    expect((await score(tok.sup1, call, answers(true, 4), { remarks: [{ atMs: 61_000, text: 'x' }] })).body.error.code).toBe('invalid_qa_evaluation');
    expect((await score(tok.sup1, { ...call, recordingId: undefined } as never, answers(true, 4), { remarks: [{ atMs: 1, text: 'x' }] })).status).toBe(422);
    expect((await score(tok.op, call)).status).toBe(403);
    expect((await score(tok.sup1, await answeredCall(sup1))).body.error.code).toBe('qa_call_not_scorable');
    expect((await score(tok.sup1, call, [...answers(true, 4), { criterionId: 'nope', value: true }])).body.error.code).toBe('invalid_qa_evaluation');
  });

  it('a correction supersedes; both stay visible; the old one can be corrected only once', async () => {
    const call = await answeredCall(op);
    const first = (await score(tok.sup1, call, answers(true, 0))).body; // 50
    const [a, b] = await Promise.all([
      t.api<Evaluation & Err>('POST', `/api/qa/evaluations/${first.id}/correct`, { answers: answers(true, 4) }, tok.sup1),
      t.api<Evaluation & Err>('POST', `/api/qa/evaluations/${first.id}/correct`, { answers: answers(true, 3) }, tok.sup2),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const won = a.status === 201 ? a.body : b.body;
    expect((a.status === 409 ? a.body : b.body).error.code).toBe('qa_evaluation_superseded');
    expect(won.supersedesId).toBe(first.id);
    const old = (await t.api<Evaluation>('GET', `/api/qa/evaluations/${first.id}`)).body;
    expect(old).toMatchObject({ supersededBy: won.id, score: 50 });
    const list = (await t.api<{ evaluations: Evaluation[] }>('GET', `/api/qa/evaluations?call=${call.callId}`, undefined, tok.sup2)).body.evaluations;
    expect(list.map((x) => x.id).sort()).toEqual([first.id, won.id].sort());
    // The operator answers the correction, not what it replaced.
    expect((await t.api<Err>('POST', `/api/qa/evaluations/${first.id}/acknowledge`, {}, tok.op)).body.error.code).toBe('qa_evaluation_superseded');
    expect((await t.api<Evaluation>('POST', `/api/qa/evaluations/${won.id}/acknowledge`, { comment: 'fair' }, tok.op)).body.answer).toBe('acknowledged');
  });

  it('an operator sees and answers only their own evaluations', async () => {
    const e = (await score(tok.sup1, await answeredCall(op))).body;
    const mine = (await t.api<{ evaluations: Evaluation[] }>('GET', '/api/qa/my-evaluations', undefined, tok.op)).body.evaluations;
    expect(mine.map((x) => x.id)).toContain(e.id);
    const theirs = (await t.api<{ evaluations: Evaluation[] }>('GET', '/api/qa/my-evaluations', undefined, tok.other)).body.evaluations;
    expect(theirs.map((x) => x.id)).not.toContain(e.id);
    expect((await t.api('GET', `/api/qa/evaluations/${e.id}`, undefined, tok.other)).status).toBe(404);
    expect((await t.api('POST', `/api/qa/evaluations/${e.id}/dispute`, { comment: 'not mine' }, tok.other)).status).toBe(404);
    expect((await t.api('GET', `/api/qa/evaluations/${e.id}`, undefined, tok.op)).status).toBe(200);
    expect((await t.api('GET', '/api/qa/evaluations', undefined, tok.op)).status).toBe(403);
  });

  it('a dispute goes to another supervisor; of two resolutions at once one wins, the other gets 409', async () => {
    const e = (await score(tok.sup1, await answeredCall(op), answers(false, 1))).body;
    expect((await t.api<Evaluation>('POST', `/api/qa/evaluations/${e.id}/dispute`, { comment: 'I did greet: at 0:03' }, tok.op)).body.answer).toBe('disputed');
    expect((await t.api<Err>('POST', `/api/qa/evaluations/${e.id}/acknowledge`, {}, tok.op)).body.error.code).toBe('qa_already_answered');
    const open = (await t.api<{ evaluations: Evaluation[] }>('GET', '/api/qa/evaluations?disputes=open', undefined, tok.sup2)).body.evaluations;
    expect(open.map((x) => x.id)).toContain(e.id);

    // Not the evaluator: neither upholding nor correcting.
    expect((await t.api<Err>('POST', `/api/qa/evaluations/${e.id}/uphold`, { comment: 'stands' }, tok.sup1)).body.error.code).toBe('qa_own_evaluation');
    expect((await t.api<Err>('POST', `/api/qa/evaluations/${e.id}/correct`, { answers: answers(true, 1), resolutionComment: 'fixed' }, tok.sup1)).body.error.code).toBe('qa_own_evaluation');
    // Nor behind the service's back: the database refuses the evaluator's resolution too.
    await expect(sql`INSERT INTO qa_evaluation_events (evaluation_id, kind, actor, comment) SELECT id, 'upheld', evaluator, 'x' FROM qa_evaluations WHERE id = ${e.id}`.execute(db)).rejects.toThrow(/may not resolve/);

    const [up, fix] = await Promise.all([
      t.api<Evaluation & Err>('POST', `/api/qa/evaluations/${e.id}/uphold`, { comment: 'the greeting was late' }, tok.sup2),
      t.api<Evaluation & Err>('POST', `/api/qa/evaluations/${e.id}/correct`, { answers: answers(true, 1), resolutionComment: 'greeted after all' }),
    ]);
    const statuses = [up.status, fix.status];
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200 || s === 201)).toHaveLength(1);
    const loser = up.status === 409 ? up.body : fix.body;
    expect(loser.error.code).toBe('qa_dispute_not_open');
    const after = (await t.api<Evaluation>('GET', `/api/qa/evaluations/${e.id}`)).body;
    expect(after.resolution).toBe(up.status === 200 ? 'upheld' : 'corrected');
    expect(after.events.map((x) => x.kind)).toEqual(['disputed', after.resolution]);
    expect((await t.api<{ evaluations: Evaluation[] }>('GET', '/api/qa/evaluations?disputes=open', undefined, tok.sup2)).body.evaluations.map((x) => x.id)).not.toContain(e.id);
    await expect(sql`DELETE FROM qa_evaluation_events WHERE evaluation_id = ${e.id}`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('reports the mean score per operator, line and criterion over the range, current evaluations only, as JSON and CSV', async () => {
    const form = (await t.api<{ id: string }>('POST', '/api/qa/forms', FORM)).body.id;
    const second = await operator('second');
    const s = (call: { callId: string; recordingId: string }, a: ReturnType<typeof answers>) => t.api<Evaluation>('POST', '/api/qa/evaluations', { ...call, formId: form, answers: a }, tok.sup1);
    await s(await answeredCall(op, 'first', 1), answers(true, 4)); // 100
    const replaced = (await s(await answeredCall(op, 'first', 2), answers(true, 0))).body; // 50, corrected to 75 below
    await t.api('POST', `/api/qa/evaluations/${replaced.id}/correct`, { answers: answers(false, 4) }, tok.sup2); // 75
    await s(await answeredCall(second, 'second', 3), answers(true, 4, false)); // 0 (critical)
    await s(await answeredCall(op, 'first', 60 * 30), answers(false, 0)); // outside the range
    const range = `from=${new Date(DAY.getTime() - 60_000).toISOString()}&to=${new Date(DAY.getTime() + 3_600_000).toISOString()}&form=${form}`;

    const ops = (await t.api<{ rows: { operatorId: string; evaluations: number; meanScore: number; criticalFailed: number }[] }>('GET', `/api/qa/reports/operators?${range}`, undefined, tok.sup2)).body.rows;
    expect(ops.find((r) => r.operatorId === op)).toMatchObject({ evaluations: 2, meanScore: 87.5, criticalFailed: 0 });
    expect(ops.find((r) => r.operatorId === second)).toMatchObject({ evaluations: 1, meanScore: 0, criticalFailed: 1 });
    const lines = (await t.api<{ rows: { line: string; meanScore: number }[] }>('GET', `/api/qa/reports/lines?${range}`)).body.rows;
    expect(lines).toEqual([{ line: 'first', evaluations: 2, meanScore: 87.5, criticalFailed: 0 }, { line: 'second', evaluations: 1, meanScore: 0, criticalFailed: 1 }]);
    const crit = (await t.api<{ rows: { criterionId: string; answered: number; meanScore: number; criticalFailed: number }[] }>('GET', `/api/qa/reports/criteria?${range}`)).body.rows;
    expect(crit.map((r) => [r.criterionId, r.answered, r.meanScore, r.criticalFailed])).toEqual([
      ['accuracy', 3, 100, 0],
      ['script', 3, 66.67, 0],
      ['verified', 3, 66.67, 1],
    ]);
    const csv = await fetch(`${t.base}/api/qa/reports/operators?${range}&format=csv`, { headers: { authorization: `Bearer ${tok.sup1}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\n')[0]).toBe('operatorId,name,line,evaluations,meanScore,minScore,maxScore,criticalFailed');
    expect(text).toContain(`${op},`);
  });
});
