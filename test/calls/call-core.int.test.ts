// The call core's own fast tests (issue 17): the real service (call core, ledger, Postgres,
// Redis) with a FakePbx in place of Asterisk. PbxEvents go in; what the core asked the PBX to do,
// the call's live row, GET /api/calls/:id and call_events in Postgres come out. Prompts end at
// once and no operator's phone rings for real, so each test takes milliseconds; the SIPp suite
// keeps the end-to-end paths. Callbacks: call-core-callbacks; ledger order and Postgres refusing:
// call-core-ledger; replay after a crash: call-core-replay.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCallTransitionError } from '../../src/errors.js';
import { CAUSE } from '../support/fake-pbx.js';
import { randomPhone } from '../support/app.js';
import { apiCall, availableOperator, cleanUp, keyedCall, newCall, operatorState, reaches, rungCall, settled, startCoreApp, storedEvents, until, type CoreApp } from '../support/call-core.js';

let c: CoreApp;
beforeAll(async () => {
  c = await startCoreApp();
});
afterAll(async () => c?.stop());
afterEach(async () => cleanUp(c));

/** Postgres has exactly these transitions of the call, in this order, each with a larger seq than the one before. */
async function expectStored(callId: string, path: string[]): Promise<void> {
  const events = await storedEvents(callId);
  expect(events.map((e) => e.to_status)).toEqual(path);
  expect(events.map((e) => e.from_status)).toEqual([null, ...path.slice(0, -1)]);
  const seqs = events.map((e) => e.seq ?? 0);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
}

async function queuedOn(line: '1' | '2'): Promise<{ ch: string; id: string }> {
  const { ch, id } = await keyedCall(c, line);
  await until(`${id} in the waiting list`, () => c.t.app.calls.queueOf(line === '1' ? 'first' : 'second').some((e) => e.id === id));
  return { ch, id };
}

