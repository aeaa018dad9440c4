// The Request Tracker 5 connector against a real RT 5 (started by the test): a real call
// creates an RT ticket in the configured queue with the call's details and the recording link;
// a call whose caller keyed an RT ticket number comments on that ticket; status and subject
// changes made in RT flow back; and an RT that is down never holds up a call, while the ticket
// shows its sync failing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaller } from '../harness/sipp-driver.js';
import { clearLine, randomPhone, startTestApp, waitFor, type TestApp } from '../support/app.js';
import { operatorWithPhone } from '../support/phones.js';
import { startRt, type RtServer } from '../support/rt.js';

interface Ticket {
  id: string;
  number: string;
  status: string;
  subject: string;
  sync: { connector: string; remoteId: string | null; state: string; lastError: string | null }[];
  timeline: { kind: string; actor: string }[];
}
interface RtTicket {
  id: string;
  Subject: string;
  Status: string;
  Queue: { id: string };
}

let t: TestApp;
let rt: RtServer;
const subs: string[] = [];
beforeAll(async () => {
  rt = await startRt();
  t = await startTestApp({ RT_AUTH: rt.auth, RT_QUEUE: 'General', CONNECTOR_POLL_SEC: '1', OUTBOUND_MAX_ATTEMPTS: '2', OUTBOUND_RETRY_BASE_MS: '200', PUBLIC_BASE_URL: 'https://pbxdesk.example' });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
  for (const url of [rt.url, 'http://127.0.0.1:9']) {
    const r = await t.api<{ id: string }>('POST', '/api/webhooks', { connector: 'rt5', url, description: url.endsWith(':9') ? 'an RT that is down' : 'RT' });
    expect(r.status).toBe(201);
    subs.push(r.body.id);
  }
  await clearLine(t.api, 'first');
}, 120_000);
afterAll(async () => {
  for (const id of subs) await t.api('DELETE', `/api/webhooks/${id}`);
  await t?.stop();
  await rt?.stop();
});

/** The text of an RT ticket's transactions (create and comments). */
async function rtText(id: string): Promise<string> {
  const hist = await rt.api<{ items: { id: string }[] }>('GET', `/ticket/${id}/history?per_page=100`);
  const out: string[] = [];
  for (const item of hist.body.items) {
    const tx = await rt.api<{ Type: string; _hyperlinks?: { ref: string; _url: string }[] }>('GET', `/transaction/${item.id}`);
    for (const link of tx.body._hyperlinks ?? []) {
      if (link.ref !== 'attachment') continue;
      const att = await rt.api<{ Content?: string }>('GET', link._url.replace(/^.*\/REST\/2\.0/, ''));
      if (att.body.Content) out.push(Buffer.from(att.body.Content, 'base64').toString('utf8'));
    }
  }
  return out.join('\n---\n');
}

describe('Request Tracker 5', () => {
  let ticket: Ticket;
  let remoteId: string;

  it('creates an RT ticket for a call, with caller, line, operator, duration and the recording link', async () => {
    const op = await operatorWithPhone(t.api, 'first');
    const caller = randomPhone();
    const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1500 }], talkMs: 3000 });
    expect(r.code, r.stdout).toBe(0);
    expect((await op.phone).code).toBe(0);
    await t.api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
    const call = await waitFor('the call to end', async () => {
      const c = (await t.api<{ calls: { id: string; endedAt: string | null; ticketId: string; recordingId: string }[] }>('GET', `/api/calls?caller=${caller}`)).body.calls[0];
      return c?.endedAt ? c : undefined;
    });
    ticket = await waitFor('both syncs to settle', async () => {
      const x = (await t.api<Ticket>('GET', `/api/tickets/${call.ticketId}`)).body;
      const ok = x.sync.find((s) => s.state === 'synced');
      const failed = x.sync.find((s) => s.state === 'failed');
      return ok && failed ? x : undefined;
    });
    remoteId = ticket.sync.find((s) => s.state === 'synced')!.remoteId!;
    // The RT that is down: the call went on regardless, and the ticket says why its sync fails.
    expect(ticket.sync.find((s) => s.state === 'failed')).toMatchObject({ connector: 'rt5', remoteId: null, lastError: expect.stringContaining('RT unreachable') });
    const remote = (await rt.api<RtTicket>('GET', `/ticket/${remoteId}`)).body;
    expect(remote.Subject).toBe(ticket.subject);
    expect(remote.Status).toBe('new');
    const text = await rtText(remoteId);
    expect(text).toContain(`Caller: ${caller}`);
    expect(text).toContain('Line: first');
    expect(text).toContain('Verification: not verified');
    expect(text).toMatch(/Operator: Operator first \(op[0-9a-f]+\)/);
    expect(text).toMatch(/Duration: 0m \d+s/);
    expect(text).toContain(`Recording: https://pbxdesk.example/api/recordings/${call.recordingId}/audio`);
    expect(text).toContain(`pbxdesk ticket: #${ticket.number}`);
  });

  it('comments on the RT ticket whose number the caller keyed', async () => {
    // A call whose caller keyed the RT ticket's number (unknown to pbxdesk): its own pbxdesk ticket.
    const own = (await t.api<{ id: string }>('POST', '/api/tickets', { subject: 'Повторный звонок' })).body;
    await t.app.outbound.publishNow('call.ended', {
      callId: '00000000-0000-4000-8000-00000000c0de',
      ticketId: own.id,
      keyedTicketNumber: remoteId,
      callerNumber: '79160000001',
      line: 'second',
      status: 'completed',
      operator: null,
      answeredAt: '2026-11-22T10:00:00.000Z',
      endedAt: '2026-11-22T10:02:05.000Z',
      recordingId: null,
      verification: { status: 'verified', accountId: 'acc-42' },
    });
    const linked = await waitFor('the comment to land', async () => {
      const x = (await t.api<Ticket>('GET', `/api/tickets/${own.id}`)).body;
      return x.sync.find((s) => s.state === 'synced');
    });
    expect(linked.remoteId).toBe(remoteId);
    const text = await rtText(remoteId);
    expect(text).toContain('Caller: 79160000001');
    expect(text).toContain('Verification: verified (account acc-42)');
    expect(text).toContain('Duration: 2m 5s');
  });

  it('brings status and subject changes made in RT back to the pbxdesk ticket', async () => {
    expect((await rt.api('PUT', `/ticket/${remoteId}`, { Status: 'resolved', Subject: 'Решено в RT' })).status).toBe(200);
    const back = await waitFor('RT’s change to flow back', async () => {
      const x = (await t.api<Ticket>('GET', `/api/tickets/${ticket.id}`)).body;
      // Status and subject are applied one after the other within a poll: wait for both.
      return x.status === 'resolved' && x.subject === 'Решено в RT' ? x : undefined;
    }, 30_000);
    expect(back.timeline.filter((e) => e.actor === 'connector:rt5').map((e) => e.kind)).toEqual(expect.arrayContaining(['status', 'subject']));
  });
});
