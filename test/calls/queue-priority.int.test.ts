// Priority in the queue and the IVR's callback offer, with real callers (SIPp):
// a caller who keys a high-priority ticket goes ahead of one who called shortly before; a caller
// who takes the callback offered in the IVR keeps their place and hangs up, one who does not is
// queued as usual.
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller, type DtmfStep } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';

interface Call {
  id: string;
  status: string;
  ivrPath: string[];
  ticketId: string | null;
  endedAt: string | null;
}

let t: TestApp;
beforeAll(async () => {
  const flow = JSON.parse(await readFile('pbx-config/ivr/main.json', 'utf8')) as { nodes: Record<string, unknown[]> & { main: { options?: Record<string, unknown> }[] } };
  // Key 1: the callback offer first, then the first line.
  flow.nodes['first-offer'] = [
    { verb: 'callback', line: 'first', prompt: 'callback-ivr-offer', timeoutSec: 4 },
    { verb: 'route', line: 'first' },
  ];
  flow.nodes.main[2]!.options!['1'] = { goto: 'first-offer' };
  dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-priority-'));
  const file = path.join(dir, 'flow.json');
  await writeFile(file, JSON.stringify(flow));
  t = await startTestApp({ IVR_FLOW_FILE: file, QUEUE_VERIFIED_AHEAD_SEC: '300', QUEUE_HIGH_PRIORITY_AHEAD_SEC: '600' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  await clearLine(t.api, 'first');
});
let dir: string | undefined;
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const info = (digit: string, afterMs: number): DtmfStep => ({ digit, method: 'info', afterMs });
const callOf = async (caller: string) => (await t.api<{ calls: Call[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
const queued = (caller: string) => waitFor(`${caller} queued`, async () => {
  const c = await callOf(caller);
  return c?.status === 'queued' ? c : undefined;
});

describe('queue priority', () => {
  it('puts a caller on a high-priority ticket ahead of one who called shortly before', async () => {
    const [x, y] = [randomPhone(), randomPhone()];
    // Y's own ticket (their number is on it): a keyed number alone would only be a claim, without priority.
    const ticket = (await t.api<{ id: string; number: string }>('POST', '/api/tickets', { subject: 'Авария у клиента', priority: 'high', line: 'first', callerNumber: y })).body;
    // X: key 1, says nothing to the callback offer (queued after ~12 s), waits in the queue.
    const first = runCaller({ caller: x, number: '88005553535', steps: [info('1', 1500)], talkMs: 24_000 });
    const xCall = await queued(x);
    expect(xCall.ivrPath).toEqual(['menu:main-menu=1', 'callback-offer:first=no', 'route:first']);
    // Y: key 3, the ticket number and #.
    const keyed = [...ticket.number].map((d) => info(d, 300));
    const second = runCaller({ caller: y, number: '88005553535', steps: [info('3', 1500), { ...keyed[0]!, afterMs: 2500 }, ...keyed.slice(1), info('#', 300)], talkMs: 3000 });
    const yCall = await queued(y);
    expect(yCall.ticketId).toBe(ticket.id);
    const order = (await t.api<{ waiting: { id: string }[] }>('GET', '/api/lines/first/queue')).body.waiting.map((e) => e.id);
    expect(order.filter((id) => id === xCall.id || id === yCall.id)).toEqual([yCall.id, xCall.id]);
    expect((await second).code).toBe(0);
    expect((await first).code).toBe(0);
  });
});

describe('the IVR callback offer', () => {
  it('books a callback for a caller who takes it: their place is kept and the call ends as a callback', async () => {
    const z = randomPhone();
    // 1 for the first line, 1 to take the offer, 1 to confirm the number they call from.
    const r = await runCaller({ caller: z, number: '88005553535', steps: [info('1', 1500), info('1', 2500), info('1', 2500)], talkMs: 0, awaitBye: true });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const call = await waitFor('the call to end', async () => {
      const c = await callOf(z);
      return c?.endedAt ? c : undefined;
    });
    expect(call.status).toBe('callback');
    expect(call.ivrPath).toEqual(['menu:main-menu=1', 'callback-offer:first=yes', 'callback:booked']);
    const queue = (await t.api<{ waiting: { kind: string; id: string }[] }>('GET', '/api/lines/first/queue')).body.waiting;
    const placeholder = queue.find((e) => e.kind === 'callback');
    expect(placeholder).toBeDefined();
    const cb = (await t.api<{ callId: string; number: string; status: string }>('GET', `/api/callbacks/${placeholder!.id}`)).body;
    expect(cb).toMatchObject({ callId: call.id, number: `+${z}`, status: 'waiting' });
    expect((await t.api('DELETE', `/api/callbacks/${placeholder!.id}`)).status).toBe(200);
  });
});
