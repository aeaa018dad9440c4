// The foundation's end-to-end path: a SIPp caller on the trunk keys a digit, a SIPp phone
// registered as an operator of that line answers, and the call, its ticket and its
// recording come out right. Real Asterisk, Postgres, Redis; nothing faked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcm16Rms } from '../../src/recordings/wav.js';
import { decodeToPcm } from '../support/audio.js';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { operatorWithPhone } from '../support/phones.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import type { Line } from '../../src/vocabulary.js';

interface Call {
  id: string;
  ticketId: string;
  callerNumber: string;
  dialledNumber: string;
  line: string;
  ivrPath: string[];
  operatorId: string;
  status: string;
  enteredAt: string;
  queuedAt: string;
  answeredAt: string;
  endedAt: string;
  hangupCause: string;
  hangupBy: string;
  recordingId: string;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await waitFor('ARI and AMI connected', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => t?.stop());

async function operatorOnPhone(line: Line) {
  await clearLine(t.api, line);
  return operatorWithPhone(t.api, line);
}

async function placeCall(line: Line, steps: DtmfStep[]) {
  const op = await operatorOnPhone(line);
  const caller = randomPhone();
  const talkMs = 4000;
  const [callerRun, phoneRun] = await Promise.all([
    runCaller({ caller, number: '88005553535', steps, talkMs }),
    op.phone,
  ]);
  if (callerRun.code !== 0 || phoneRun.code !== 0) console.log("CALLER", callerRun, "PHONE", phoneRun);
  expect(callerRun.code, callerRun.stdout + callerRun.stderr).toBe(0);
  expect(phoneRun.code, phoneRun.stdout + phoneRun.stderr).toBe(0);
  await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
  const call = await waitFor('the call to end', async () => {
    const r = await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`);
    const c = r.body.calls[0];
    return c && c.endedAt ? c : undefined;
  });
  return { call, caller, operatorId: op.id };
}

async function expectRecording(call: Call) {
  const rec = await waitFor('the recording to be archived', async () => {
    const r = await t.api<{ status: string; path: string; codec: string; durationMs: number; sourceDurationMs: number; sha256: string; peaks: number[] }>(
      'GET', `/api/recordings/${call.recordingId}`,
    );
    return r.body.status === 'archived' ? r.body : undefined;
  });
  const bridgedMs = Date.parse(call.endedAt) - Date.parse(call.answeredAt);
  expect(Math.abs(rec.durationMs - bridgedMs)).toBeLessThanOrEqual(1000);
  expect(Math.abs(rec.durationMs - rec.sourceDurationMs)).toBeLessThanOrEqual(100);
  expect(rec.codec).toBe('opus');
  expect(rec.path).toMatch(new RegExp(`/\\d{4}/\\d{2}/\\d{2}/${call.id}\\.opus$`));
  expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(Math.max(...rec.peaks)).toBeGreaterThan(0.01);
  // What is in the archive, decoded: the right length, and speech, not silence.
  const pcm = await decodeToPcm(rec.path);
  expect(Math.abs((pcm.length / 16) - bridgedMs)).toBeLessThanOrEqual(1000);
  expect(pcm16Rms(pcm)).toBeGreaterThan(100);
  const audio = await fetch(`${t.base}/api/recordings/${call.recordingId}/audio`, {
    headers: { authorization: `Bearer ${t.adminToken}` },
  });
  expect(audio.status).toBe(200);
  expect(audio.headers.get('content-type')).toBe('audio/ogg');
}

describe('a call from the trunk to an operator', () => {
  it('routes 2 keyed as SIP INFO to the second line, records the bridge, and fills the call and ticket', async () => {
    const { call, caller, operatorId } = await placeCall('second', [{ digit: '2', method: 'info', afterMs: 1500 }]);
    expect(call).toMatchObject({
      callerNumber: caller,
      dialledNumber: '88005553535',
      line: 'second',
      operatorId,
      status: 'completed',
      hangupBy: 'caller',
      hangupCause: 'Normal Clearing',
    });
    expect(call.ivrPath).toEqual(['menu:main-menu=2']);
    for (const k of ['enteredAt', 'queuedAt', 'answeredAt', 'endedAt'] as const) expect(call[k]).toBeTruthy();
    expect(Date.parse(call.queuedAt)).toBeGreaterThanOrEqual(Date.parse(call.enteredAt));
    expect(Date.parse(call.answeredAt)).toBeGreaterThanOrEqual(Date.parse(call.queuedAt));

    const ticket = await t.api<{ id: string; number: string; line: string; calls: Call[] }>('GET', `/api/tickets/${call.ticketId}`);
    expect(ticket.status).toBe(200);
    expect(ticket.body.line).toBe('second');
    expect(ticket.body.number).toMatch(/^\d{6,}$/);
    expect(ticket.body.calls.map((c) => c.id)).toEqual([call.id]);

    const detail = await t.api<{ transitions: { from: string | null; to: string }[] }>('GET', `/api/calls/${call.id}`);
    expect(detail.body.transitions.map((x) => x.to)).toEqual(['ivr', 'queued', 'ringing', 'bridged', 'completed']);
    await expectRecording(call);
  });

  it('routes 1 keyed as RFC 4733 events to the first line', async () => {
    const { call, operatorId } = await placeCall('first', [{ digit: '1', method: 'rfc4733', afterMs: 1500 }]);
    expect(call).toMatchObject({ line: 'first', operatorId, status: 'completed' });
    expect(call.ivrPath).toEqual(['menu:main-menu=1']);
    await expectRecording(call);
  });
});
