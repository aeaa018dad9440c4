// The missed-calls follower against the real call core, ledger and Postgres, with a FakePbx in
// place of Asterisk (test/support/call-core.ts): an after-hours voicemail makes an entry on the
// closed line, cleared when the number (spelled another way) later gets through; with the
// automatic callback on, a caller who gave up after a wait gets a callback booked, and a number
// the toll-fraud rules refuse keeps its entry open with the reason. Two clicks at once book once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMissed } from '../../src/missed/missed-call.repository.js';
import { randomPhone } from '../support/app.js';
import { availableOperator, cancelOpenCallbacks, cleanUp, newCall, reaches, settled, startCoreApp, until, type CoreApp } from '../support/call-core.js';
import { db } from '../support/recordings.js';

interface Entry { id: string; number: string; line: string; reason: string; calls: number; status: string; bookedBy: string | null; callbackId: string | null; callbackOutcome: string | null; clearedReason: string | null }

const OPEN = ['00:00-24:00'];
const CLOSED: string[] = [];
const week = (w: string[]) => ({ mon: w, tue: w, wed: w, thu: w, fri: w, sat: w, sun: w });
// 1 routes to the first line, 2 to the second; 9 asks for the first line, closed for good: a voicemail.
const FLOW = {
  start: 'main',
  nodes: {
    main: [
      { verb: 'play', prompt: 'greeting' },
      { verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1, options: { '1': { route: 'first' }, '2': { route: 'second' }, '9': { goto: 'closed' } }, onFail: { route: 'second' } },
    ],
    closed: [{ verb: 'hours', line: 'first', announceOpening: false, closed: { goto: 'vm' } }, { verb: 'route', line: 'first' }],
    vm: [{ verb: 'voicemail', prompt: 'voicemail', maxSec: 30 }],
  },
};

let c: CoreApp;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pbxdesk-missed-'));
  writeFileSync(path.join(dir, 'flow.json'), JSON.stringify(FLOW));
  writeFileSync(path.join(dir, 'hours.json'), JSON.stringify({ first: { timeZone: 'UTC', week: week(CLOSED), holidays: [] }, second: { timeZone: 'UTC', week: week(OPEN), holidays: [] } }));
  c = await startCoreApp({ env: { IVR_FLOW_FILE: path.join(dir, 'flow.json'), BUSINESS_HOURS_FILE: path.join(dir, 'hours.json'), MISSED_CALLS_AUTO_CALLBACK_SEC: '1' } });
});
afterAll(async () => {
  await cancelOpenCallbacks();
  if (c) await cleanUp(c);
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The follower looks every 2 s: a deadline of a few looks. */
const entryOf = (number: string, line: string, ok: (e: Entry) => boolean) =>
  until(`the ${line}-line entry of ${number}`, async () => {
    const r = await c.t.api<{ missedCalls: Entry[] }>('GET', `/api/missed-calls?line=${line}&status=all`);
    return r.body.missedCalls.find((e) => e.number === number && ok(e));
  }, 20_000);

describe('missed calls followed from the written calls', () => {
  it('an after-hours voicemail is on the closed line; the number getting through later clears it', async () => {
    const digits = randomPhone();
    const ch = c.pbx.inbound(digits);
    c.pbx.press(ch, '9');
    const id = await newCall(c, ch);
    await until('voicemail recording', () => c.pbx.argsOf('recordChannel').some((a) => a[0] === ch));
    c.pbx.recordingFinished(`voicemail-${id}`);
    await settled(c, id);
    const e = await entryOf(`+${digits}`, 'first', () => true);
    expect(e).toMatchObject({ reason: 'voicemail', calls: 1, status: 'open' });

    // The same number as the trunk may spell it another time gets through to a first-line operator.
    const op = await availableOperator(c, 'first');
    const again = c.pbx.inbound(`8${digits.slice(1)}`);
    c.pbx.press(again, '1');
    const id2 = await newCall(c, again);
    c.pbx.operatorAnswers(await until('operator rung', () => c.pbx.lastDial(id2)));
    await reaches(c, id2, 'bridged');
    const cleared = await entryOf(`+${digits}`, 'first', (x) => x.status === 'cleared');
    expect(cleared.clearedReason).toBe('answered');
    c.pbx.gone(again);
    await settled(c, id2);
    await until('operator free', async () => (await c.t.app.operators.get(op.id)).state === 'available');
  });

  it('books a callback for a caller who gave up after waiting; a number the rules refuse keeps its entry open with why', async () => {
    const digits = randomPhone();
    const kz = `7701${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`; // Kazakhstan: +77 is denied
    const chs = [c.pbx.inbound(digits), c.pbx.inbound(kz)];
    for (const ch of chs) c.pbx.press(ch, '2');
    const ids = await Promise.all(chs.map((ch) => newCall(c, ch)));
    for (const id of ids) await until(`${id} waiting`, () => c.t.app.calls.queueOf('second').some((q) => q.id === id));
    // Longer than MISSED_CALLS_AUTO_CALLBACK_SEC in the queue, then both hang up.
    await new Promise((r) => setTimeout(r, 1500));
    for (const ch of chs) c.pbx.gone(ch);

    const booked = await entryOf(`+${digits}`, 'second', (x) => x.status === 'booked' && x.callbackId !== null);
    expect(booked.bookedBy).toBe('missed-calls');
    const cb = await db.selectFrom('callbacks').select(['number', 'line', 'requested_by']).where('id', '=', booked.callbackId as string).executeTakeFirstOrThrow();
    expect(cb).toEqual({ number: `+${digits}`, line: 'second', requested_by: 'missed-calls' });
    const refused = await entryOf(`+${kz}`, 'second', (x) => x.callbackOutcome !== null);
    expect(refused.status).toBe('open');
    expect(refused.callbackOutcome).toMatch(/\+77/);
    await cancelOpenCallbacks([booked.callbackId as string]);
  });

  it('books once when two operators click "call back" at the same moment: the other gets 409', async () => {
    const number = `+${randomPhone()}`;
    const e = await recordMissed(db, { line: 'second', number, reason: 'abandoned', callId: randomUUID(), at: new Date(), waitedSec: 0, ticketId: null });
    const clicks = await Promise.all([0, 1, 2].map(() => c.t.api<{ error?: { code: string } }>('POST', `/api/missed-calls/${e?.id}/callback`, {})));
    expect(clicks.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(clicks.filter((r) => r.status === 409).map((r) => r.body.error?.code)).toEqual(['missed_call_taken', 'missed_call_taken']);
    const cbs = await db.selectFrom('callbacks').select('id').where('number', '=', number).execute();
    expect(cbs).toHaveLength(1);
    await cancelOpenCallbacks(cbs.map((x) => x.id));
  });
});
