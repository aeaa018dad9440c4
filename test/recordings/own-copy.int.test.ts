// The caller's own copy: the customer control panel lists and plays a verified customer's
// recordings. Only calls bound to the account by a one-time code qualify; a call from the same
// phone number that was not verified, and another customer's call, are refused and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';

let t: TestApp;
let panel: string;
beforeAll(async () => {
  t = await startTestApp();
  panel = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('panel-'), role: 'panel' })).body.token;
});
afterAll(async () => t?.stop());

async function archived(accountId: string | null) {
  const r = await spooledRecording();
  if (accountId) await db.updateTable('calls').set({ verification_status: 'verified', verified_account_id: accountId, verified_at: new Date() }).where('id', '=', r.call.id).execute();
  await t.app.recordings.archive(r.rec.id, true);
  return r;
}

describe("the caller's own copy", () => {
  it('gives a verified customer their own calls’ recordings, and nothing matched by phone number alone', async () => {
    const account = uniq('acc-');
    const mine = await archived(account);
    // Same number (the helper's caller), same ticket even: but this call was not verified.
    const sameNumber = await archived(null);
    await db.updateTable('tickets').set({ account_id: account }).where('id', '=', sameNumber.ticket.id).execute();
    const someoneElse = await archived(uniq('acc-'));

    const list = await t.api<{ recordings: { id: string; callId: string; kind: string; verifiedAt: string }[] }>('GET', `/api/accounts/${account}/recordings`, undefined, panel);
    expect(list.status).toBe(200);
    expect(list.body.recordings.map((r) => r.id)).toEqual([mine.rec.id]);
    expect(list.body.recordings[0]).toMatchObject({ callId: mine.call.id, kind: 'call', verifiedAt: expect.any(String) });

    const audio = await fetch(`${t.base}/api/accounts/${account}/recordings/${mine.rec.id}/audio`, { headers: { authorization: `Bearer ${panel}`, range: 'bytes=0-99' } });
    expect(audio.status).toBe(206);
    expect(audio.headers.get('content-type')).toBe('audio/ogg');
    expect((await audio.arrayBuffer()).byteLength).toBe(100);

    for (const other of [sameNumber, someoneElse]) {
      const r = await fetch(`${t.base}/api/accounts/${account}/recordings/${other.rec.id}/audio`, { headers: { authorization: `Bearer ${panel}` } });
      expect(r.status).toBe(403);
      const trail = await t.api<{ entries: { action: string; role: string }[] }>('GET', `/api/recordings/${other.rec.id}/audit`);
      expect(trail.body.entries).toContainEqual(expect.objectContaining({ action: 'denied', role: 'panel' }));
    }
    const trail = await t.api<{ entries: { action: string; role: string; ranges: string }[] }>('GET', `/api/recordings/${mine.rec.id}/audit`);
    expect(trail.body.entries).toContainEqual(expect.objectContaining({ action: 'play', role: 'panel', ranges: expect.stringMatching(/^0-99\//) }));
    // Only the panel (and admins) use these routes: not an operator, not a supervisor.
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('GET', `/api/accounts/${account}/recordings`, undefined, sup)).status).toBe(403);
  });

  it('lets supervisors filter the recording search by verified callers', async () => {
    const account = uniq('acc-');
    const v = await archived(account);
    const n = await archived(null);
    const ids = async (verified: boolean) =>
      (await t.api<{ recordings: { id: string }[] }>('GET', `/api/recordings?ticket=${verified ? v.ticket.id : n.ticket.id}&verified=${verified}`)).body.recordings.map((r) => r.id);
    expect(await ids(true)).toEqual([v.rec.id]);
    expect(await ids(false)).toEqual([n.rec.id]);
    expect((await t.api<{ recordings: unknown[] }>('GET', `/api/recordings?ticket=${v.ticket.id}&verified=false`)).body.recordings).toEqual([]);
  });
});
