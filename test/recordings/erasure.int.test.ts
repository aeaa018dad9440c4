// GDPR erasure of one customer's recordings: everything bound to their verified account goes
// (files and rows marked), each deletion audited with the reason; a legal hold wins; other
// customers' recordings and the chain of custody are untouched.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniq, type TestApp } from '../support/app.js';
import { db, spooledRecording } from '../support/recordings.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

async function archivedFor(accountId: string | null, via: 'call' | 'ticket') {
  const r = await spooledRecording();
  if (accountId && via === 'call') await db.updateTable('calls').set({ verification_status: 'verified', verified_account_id: accountId }).where('id', '=', r.call.id).execute();
  if (accountId && via === 'ticket') await db.updateTable('tickets').set({ account_id: accountId }).where('id', '=', r.ticket.id).execute();
  await t.app.recordings.archive(r.rec.id, true);
  const rec = (await t.api<{ status: string; path: string }>('GET', `/api/recordings/${r.rec.id}`)).body;
  expect(rec.status).toBe('archived');
  return { ...r, path: rec.path };
}

describe('GDPR erasure', () => {
  it("deletes one customer's recordings with an audited reason, keeps what is on legal hold", async () => {
    const account = uniq('acc-');
    const byCall = await archivedFor(account, 'call');
    const byTicket = await archivedFor(account, 'ticket');
    const held = await archivedFor(account, 'call');
    const other = await archivedFor(uniq('acc-'), 'call');
    expect((await t.api('PUT', `/api/calls/${held.call.id}/legal-hold`, { hold: true, reason: 'dispute #12' })).status).toBe(200);

    expect((await t.api('POST', `/api/accounts/${account}/erase-recordings`, {})).status).toBe(400); // a reason is required
    const sup = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('s-'), role: 'supervisor' })).body.token;
    expect((await t.api('POST', `/api/accounts/${account}/erase-recordings`, { reason: 'GDPR request' }, sup)).status).toBe(403);

    const r = await t.api<{ erased: string[]; heldBack: string[] }>('POST', `/api/accounts/${account}/erase-recordings`, { reason: 'GDPR request #4711' });
    expect(r.status).toBe(200);
    expect(r.body.erased.sort()).toEqual([byCall.rec.id, byTicket.rec.id].sort());
    expect(r.body.heldBack).toEqual([held.rec.id]);
    expect(existsSync(byCall.path)).toBe(false);
    expect(existsSync(byTicket.path)).toBe(false);
    expect(existsSync(held.path)).toBe(true);
    expect(existsSync(other.path)).toBe(true);
    const audit = await t.api<{ entries: { action: string; reason: string; role: string }[] }>('GET', `/api/recordings/${byCall.rec.id}/audit`);
    expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'erase', reason: 'GDPR request #4711', role: 'admin' }));
    // The chain still verifies: an erased recording is a known deletion, not tampering.
    const verify = await t.api<{ ok: boolean; problems: { recordingId: string }[] }>('GET', '/api/recordings/verify');
    expect(verify.body.problems.map((p) => p.recordingId)).not.toContain(byCall.rec.id);
  });
});
