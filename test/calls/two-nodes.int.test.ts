// Two Asterisk nodes and two service instances sharing one Postgres and one Redis
// (docs/scaling.md). Node A is the suite's Asterisk, node B a second one on its own ports. Each
// instance takes the calls of its node and rings only its node's operators; the second instance
// starting does not touch the first node's call in progress; a second instance for a node that
// is already driven refuses to start; a callback is dialled exactly once with both instances'
// workers on one queue; and with instance A killed, B goes on serving its node.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PBX_TARGET, allocPorts, answerOnce, runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { freePort } from '../../bench/load-rig.js';
import { apiClient, clearLine, randomPhone, uniq, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { db } from '../support/recordings.js';
import { startExtraNode, stopExtraNodes } from '../support/stack.js';

interface Call {
  id: string;
  status: string;
  operatorId: string | null;
  pbxNode: string;
  hangupBy: string | null;
  recordingId: string | null;
  callbackId: string | null;
}
interface Instance {
  proc: ChildProcess;
  api: TestApp['api'];
  exited: Promise<number | null>;
  stderr: () => string;
}

const nodeA = uniq('na-');
const nodeB = uniq('nb-');
const prefix = uniq('nodes-');
const customer = allocPorts();
const procs: ChildProcess[] = [];
let nodeBEnv: Record<string, string> = {};
let targetB = '';

/** A service process (a real one, so that it can be SIGKILLed) driving `node`. */
async function instance(node: string, env: Record<string, string> = {}, ready = true): Promise<Instance> {
  const port = await freePort();
  const proc = spawn('node', ['dist/src/main.js'], {
    env: {
      ...process.env, HTTP_PORT: String(port), LOG_LEVEL: 'warn', PBX_NODE: node, PBXDESK_QUEUE_PREFIX: prefix,
      SURVEY_TIMEOUT_SEC: '0', WRAPUP_SEC: '0', BUSINESS_HOURS_FILE: 'pbx-config/business-hours.always-open.json',
      CALLBACK_DIAL_TEMPLATE: `PJSIP/trunk/sip:{number}@127.0.0.1:${customer.sip}`,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  procs.push(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  if (ready) await waitFor(`the instance of ${node}`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200);
  return { proc, api: apiClient(`http://127.0.0.1:${port}`), exited, stderr: () => err };
}

const info = (digit: string, afterMs: number): DtmfStep => ({ digit, method: 'info', afterMs });
const callOf = async (api: TestApp['api'], caller: string) => (await api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];

beforeAll(() => {
  // base+3000..+5999: the stack's own ports and RTP end below it (scripts/test.sh's shard layout).
  nodeBEnv = startExtraNode('b', Number(process.env.PORT_BASE ?? 25000) + 3000);
  targetB = `127.0.0.1:${nodeBEnv.PBX_SIP_PORT}`;
});
afterAll(() => {
  for (const p of procs) p.kill('SIGKILL');
  stopExtraNodes();
});

describe('two nodes, two instances, one database and one Redis', () => {
  it('each instance serves its own node, a callback is dialled once, and one instance dying leaves the other serving', async () => {
    const a = await instance(nodeA);
    await clearLine(a.api, 'first');
    await clearLine(a.api, 'second');
    const opA = await operatorWithPhone(a.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 1 }), { pbxNode: nodeA, target: PBX_TARGET, stateApi: a.api });

    // A call on node A, talking while node B's instance starts and reclaims its own node.
    const c1 = randomPhone();
    const caller1 = runCaller({ caller: c1, number: '88005553535', steps: [info('1', 1500)], talkMs: 12000 });
    await waitFor('the call on node A to be bridged', async () => (await callOf(a.api, c1))?.status === 'bridged');

    const b = await instance(nodeB, { ARI_URL: nodeBEnv.ARI_URL as string, AMI_PORT: nodeBEnv.AMI_PORT as string, SIP_WS_URL: nodeBEnv.SIP_WS_URL as string, RECORDINGS_SPOOL_DIR: nodeBEnv.RECORDINGS_SPOOL_DIR as string });
    expect((await callOf(a.api, c1))?.status).toBe('bridged');
    // A second instance for node A is refused: one instance per node (the lock in Postgres).
    const intruder = instance(nodeA, {}, false);

    // Node B's operator: created through B (whose Asterisk gets the endpoint), phone on node B.
    const opB = await operatorWithPhone(b.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 2 }), { pbxNode: nodeB, target: targetB, stateApi: b.api });
    const c2 = randomPhone();
    const caller2 = runCaller({ caller: c2, number: '88005553535', steps: [info('1', 1500)], talkMs: 3000, target: targetB });
    expect(await (await intruder).exited).toBe(1);
    expect((await intruder).stderr()).toContain(`PBX_NODE=${nodeA} is driven by another running instance`);
    for (const [who, p] of [['caller on A', caller1], ['caller on B', caller2], ['operator on A', opA.phone]] as const) {
      const r = await p;
      expect(r.code, `${who}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const done1 = await waitFor('the call on A to end', async () => ((x) => (x?.status === 'completed' ? x : undefined))(await callOf(a.api, c1)));
    const done2 = await waitFor('the call on B to end', async () => ((x) => (x?.status === 'completed' ? x : undefined))(await callOf(b.api, c2)));
    // Each on its node, with that node's operator; A's call ended by its caller, not closed by B's reclaim.
    expect(done1).toMatchObject({ pbxNode: nodeA, operatorId: opA.id, hangupBy: 'caller' });
    expect(done2).toMatchObject({ pbxNode: nodeB, operatorId: opB.id });
    // Recorded, and archived by the instance whose node's spool holds the file.
    for (const c of [done1, done2]) {
      await waitFor('the recording to be archived', async () => (await db.selectFrom('recordings').select('status').where('call_id', '=', c.id).where('kind', '=', 'call').executeTakeFirst())?.status === 'archived');
    }
    const recNodes = await db.selectFrom('recordings').select(['call_id', 'pbx_node']).where('call_id', 'in', [done1.id, done2.id]).execute();
    expect(Object.fromEntries(recNodes.map((r) => [r.call_id, r.pbx_node]))).toEqual({ [done1.id]: nodeA, [done2.id]: nodeB });

    // A callback, with both instances' workers on one queue: only node B has a free operator.
    expect((await a.api('PUT', `/api/operators/${opA.id}/state`, { state: 'offline' })).status).toBe(200);
    const dialled = answerOnce({ sipPort: customer.sip, mediaPort: customer.media, hangUpAfterMs: 1500 });
    const booked = await a.api<{ id: string }>('POST', '/api/callbacks', { number: randomPhone(), line: 'first' });
    expect(booked.status).toBe(201);
    const cb = await waitFor('the callback to complete', async () => {
      const x = (await a.api<{ status: string; attemptLog: { callId: string | null }[] }>('GET', `/api/callbacks/${booked.body.id}`)).body;
      return x.status === 'completed' ? x : undefined;
    }, 60_000);
    expect(cb.attemptLog).toHaveLength(1);
    expect((await dialled).code).toBe(0);
    const cbCalls = await db.selectFrom('calls').select(['id', 'pbx_node', 'operator_id']).where('callback_id', '=', booked.body.id).execute();
    expect(cbCalls).toEqual([{ id: cb.attemptLog[0]?.callId, pbx_node: nodeB, operator_id: opB.id }]);

    // Instance A dies: node B's instance goes on serving its callers.
    a.proc.kill('SIGKILL');
    await a.exited;
    await clearLine(b.api, 'first');
    const opB2 = await operatorWithPhone(b.api, 'first', (p) => answerOnce({ sipPort: p.sip, mediaPort: p.media, calls: 1 }), { pbxNode: nodeB, target: targetB, stateApi: b.api });
    const c3 = randomPhone();
    const r3 = await runCaller({ caller: c3, number: '88005553535', steps: [info('1', 1500)], talkMs: 2000, target: targetB });
    expect(r3.code, r3.stdout + r3.stderr).toBe(0);
    expect((await opB2.phone).code).toBe(0);
    expect(await waitFor('the call on B after A died', async () => ((x) => (x?.status === 'completed' ? x : undefined))(await callOf(b.api, c3)))).toMatchObject({ pbxNode: nodeB, operatorId: opB2.id });
  });
});
