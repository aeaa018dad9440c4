// The README's demo: against a running stack (scripts/stack.sh up), creates an operator,
// registers a SIPp phone for it, places a SIPp call from the trunk that keys 1, and prints
// the call, its ticket and its recording as the API shows them.
import { randomBytes } from 'node:crypto';
import { allocPorts, answerOnce, registerPhone, runCaller } from '../test/harness/sipp-driver.js';

const base = `http://127.0.0.1:${process.env.HTTP_PORT ?? '15080'}`;
const token = process.env.PBXDESK_BOOTSTRAP_ADMIN_TOKEN ?? '';

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<void> {
  const login = `demo-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const op = await api<{ id: string; sip: { username: string } }>('POST', '/api/operators', {
    login, name: 'Demo Operator', line: 'first', sipPassword: password,
  });
  console.log(`operator ${login} (id ${op.id}) created; registering a SIPp phone as ${op.sip.username}`);
  const ports = allocPorts();
  const reg = await registerPhone({ username: op.sip.username, password, sipPort: ports.sip });
  if (reg.code !== 0) throw new Error(`REGISTER failed:\n${reg.stdout}${reg.stderr}`);
  const phone = answerOnce({ sipPort: ports.sip, mediaPort: ports.media });
  await api('PUT', `/api/operators/${op.id}/state`, { state: 'available' });
  const caller = `7999${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  console.log(`calling 88005553535 from ${caller}: greeting, keys 1 (SIP INFO), talks 5 s, hangs up`);
  const [c, p] = await Promise.all([
    runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 2000 }], talkMs: 5000 }),
    phone,
  ]);
  await api('PUT', `/api/operators/${op.id}/state`, { state: 'offline' });
  if (c.code !== 0 || p.code !== 0) throw new Error(`SIPp failed: caller ${c.code}, phone ${p.code}\n${c.stdout}`);
  let call: { id: string; ticketId: string; recordingId: string | null; endedAt: string | null } | undefined;
  for (let i = 0; i < 50 && !call?.endedAt; i++) {
    await new Promise((r) => setTimeout(r, 200));
    call = (await api<{ calls: (typeof call)[] }>('GET', `/api/calls?caller=${caller}`)).calls[0];
  }
  if (!call) throw new Error('the call did not show up');
  console.log('\nGET /api/calls/' + call.id, JSON.stringify(await api('GET', `/api/calls/${call.id}`), null, 2));
  console.log('\nGET /api/tickets/' + call.ticketId, JSON.stringify(await api('GET', `/api/tickets/${call.ticketId}`), null, 2));
  if (call.recordingId) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log('\nGET /api/recordings/' + call.recordingId, JSON.stringify(await api('GET', `/api/recordings/${call.recordingId}`), null, 2));
  }
}

main().catch((err: Error) => {
  console.error(`demo call failed: ${err.message}`);
  process.exit(1);
});
