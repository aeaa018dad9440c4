// One file per leg (RECORD_LEGS=true) with a real call: next to the mixed recording, the caller's
// side and the operator's side are recorded alone (ARI snoop channels), archived, chained and on
// the call; each holds that party's speech.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { pcm16Rms } from '../../src/recordings/wav.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { decodeToPcm } from '../support/audio.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RECORD_LEGS: 'true', WRAPUP_SEC: '0' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
afterAll(async () => t?.stop());

describe('recording each leg', () => {
  it('archives the caller’s and the operator’s sides next to the mixed recording', async () => {
    const op = await operatorWithPhone(t.api, 'first');
    const caller = randomPhone();
    // The caller speaks once bridged (3 s after keying 1); the operator's phone speaks as it answers.
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], speakAfterMs: 3000, talkMs: 5000 });
    expect(r.code, r.stdout).toBe(0);
    expect((await op.phone).code).toBe(0);
    await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null; answeredAt: string; recordingId: string }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    const recs = await waitFor('three archived recordings', async () => {
      const rows = await db.selectFrom('recordings').select(['id', 'kind', 'status', 'name']).where('call_id', '=', call.id).orderBy('kind').execute();
      return rows.length === 3 && rows.every((x) => x.status === 'archived') ? rows : undefined;
    }, 60_000);
    expect(recs.map((x) => x.kind)).toEqual(['call', 'caller-leg', 'operator-leg']);
    expect(recs.find((x) => x.kind === 'call')?.id).toBe(call.recordingId);
    const bridgedMs = Date.parse(call.endedAt!) - Date.parse(call.answeredAt);
    for (const leg of recs.filter((x) => x.kind !== 'call')) {
      const rec = (await t.api<{ path: string; durationMs: number; sha256: string; kind: string }>('GET', `/api/recordings/${leg.id}`)).body;
      expect(rec.kind).toBe(leg.kind);
      expect(rec.path).toMatch(new RegExp(`/${leg.name}\\.opus$`));
      expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Math.abs(rec.durationMs - bridgedMs)).toBeLessThanOrEqual(1500);
      expect(pcm16Rms(await decodeToPcm(rec.path)), `${leg.kind} is speech, not silence`).toBeGreaterThan(100);
    }
    const verify = await t.api<{ problems: { recordingId: string }[] }>('GET', '/api/recordings/verify');
    expect(verify.body.problems.filter((p) => recs.some((x) => x.id === p.recordingId))).toEqual([]);
  });
});