describe('the call core through a fake PbxPort', () => {
  it('ivr → queued → ringing → bridged → completed: answered, bridged and recorded, the caller hangs up', async () => {
    const op = await availableOperator(c);
    const ch = c.pbx.inbound(randomPhone());
    c.pbx.press(ch, '1'); // the menu's key before its prompt: no prompt is played at all
    const id = await newCall(c, ch);
    const dial = await until('the operator dialled', () => c.pbx.lastDial(id));
    expect(dial).toMatchObject({ endpoint: op.endpoint, callId: id, timeoutSec: 5 });
    expect((await apiCall(c, id)).status).toBe('ringing');
    c.pbx.operatorAnswers(dial);
    await reaches(c, id, 'bridged');
    expect(c.pbx.argsOf('bridgeAndRecord').find((a) => a[2] === `call-${id}`)?.[1]).toEqual([ch, dial.channelId]);
    await until('operator on the call', async () => (await operatorState(c, op.id)) === 'on_call');
    c.pbx.gone(ch);
    await settled(c, id);
    const call = await apiCall(c, id);
    expect(call).toMatchObject({ status: 'completed', line: 'first', operatorId: op.id, hangupBy: 'caller' });
    expect(call.transitions.map((t) => t.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord', 'hangup', 'destroyBridge']);
    expect(c.pbx.argsOf('hangup')).toEqual(expect.arrayContaining([[dial.channelId]])); // the operator's leg is let go
    await until('operator available again', async () => (await operatorState(c, op.id)) === 'available');
  });

  it('ringing → queued: an operator who does not answer is paused and the caller is back at the head of the line', async () => {
    const a = await availableOperator(c);
    const first = c.pbx.inbound(randomPhone());
    c.pbx.press(first, '1');
    const id1 = await newCall(c, first);
    const ringA = await until('A rung', () => c.pbx.lastDial(id1));
    expect(ringA.endpoint).toBe(a.endpoint);
    const { id: id2 } = await queuedOn('1'); // a later caller waits behind
    c.pbx.gone(ringA.channelId, CAUSE.noAnswer); // A's phone rang out
    await reaches(c, id1, 'queued');
    expect(await operatorState(c, a.id)).toBe('paused');
    expect(c.t.app.calls.queueOf('first').map((e) => e.id)).toEqual([id1, id2]);
    const b = await availableOperator(c);
    const ringB = await until('B rung', () => c.pbx.lastDial(id1) !== ringA && c.pbx.lastDial(id1));
    expect(ringB.endpoint).toBe(b.endpoint); // the first caller, not the one who came later
    expect(c.pbx.dials(id2)).toEqual([]);
    c.pbx.operatorAnswers(ringB);
    await reaches(c, id1, 'bridged');
    c.pbx.gone(ringB.channelId); // the operator hangs up: the caller is let go too
    await settled(c, id1);
    expect(await apiCall(c, id1)).toMatchObject({ status: 'completed', hangupBy: 'operator' });
    expect(c.pbx.argsOf('hangup')).toContainEqual([first]);
    await expectStored(id1, ['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
    // The second caller is put through to B once B is free again.
    const ring2 = await until('B rung for the second caller', () => c.pbx.lastDial(id2));
    expect(ring2.endpoint).toBe(b.endpoint);
    c.pbx.gone(c.t.app.calls.liveRow(id2)!.row.caller_channel_id);
    await settled(c, id2);
    await expectStored(id2, ['ivr', 'queued', 'ringing', 'abandoned']);
  });

  it('ivr → completed: the flow ends the call after its goodbye', async () => {
    const { ch, id } = await keyedCall(c, '7');
    await settled(c, id);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'play', 'hangup']);
    expect(c.pbx.argsOf('play').find((a) => a[0] === ch)?.[2]).toEqual([expect.stringMatching(/\/ru\/goodbye$/)]);
    expect(await apiCall(c, id)).toMatchObject({ status: 'completed', hangupBy: 'system' }); // the IVR ended it, not the caller
    await expectStored(id, ['ivr', 'completed']);
  });

  it('ivr → completed: a voicemail, recorded on the caller’s channel until the recording ends', async () => {
    const { ch, id } = await keyedCall(c, '8');
    const rec = await until('voicemail recording', () => c.pbx.argsOf('recordChannel').find((a) => a[0] === ch));
    expect(rec).toEqual([ch, `voicemail-${id}`, 30]);
    expect(liveStatusOf(id)).toBe('ivr');
    c.pbx.recordingFinished(`voicemail-${id}`);
    await settled(c, id);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'play', 'recordChannel', 'hangup']);
    const call = await c.t.api<{ status: string; recordingId: string | null; hangupBy: string | null }>('GET', `/api/calls/${id}`);
    expect(call.body).toMatchObject({ status: 'completed', hangupBy: 'system' });
    expect(call.body.recordingId).not.toBeNull();
    await expectStored(id, ['ivr', 'completed']);
  });

  it('ivr → abandoned: the caller hangs up while the menu waits for a key', async () => {
    const ch = c.pbx.inbound(randomPhone());
    const id = await newCall(c, ch);
    await until('menu prompt played', () => c.pbx.argsOf('play').filter((a) => a[0] === ch).length === 2);
    c.pbx.gone(ch);
    await settled(c, id);
    expect(await apiCall(c, id)).toMatchObject({ status: 'abandoned', hangupBy: 'caller' });
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'play', 'play']);
    await expectStored(id, ['ivr', 'abandoned']);
  });

  it('queued → abandoned: nobody free on the line, the caller gives up', async () => {
    const { ch, id } = await queuedOn('2');
    expect(await apiCall(c, id)).toMatchObject({ status: 'queued', line: 'second' });
    c.pbx.gone(ch);
    await settled(c, id);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh']);
    await expectStored(id, ['ivr', 'queued', 'abandoned']);
  });

  it('ringing → abandoned: the caller hangs up while the operator’s phone rings; the operator is let go', async () => {
    const op = await availableOperator(c);
    const { ch, id, dial } = await rungCall(c, '1');
    c.pbx.gone(ch);
    await settled(c, id);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'hangup']);
    expect(c.pbx.argsOf('hangup').filter((a) => a[0] === ch)).toEqual([]); // the caller's channel is gone already
    await expectStored(id, ['ivr', 'queued', 'ringing', 'abandoned']);
    expect(await operatorState(c, op.id)).toBe('available');
    // A late answer of that ring is refused: the operator's leg is hung up, nothing changes.
    c.pbx.operatorAnswers(dial);
    await until('the late answer hung up', () => c.pbx.argsOf('hangup').filter((a) => a[0] === dial.channelId).length === 2);
    expect((await apiCall(c, id)).status).toBe('abandoned');
  });

  it('bridged → queued: a transfer to the other line keeps the bridge and its recording, then the next operator joins it', async () => {
    const a = await availableOperator(c, 'first');
    const { ch, id } = await keyedCall(c, '1');
    const ringA = await until('A rung', () => c.pbx.lastDial(id));
    c.pbx.operatorAnswers(ringA);
    await reaches(c, id, 'bridged');
    const bridgeId = c.pbx.argsOf('bridgeAndRecord').find((x) => x[2] === `call-${id}`)![0] as string;
    const b = await availableOperator(c, 'second');
    const r = await c.t.api<{ status: string; line: string }>('POST', `/api/calls/${id}/transfer`, { line: 'second' });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'queued', line: 'second' });
    await until('A let go after the transfer', async () => (await operatorState(c, a.id)) === 'available');
    const ringB = await until('B rung', () => c.pbx.lastDial(id) !== ringA && c.pbx.lastDial(id));
    expect(ringB.endpoint).toBe(b.endpoint);
    c.pbx.operatorAnswers(ringB);
    await reaches(c, id, 'bridged');
    c.pbx.gone(ch);
    await settled(c, id);
    expect(c.pbx.trace(ch, id, ringA.channelId, ringB.channelId)).toEqual([
      'answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord',
      'startBridgeMoh', 'removeFromBridge', 'hangup', // A leaves, the caller hears music in the bridge
      'dial', 'stopBridgeMoh', 'addToBridge', // B joins the same bridge, still recording
      'hangup', 'destroyBridge',
    ]);
    expect(c.pbx.argsOf('addToBridge')).toContainEqual([bridgeId, ringB.channelId]);
    expect(c.pbx.argsOf('bridgeAndRecord').filter((x) => x[2] === `call-${id}`)).toHaveLength(1);
    expect(await apiCall(c, id)).toMatchObject({ status: 'completed', line: 'second', operatorId: b.id });
    await expectStored(id, ['ivr', 'queued', 'ringing', 'bridged', 'queued', 'ringing', 'bridged', 'completed']);
  });

  it('refuses a transition the state machine does not allow, and leaves the row as it was', async () => {
    const { ch, id } = await queuedOn('2');
    await c.t.app.ledger.written(id);
    const before = await apiCall(c, id);
    const row = c.t.app.ledger.row(id);
    const events = c.t.app.ledger.pendingEvents(id);
    expect(events.map((e) => e.to)).toEqual(['ivr', 'queued']); // held in memory while the call is live
    expect(() => c.t.app.ledger.transition(id, 'queued', 'bridged')).toThrow(InvalidCallTransitionError);
    expect(() => c.t.app.ledger.transition(id, 'queued', 'unanswered')).toThrow(InvalidCallTransitionError);
    expect(() => c.t.app.ledger.transition(id, 'bridged', 'queued')).toThrow(/is queued, not bridged/); // allowed, but not from where the call is
    expect(c.t.app.ledger.row(id)).toEqual(row);
    expect(c.t.app.ledger.pendingEvents(id)).toEqual(events);
    expect(await apiCall(c, id)).toEqual(before);
    // An operator's answer for a call nobody rang them for: their leg is hung up, the call stays queued.
    c.pbx.operatorAnswers({ endpoint: 'op-nobody', channelId: 'stray-leg', callId: id, callerId: '', timeoutSec: 5 });
    await until('stray leg hung up', () => c.pbx.argsOf('hangup').some((a) => a[0] === 'stray-leg'));
    expect((await apiCall(c, id)).status).toBe('queued');
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'abandoned']);
  });

  it('an operator who cannot be dialled (the request fails): the caller goes back to the queue and the operator is paused', async () => {
    const a = await availableOperator(c);
    c.pbx.fail('dial', { times: 1 });
    const { ch, id } = await keyedCall(c, '1');
    await until('A paused', async () => (await operatorState(c, a.id)) === 'paused');
    await reaches(c, id, 'queued');
    expect(c.t.app.calls.queueOf('first').map((e) => e.id)).toContain(id);
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'queued', 'abandoned']);
  });

  it('the operator answers as the caller hangs up: abandoned, the operator’s leg let go, nobody bridged', async () => {
    const op = await availableOperator(c);
    const { ch, id, dial } = await rungCall(c, '1');
    c.pbx.operatorAnswers(dial);
    c.pbx.gone(ch); // in the same moment
    await settled(c, id);
    await c.t.app.calls.settled(5000);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'abandoned']);
    expect(c.pbx.argsOf('hangup')).toContainEqual([dial.channelId]);
    expect(c.pbx.argsOf('bridgeAndRecord').filter((a) => a[2] === `call-${id}`)).toEqual([]);
    expect(await operatorState(c, op.id)).toBe('available'); // not left on a call that never was
  });

  it('a channel’s end reported twice (StasisEnd, then ChannelDestroyed) ends the call once and misses the operator once', async () => {
    const op = await availableOperator(c);
    const { ch, id } = await keyedCall(c, '1');
    const ring = await until('operator rung', () => c.pbx.lastDial(id));
    const twice = (channelId: string, cause = CAUSE.normal) => {
      c.pbx.emit({ type: 'channelGone', channelId, cause });
      c.pbx.emit({ type: 'channelGone', channelId, cause });
    };
    twice(ring.channelId, CAUSE.noAnswer);
    await until(`${id} back in the line`, () => c.t.app.calls.queueOf('first').some((e) => e.id === id));
    expect(await operatorState(c, op.id)).toBe('paused');
    const b = await availableOperator(c);
    const ringB = await until('B rung', () => c.pbx.lastDial(id) !== ring && c.pbx.lastDial(id));
    expect(ringB.endpoint).toBe(b.endpoint);
    c.pbx.operatorAnswers(ringB);
    await reaches(c, id, 'bridged');
    twice(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
    expect(c.pbx.argsOf('destroyBridge').filter((a) => a[1] === `call-${id}`)).toHaveLength(1);
  });

  // A PBX request that fails on the caller's path, and the operator's pick-up racing their hangup.
  // These were known bugs (kept as `it.fails` until the core handled them): the caller was left
  // where the request failed, in silence, until they hung up.
  const failure = (what: string, level = 50) => until(`"${what}" logged`, () => c.logs.some((l) => l.level >= level && l.msg === what && String(l.err).includes('(fake)')));

  it('answering the caller fails: the call ends failed, by the system, and the caller is handed to the dialplan fallback', async () => {
    c.logs.length = 0;
    c.pbx.fail('answer', { times: 1 });
    const ch = c.pbx.inbound(randomPhone());
    const id = await newCall(c, ch);
    await settled(c, id);
    await failure('caller not answered; handed to the dialplan fallback');
    expect(await apiCall(c, id)).toMatchObject({ status: 'failed', hangupBy: 'system' });
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'continueToFallback']);
    await expectStored(id, ['ivr', 'failed']);
  });

  it('music on hold fails as the caller is queued: the caller still joins the line and is rung', async () => {
    c.logs.length = 0;
    c.pbx.fail('startMoh', { times: 1 });
    const { ch, id } = await keyedCall(c, '2');
    await failure('queue music not started', 40);
    await until(`${id} in the waiting list`, () => c.t.app.calls.queueOf('second').some((e) => e.id === id));
    expect(liveStatusOf(id)).toBe('queued');
    const op = await availableOperator(c, 'second');
    const dial = await until('the operator rung', () => c.pbx.lastDial(id));
    expect(dial.endpoint).toBe(op.endpoint);
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'abandoned']);
  });

  it('stopping the queue music fails as the operator answers: the call is still put through, and the music stopped once bridged', async () => {
    const op = await availableOperator(c);
    c.logs.length = 0;
    const { ch, id, dial } = await rungCall(c, '1');
    expect(dial.endpoint).toBe(op.endpoint);
    c.pbx.fail('stopMoh', { times: 1 });
    c.pbx.operatorAnswers(dial);
    await reaches(c, id, 'bridged');
    await failure('queue music not stopped; tried again once bridged', 40);
    await until('the music stopped again', () => c.pbx.argsOf('stopMoh').filter((a) => a[0] === ch).length === 2);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord', 'stopMoh']);
    await until('operator on the call', async () => (await operatorState(c, op.id)) === 'on_call');
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'bridged', 'completed']);
  });

  // Not a PBX failure, a race: the operator's channel ends while their answer is being handled
  // (picked up and put down at once). Once picked up, the leg's end is the answer's to settle:
  // before the bridge is made it is a missed ring after all (paused as missed, the caller back at
  // the head of the line, with music again), never a bridge with the caller alone in it.
  it('a phone that never answered the INVITE (18): nobody paused, the caller offered to another operator, not the same phone again', async () => {
    const a = await availableOperator(c);
    const b = await availableOperator(c); // idle for less time than A: rung second
    const { id, dial } = await rungCall(c, '1');
    expect(dial.endpoint).toBe(a.endpoint);
    c.pbx.gone(dial.channelId, { code: 18, text: 'No user responding' });
    const next = await until('rung again', () => c.pbx.lastDial(id) !== dial && c.pbx.lastDial(id));
    expect(next.endpoint).toBe(b.endpoint); // A rests for a ring's length
    expect(await operatorState(c, a.id)).toBe('available');
    c.pbx.operatorAnswers(next);
    await reaches(c, id, 'bridged');
    c.pbx.gone(next.channelId);
    await settled(c, id);
    const missed = (await storedEvents(id)).find((e) => (e.detail as { missedBy?: string }).missedBy === a.id);
    expect(missed?.detail).toMatchObject({ reason: 'no-answer', cause: 18, notPaused: true });
  });

  it('the operator answers and hangs up at once: a missed ring, the caller back in the line, the operator paused, nobody bridged', async () => {
    const op = await availableOperator(c);
    const { ch, id, dial } = await rungCall(c, '1');
    c.pbx.operatorAnswers(dial);
    c.pbx.gone(dial.channelId);
    await until(`${id} back in the line`, () => c.t.app.calls.queueOf('first').some((e) => e.id === id));
    expect(liveStatusOf(id)).toBe('queued');
    expect(await operatorState(c, op.id)).toBe('paused');
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'stopMoh', 'startMoh']);
    c.pbx.gone(ch);
    await settled(c, id);
    await c.t.app.calls.settled(5000);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'queued', 'abandoned']);
    expect(await operatorState(c, op.id)).toBe('paused');
  });

  // The same race a moment later: the leg ends while the bridge is being made (here as the fake
  // takes the bridge request). The operator was put through, so it is an operator hangup: the
  // call ends completed by the operator, the caller is let go, the operator goes to wrap-up.
  it('the operator hangs up while the bridge is being made: an operator hangup, the call completed, the operator released', async () => {
    const op = await availableOperator(c);
    const { ch, id, dial } = await rungCall(c, '1');
    c.pbx.fail('bridgeAndRecord', { when: () => (c.pbx.gone(dial.channelId), false) });
    c.pbx.operatorAnswers(dial);
    await settled(c, id);
    await c.t.app.calls.settled(5000);
    expect(await apiCall(c, id)).toMatchObject({ status: 'completed', hangupBy: 'operator', operatorId: op.id });
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord', 'hangup', 'destroyBridge', 'hangup']);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await until('operator available again', async () => (await operatorState(c, op.id)) === 'available');
  });

  it('bridging fails as the operator answers: the call never says bridged, the operator is let go unpaused, the caller is back at the head of the line', async () => {
    const op = await availableOperator(c);
    c.logs.length = 0;
    const { ch, id, dial } = await rungCall(c, '1');
    c.pbx.fail('bridgeAndRecord', { times: 1 });
    c.pbx.operatorAnswers(dial);
    await failure('caller and operator not bridged; the caller goes back to the line');
    // The operator is not paused (the fault is ours): the ACD offers them the caller again at once.
    const again = await until('the operator rung again', () => c.pbx.lastDial(id) !== dial && c.pbx.lastDial(id));
    expect(again.endpoint).toBe(op.endpoint);
    expect(c.pbx.trace(ch, id)).toEqual(['answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord', 'destroyBridge', 'hangup', 'startMoh', 'dial']);
    c.pbx.operatorAnswers(again);
    await reaches(c, id, 'bridged');
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
  });

  it('joining a transferred call’s bridge fails as the next operator answers: they are let go unpaused, the caller waits on in the bridge with its music', async () => {
    await availableOperator(c, 'first');
    const { ch, id } = await keyedCall(c, '1');
    const ringA = await until('A rung', () => c.pbx.lastDial(id));
    c.pbx.operatorAnswers(ringA);
    await reaches(c, id, 'bridged');
    const b = await availableOperator(c, 'second');
    c.logs.length = 0;
    c.pbx.fail('addToBridge', { times: 1 });
    expect((await c.t.api('POST', `/api/calls/${id}/transfer`, { line: 'second' })).status).toBe(202);
    const ringB = await until('B rung', () => c.pbx.lastDial(id) !== ringA && c.pbx.lastDial(id));
    c.pbx.operatorAnswers(ringB);
    await failure('caller and operator not bridged; the caller goes back to the line');
    const again = await until('B rung again', () => c.pbx.dials(id).length === 3 && c.pbx.lastDial(id));
    expect(again.endpoint).toBe(b.endpoint);
    expect(c.pbx.trace(ch, id, ringA.channelId, ringB.channelId)).toEqual([
      'answer', 'startMoh', 'dial', 'stopMoh', 'bridgeAndRecord',
      'startBridgeMoh', 'removeFromBridge', 'hangup', 'dial', // the transfer: A leaves, B rung
      'stopBridgeMoh', 'addToBridge', 'hangup', 'startBridgeMoh', // B not added: let go, the music again
      'dial',
    ]);
    c.pbx.operatorAnswers(again);
    await reaches(c, id, 'bridged');
    c.pbx.gone(ch);
    await settled(c, id);
    await expectStored(id, ['ivr', 'queued', 'ringing', 'bridged', 'queued', 'ringing', 'queued', 'ringing', 'bridged', 'completed']);
  });
});

function liveStatusOf(id: string): string | undefined {
  return c.t.app.calls.liveRow(id)?.row.status;
}
