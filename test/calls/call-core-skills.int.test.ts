// Skills routing through the call core's ACD with the fake PBX (fast; the SIPp test
// skills-routing.int.test.ts keeps the end-to-end path and the widening): a caller nobody free can
// take does not hold up the callers behind them, a skill nobody logged in has narrows nobody, and
// the skills asked are on the call's row (migration 0028), so a reclaimed caller still needs them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { CallJournal } from '../../src/calls/call-journal.js';
import { CallLedger, newCallRow } from '../../src/calls/call-ledger.js';
import { applyLedgerOps } from '../../src/calls/call-ledger.repository.js';
import { findCallById } from '../../src/calls/call.repository.js';
import { randomPhone } from '../support/app.js';
import { apiCall, availableOperator, cleanUp, db, keyedCall, setState, startCoreApp, until, type CoreApp } from '../support/call-core.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pbxdesk-skills-'));
const flowFile = path.join(dir, 'flow.json');
writeFileSync(
  flowFile,
  JSON.stringify({
    start: 'main',
    nodes: {
      main: [
        {
          verb: 'menu', prompt: 'main-menu', timeoutSec: 5, maxAttempts: 1,
          options: { '1': { route: 'first', skills: { en: 1 } }, '2': { route: 'first', skills: { ru: 1 } }, '3': { goto: 'de' } },
          onFail: { route: 'first' },
        },
      ],
      de: [{ verb: 'route', line: 'first', skills: { de: 2 } }],
    },
  }),
);

let c: CoreApp;
beforeAll(async () => {
  c = await startCoreApp({ env: { IVR_FLOW_FILE: flowFile } });
});
afterAll(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => cleanUp(c));

const withSkills = async (skills: Record<string, number>) => {
  const op = await availableOperator(c);
  expect((await c.t.api('PUT', `/api/operators/${op.id}/skills`, { skills })).status).toBe(200);
  return op;
};
const queued = (id: string) => until(`${id} waiting`, () => c.t.app.calls.queueOf('first').some((e) => e.id === id));

describe('skills routing in the call core', () => {
  it('an en caller waiting for the en operator lets the Russian caller behind have the Russian operator', async () => {
    const e = await withSkills({ en: 2 });
    await setState(c, e.id, 'paused'); // logged in, not free: the English caller waits for them
    const r = await withSkills({ ru: 4 });
    const en = await keyedCall(c, '1');
    await queued(en.id);
    const ru = await keyedCall(c, '2');
    const dial = await until('the Russian caller rung', () => c.pbx.lastDial(ru.id));
    expect(dial.endpoint).toBe(r.endpoint);
    expect(c.pbx.dials(en.id)).toEqual([]);
    expect(c.t.app.calls.queueOf('first').map((x) => x.id)).toEqual([en.id]);
    expect((await apiCall(c, en.id)) as unknown).toMatchObject({ status: 'queued', requiredSkills: { en: 1 } });
    // Their operator comes free: the English caller is next.
    await setState(c, e.id, 'available');
    expect((await until('the English caller rung', () => c.pbx.lastDial(en.id))).endpoint).toBe(e.endpoint);
  });

  it('the skills the IVR asked are written to the call’s row, and a caller reclaimed after a restart still needs them', async () => {
    const e = await withSkills({ en: 2 });
    await setState(c, e.id, 'paused');
    await withSkills({ ru: 4 }); // free: without the skills, the line would ring them
    const en = await keyedCall(c, '1');
    await queued(en.id);
    await c.t.app.ledger.written(en.id);
    expect(await findCallById(db, en.id)).toMatchObject({ required_skills: { en: 1 } });

    // A caller the killed instance had queued, needing en (its row as that instance wrote it).
    const ch = randomUUID();
    const journal = mkdtempSync(path.join(tmpdir(), 'pbxdesk-skills-killed-'));
    const killed = new CallLedger({ apply: (ops) => applyLedgerOps(db, ops) }, new CallJournal(path.join(journal, 'calls.jsonl')), pino({ level: 'silent' }));
    killed.open();
    const row = killed.insert(newCallRow({ caller_number: randomPhone(), dialled_number: '88005553535', language: 'en', status: 'ivr', caller_channel_id: ch, pbx_node: c.node }));
    killed.update(row.id, { required_skills: { en: 1 } });
    killed.transition(row.id, 'ivr', 'queued', { line: 'first', queued_at: new Date() }, { line: 'first' });
    await killed.written();
    await killed.close(0);
    rmSync(journal, { recursive: true, force: true });
    c.pbx.channels.add(ch);
    c.pbx.emit({ type: 'connected', reconnect: false });
    await until('reclaimed', () => c.t.app.calls.queueOf('first').some((x) => x.id === row.id));
    expect(c.t.app.calls.session(row.id)?.requiredSkills).toEqual({ en: 1 });
    expect(c.pbx.dials(row.id)).toEqual([]); // not to the Russian-only operator before the widening
    await setState(c, e.id, 'available');
    const first = await until('an English caller rung', () => c.pbx.dials().find((d) => d.callId === en.id || d.callId === row.id));
    expect(first.endpoint).toBe(e.endpoint);
  });

  it('a caller whose skill nobody logged in has goes to anyone at once', async () => {
    const r = await withSkills({ ru: 4 });
    const de = await keyedCall(c, '3');
    expect((await until('the caller rung', () => c.pbx.lastDial(de.id))).endpoint).toBe(r.endpoint);
  });
});
