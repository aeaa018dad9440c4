// What happens inside a bridged call, through the call core's fast path (issue 17), with a
// FakePbx: hold, a warm transfer (consult, then hand over), a colleague who does not answer, a
// conference the first operator leaves, and the survey after the operator hangs up. The call's
// status stays `bridged` through all of it (these are finer states of the live call); what the
// core asks the PBX, the row and call_events show them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCallById } from '../../src/calls/call.repository.js';
import { CAUSE, type FakePbx } from '../support/fake-pbx.js';
import { apiCall, availableOperator, cleanUp, db, operatorState, rungCall, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

let c: CoreApp;
beforeAll(async () => {
  c = await startCoreApp({ env: { SURVEY_TIMEOUT_SEC: '5' } });
});
afterAll(async () => c?.stop());
afterEach(async () => cleanUp(c));

/** A caller bridged with a new operator of the first line. */
async function bridgedCall(): Promise<{ ch: string; id: string; op: { id: string; endpoint: string }; opCh: string; bridgeId: string }> {
  const op = await availableOperator(c);
  const { ch, id, dial } = await rungCall(c, '1');
  c.pbx.operatorAnswers(dial);
  const rec = await until('bridged and recording', () => c.pbx.argsOf('bridgeAndRecord').find((a) => a[2] === `call-${id}`));
  await until('bridged', () => c.t.app.ledger.row(id)?.status === 'bridged');
  return { ch, id, op, opCh: dial.channelId, bridgeId: rec[0] as string };
}

/** The requests made from here on. */
function from(pbx: FakePbx): () => { method: string; args: unknown[] }[] {
  const n = pbx.requests.length;
  return () => pbx.requests.slice(n).filter((r) => r.method !== 'upsertOperatorEndpoint');
}

/** A hold or its end (call-requests.ts applyHold): an event beside the transitions. */
const isHold = (e: { detail: unknown }) => typeof (e.detail as { hold?: unknown } | null)?.hold === 'boolean';

const consultDial = (id: string) => until('colleague rung', () => c.pbx.dials(id).find((d) => d.purpose === 'consult'));

describe('inside a bridged call', () => {
  it('hold takes the caller out of the bridge with music, and back', async () => {
    const { ch, id, bridgeId } = await bridgedCall();
    let since = from(c.pbx);
    const held = await c.t.api<{ onHold: boolean; status: string }>('POST', `/api/calls/${id}/hold`, { hold: true });
    expect(held.body).toMatchObject({ onHold: true, status: 'bridged' });
    expect(since()).toEqual([{ method: 'removeFromBridge', args: [bridgeId, ch] }, { method: 'startMoh', args: [ch] }]);
    since = from(c.pbx);
    expect((await c.t.api<{ onHold: boolean }>('POST', `/api/calls/${id}/hold`, { hold: false })).body.onHold).toBe(false);
    expect(since()).toEqual([{ method: 'stopMoh', args: [ch] }, { method: 'addToBridge', args: [bridgeId, ch] }]);
    c.pbx.gone(ch);
    await settled(c, id);
    // Each hold and its end is an event of its own (a hold's length is told from them afterwards).
    const events = await storedEvents(id);
    expect(events.map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'bridged', 'bridged', 'completed']);
    expect(events.slice(4, 6).map((e) => e.detail)).toEqual([{ hold: true }, { hold: false }]);
    expect(await findCallById(db, id)).toMatchObject({ on_hold: false, status: 'completed' });
  });

  it('while the caller keys a code the operator asked for, no hold, consultation or transfer; the caller is back after', async () => {
    const { ch, id, bridgeId } = await bridgedCall();
    const b = await availableOperator(c);
    let since = from(c.pbx);
    expect((await c.t.api('POST', `/api/calls/${id}/verification`, {})).status).toBe(202);
    await until('caller out of the bridge', () => since().some((r) => r.method === 'removeFromBridge'));
    for (const [path, body] of [['hold', { hold: true }], ['consult', { operatorId: b.id }], ['transfer', { line: 'second' }]] as const) {
      const r = await c.t.api<{ error: { code: string } }>('POST', `/api/calls/${id}/${path}`, body);
      expect([path, r.status, r.body.error.code]).toEqual([path, 409, 'verification_in_progress']);
    }
    since = from(c.pbx);
    c.pbx.press(ch, '#'); // nothing keyed: the step ends and puts the caller back
    await until('caller back in the bridge', () => since().some((r) => r.method === 'addToBridge' && r.args[1] === ch), 20_000);
    expect(since().some((r) => r.method === 'addToBridge' && r.args[0] === bridgeId)).toBe(true);
    expect((await apiCall(c, id)).status).toBe('bridged');
    c.pbx.gone(ch);
    await settled(c, id);
  });

  it('a warm transfer: the colleague is rung with the caller on hold, joins, and takes the call over', async () => {
    const { ch, id, op, opCh, bridgeId } = await bridgedCall();
    const b = await availableOperator(c);
    const since = from(c.pbx);
    expect((await c.t.api('POST', `/api/calls/${id}/consult`, { operatorId: b.id })).status).toBe(202);
    const ring = await consultDial(id);
    expect(ring.endpoint).toBe(b.endpoint);
    expect((await apiCall(c, id)).status).toBe('bridged');
    c.pbx.operatorAnswers(ring); // consultAnswered
    await until('colleague in the bridge', () => c.pbx.argsOf('addToBridge').some((a) => a[1] === ring.channelId));
    const done = await c.t.api<{ operatorId: string; onHold: boolean }>('POST', `/api/calls/${id}/consult/complete`, {});
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ operatorId: b.id, onHold: false });
    expect(since().map((r) => [r.method, ...r.args.filter((a) => typeof a === 'string')])).toEqual([
      ['removeFromBridge', bridgeId, ch], ['startMoh', ch], // the caller on hold while the operators talk
      ['dial'],
      ['addToBridge', bridgeId, ring.channelId],
      ['removeFromBridge', bridgeId, opCh], ['hangup', opCh], // the first operator leaves
      ['stopMoh', ch], ['addToBridge', bridgeId, ch], // the caller back, with the colleague
    ]);
    await until('the first operator let go', async () => (await operatorState(c, op.id)) === 'available');
    c.pbx.gone(ch);
    await settled(c, id);
    const all = await storedEvents(id);
    expect(all.filter(isHold).map((e) => e.detail)).toEqual([{ hold: true }, { hold: false }]);
    const events = all.filter((e) => !isHold(e));
    expect(events.map((e) => [e.from_status, e.to_status])).toEqual([
      [null, 'ivr'], ['ivr', 'queued'], ['queued', 'ringing'], ['ringing', 'bridged'], ['bridged', 'bridged'], ['bridged', 'completed'],
    ]);
    expect(events[4]?.detail).toMatchObject({ handedOver: { fromOperatorId: op.id, toOperatorId: b.id, mode: 'consult' } });
    expect(await findCallById(db, id)).toMatchObject({ operator_id: b.id, operator_channel_id: ring.channelId, status: 'completed' });
    expect(c.pbx.argsOf('hangup')).toContainEqual([ring.channelId]);
  });

  it('a colleague who does not answer: the caller is back with the first operator', async () => {
    const { ch, id, op, bridgeId } = await bridgedCall();
    const b = await availableOperator(c);
    expect((await c.t.api('POST', `/api/calls/${id}/consult`, { operatorId: b.id })).status).toBe(202);
    const ring = await consultDial(id);
    const since = from(c.pbx);
    c.pbx.gone(ring.channelId, CAUSE.noAnswer);
    await until('caller back in the bridge', () => since().some((r) => r.method === 'addToBridge'));
    expect(since()).toEqual([{ method: 'hangup', args: [ring.channelId] }, { method: 'stopMoh', args: [ch] }, { method: 'addToBridge', args: [bridgeId, ch] }]);
    expect(await apiCall(c, id)).toMatchObject({ status: 'bridged', operatorId: op.id });
    c.pbx.gone(ch);
    await settled(c, id);
    expect((await storedEvents(id)).filter((e) => !isHold(e)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
  });

  it('a conference the first operator leaves: the colleague keeps the caller', async () => {
    const { ch, id, opCh } = await bridgedCall();
    const b = await availableOperator(c);
    const since = from(c.pbx);
    expect((await c.t.api('POST', `/api/calls/${id}/conference`, { operatorId: b.id })).status).toBe(202);
    const ring = await consultDial(id);
    expect(since().map((r) => r.method)).toEqual(['dial']); // nobody is put on hold for a conference
    c.pbx.operatorAnswers(ring);
    await until('colleague in the bridge', () => c.pbx.argsOf('addToBridge').some((a) => a[1] === ring.channelId));
    c.pbx.gone(opCh); // the first operator hangs up
    await until('handed over', async () => (await apiCall(c, id)).operatorId === b.id);
    expect((await apiCall(c, id)).status).toBe('bridged');
    c.pbx.gone(ch);
    await settled(c, id);
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'bridged', 'completed']);
    expect(await findCallById(db, id)).toMatchObject({ operator_id: b.id, hangup_by: 'caller' });
  });

  it('the survey: the operator hangs up, the caller rates the call, and the call ends as the operator’s', async () => {
    const { ch, id, op, opCh, bridgeId } = await bridgedCall();
    const since = from(c.pbx);
    c.pbx.gone(opCh);
    await until('survey asked', () => c.pbx.prompted(ch, 'survey'));
    expect(await operatorState(c, op.id)).toBe('available'); // let go at once, before the caller answers
    c.pbx.press(ch, '4');
    await settled(c, id);
    // The bridge ends (and its recording) when the survey starts; ending the call after it asks
    // nothing more of the operator's leg (gone) or the bridge (ended): only the caller is hung up.
    expect(since().map((r) => [r.method, ...r.args.filter((a) => typeof a === 'string')])).toEqual([
      ['destroyBridge', bridgeId, `call-${id}`], ['play', ch, expect.any(String)], ['play', ch, expect.any(String)], ['hangup', ch],
    ]);
    expect(c.pbx.argsOf('hangup').filter((a) => a[0] === opCh)).toEqual([]);
    expect(c.pbx.prompted(ch, 'survey-thanks')).toBe(true);
    const row = await findCallById(db, id);
    expect(row).toMatchObject({ status: 'completed', survey_score: 4, hangup_by: 'operator' });
    expect(row?.ivr_path.at(-1)).toBe('survey:4');
    expect((await storedEvents(id)).map((e) => e.to_status)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
  });

  it('the caller hangs up during the survey: completed, ended by the operator, no score', async () => {
    const { ch, id, opCh } = await bridgedCall();
    c.pbx.gone(opCh);
    await until('survey asked', () => c.pbx.prompted(ch, 'survey'));
    c.pbx.gone(ch);
    await settled(c, id);
    expect(await findCallById(db, id)).toMatchObject({ status: 'completed', survey_score: null, hangup_by: 'operator' });
  });
});
