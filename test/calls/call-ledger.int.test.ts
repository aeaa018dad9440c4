// The call ledger's SQL side (migration 0013) against the real Postgres: a batch applies in
// order, and the same batch sent again (a retry whose commit was never heard of, a journal
// replay) changes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLedgerOps, type LedgerOp } from '../../src/calls/call-ledger.repository.js';
import { findCallById, listCallEvents } from '../../src/calls/call.repository.js';
import { findRecordingById } from '../../src/recordings/recording.repository.js';
import { db } from '../support/recordings.js';

afterAll(async () => db.destroy());

describe('call ledger writes', () => {
  it('apply a batch in order, and a replay of it is harmless', async () => {
    const id = randomUUID();
    const recId = randomUUID();
    const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, s)).toISOString();
    const ops: LedgerOp[] = [
      { k: 'insert', t: 'calls', row: { id, caller_number: '79001112233', dialled_number: null, language: 'ru', status: 'ivr', caller_channel_id: `ch-${id}`, pbx_node: 'pbx-ledger-test', ivr_path: [], entered_at: at(0), ledger_seq: 1 } },
      { k: 'event', id, seq: 1, from: null, to: 'ivr', detail: {}, at: at(0) },
      { k: 'update', id, seq: 2, patch: { ivr_path: ['menu:1'], language: 'en' } },
      { k: 'update', id, seq: 3, patch: { status: 'queued', line: 'first', queued_at: at(2) } },
      { k: 'event', id, seq: 3, from: 'ivr', to: 'queued', detail: { line: 'first' }, at: at(2) },
      { k: 'insert', t: 'recordings', row: { id: recId, call_id: id, name: `call-${id}`, kind: 'call', status: 'recording', spool_path: '/tmp/x.wav', pbx_node: 'pbx-ledger-test', started_at: at(3) } },
      { k: 'update', id, seq: 4, patch: { status: 'abandoned', ended_at: at(5), hangup_by: 'caller', recording_id: recId } },
      { k: 'event', id, seq: 4, from: 'queued', to: 'abandoned', detail: {}, at: at(5) },
    ];
    await applyLedgerOps(db, ops);
    await applyLedgerOps(db, ops); // a replay
    await applyLedgerOps(db, ops.slice(0, 4)); // an old part of it again: never overwrites the newer state
    const row = await findCallById(db, id);
    expect(row).toMatchObject({ status: 'abandoned', line: 'first', language: 'en', ivr_path: ['menu:1'], hangup_by: 'caller', recording_id: recId, ledger_seq: 4 });
    expect(row?.ended_at?.toISOString()).toBe(at(5));
    const events = await listCallEvents(db, id);
    expect(events.map((e) => [e.from_status, e.to_status, e.at.toISOString()])).toEqual([
      [null, 'ivr', at(0)],
      ['ivr', 'queued', at(2)],
      ['queued', 'abandoned', at(5)],
    ]);
    expect((await findRecordingById(db, recId))?.call_id).toBe(id);
    await db.deleteFrom('call_events').where('call_id', '=', id).execute();
    await db.updateTable('calls').set({ recording_id: null }).where('id', '=', id).execute();
    await db.deleteFrom('recordings').where('id', '=', recId).execute();
    await db.deleteFrom('calls').where('id', '=', id).execute();
  });
});
