// Internal calls (issue 19) against the real Asterisk: an operator's endpoint (SIPp, digest
// auth like a desk phone) dials a colleague's extension and the colleague's registered phone
// rings and answers, marked internal for the panel, with no call row or ticket; the ACD and the
// colleague list see both operators busy meanwhile; recorded apart when the setting is on. A trunk-looking number, an emergency number
// and an extension nobody has are refused by the dialplan. Extensions are assigned and edited,
// and Asterisk's extension endpoints (ext-<n>, endpoint-push.ts) follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { allocPorts, phoneScenario, PBX_TARGET, registerPhone, sippProcess, type SippResult } from '../harness/sipp-driver.js';
import type { Browser } from 'playwright-core';
import { startTestApp, uniq, waitFor, type TestApp } from '../support/app.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { mediaStats, panelOperator } from '../support/panel.js';
import { db } from '../support/recordings.js';

let t: TestApp;
let net: TestNet;
let browser: Browser | undefined;
beforeAll(async () => {
  // The service on the test network: the browser case's panels reach it (and Asterisk) from there.
  net = createTestNet();
  t = await startTestApp({ HTTP_HOST: net.hostAddr });
  await waitFor('readyz', async () => (await fetch(`${t.base}/readyz`)).status === 200);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  net?.close();
});

interface Op {
  id: string;
  extension: string | null;
  state: string;
  sip: { username: string };
}

const create = async (extra: Record<string, unknown> = {}) => {
  const password = `${uniq('pw-')}${uniq()}`;
  const r = await t.api<Op>('POST', '/api/operators', { login: uniq('ic'), name: `Коллега ${uniq()}`, line: 'second', sipPassword: password, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...r.body, password };
};

const ari = async (path: string) => {
  const auth = Buffer.from(`${process.env.PBX_ARI_USER}:${process.env.PBX_ARI_PASSWORD}`).toString('base64');
  const res = await fetch(`${process.env.ARI_URL}/ari${path}`, { headers: { authorization: `Basic ${auth}` } });
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
};
const ariPost = async (p: string, query: Record<string, string>) => {
  const auth = Buffer.from(`${process.env.PBX_ARI_USER}:${process.env.PBX_ARI_PASSWORD}`).toString('base64');
  const res = await fetch(`${process.env.ARI_URL}/ari${p}?${new URLSearchParams(query)}`, { method: 'POST', headers: { authorization: `Basic ${auth}` } });
  expect(res.status).toBeLessThan(300);
};
/** The operator endpoint an extension leads to in Asterisk (its ext-<n> endpoint's aors), null: none. */
const aorsOf = async (extension: string) => {
  const r = await ari(`/asterisk/config/dynamic/res_pjsip/endpoint/ext-${extension}`);
  if (r.status === 404) return null;
  return (r.body as { attribute: string; value: string }[]).find((f) => f.attribute === 'aors')?.value;
};

/**
 * An operator's phone placing a call: INVITE from its endpoint, answered by a digest challenge,
 * sent again with credentials; then either answered (talks talkMs, hangs up) or refused with `refusedWith`.
 */
function dialScenario(o: { talkMs: number } | { refusedWith: number }): string {
  const invite = (cseq: number, auth: boolean) => `<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$me]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:[$me]@[local_ip]:[local_port]>${auth ? '\n[authentication]' : ''}
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000
a=sendrecv
]]></send>`;
  const ack = (cseq: number, via: string) => `<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
${via}
From: <sip:[$me]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ACK
Contact: <sip:[$me]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>`;
  const end =
    'refusedWith' in o
      ? `<recv response="${o.refusedWith}"/>\n${ack(2, '[last_Via:]')}`
      : `<recv response="200" rtd="true"/>
${ack(2, 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]')}
<pause milliseconds="${o.talkMs}"/>
<send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$me]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0
]]></send>
<recv response="200" crlf="true"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="operator dials">
<Global variables="me"/>
${invite(1, false)}
<recv response="100" optional="true"/>
<recv response="401" auth="true"/>
${ack(1, '[last_Via:]')}
${invite(2, true)}
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
${end}
</scenario>`;
}

async function dial(from: { sip: { username: string }; password: string }, number: string, o: { talkMs: number } | { refusedWith: number }): Promise<SippResult> {
  const ports = allocPorts();
  const p = await sippProcess('internal-dial', dialScenario(o), [
    PBX_TARGET, '-m', '1', '-l', '1', '-s', number, '-set', 'me', from.sip.username,
    '-au', from.sip.username, '-ap', from.password, '-p', String(ports.sip), '-mp', String(ports.media),
  ], 30_000);
  return p.done;
}

/** The colleague's phone: answers once, and fails unless the INVITE says internal, from `callerExt`. */
async function internalPhone(ports: { sip: number; media: number }, callerExt: string): Promise<SippResult> {
  const xml = phoneScenario({}).replace(
    '<recv request="INVITE" crlf="true"/>',
    `<recv request="INVITE" crlf="true"><action><ereg regexp="(^|[^0-9])${callerExt}([^0-9]|$)" search_in="hdr" header="X-Pbxdesk-Internal:" check_it="true" assign_to="hdr"/></action></recv>\n<Reference variables="hdr"/>`,
  );
  return (await sippProcess('internal-phone', xml, ['-m', '1', '-l', '1', '-p', String(ports.sip), '-mp', String(ports.media)], 60_000)).done;
}

describe('internal calls', () => {
  it('assigns extensions, lets an admin change one, refuses taken, malformed and emergency numbers', async () => {
    const a = await create();
    expect(a.extension).toMatch(/^[1-9]\d{3}$/);
    const b = await create();
    expect(b.extension).not.toBe(a.extension);
    // Asterisk got the extension's endpoint with the operator's: it names the operator's endpoint.
    expect(await aorsOf(a.extension!)).toBe(a.sip.username);

    expect((await t.api('PUT', `/api/operators/${b.id}/extension`, { extension: a.extension })).status).toBe(409);
    expect((await t.api('PUT', `/api/operators/${b.id}/extension`, { extension: '0123' })).status).toBe(400);
    const reserved = await t.api<{ error: { code: string } }>('PUT', `/api/operators/${b.id}/extension`, { extension: '112' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.code).toBe('invalid_extension');
    const again = await t.api('POST', '/api/operators', { login: uniq('ic'), name: 'Taken', line: 'first', sipPassword: 'a-long-sip-secret', extension: a.extension });
    expect(again.status).toBe(409);

    // A free number of our own: given, written to Asterisk, and the old entry cleared.
    const mine = String(5000 + Math.floor(Math.random() * 4000));
    await db.updateTable('operators').set({ extension: null }).where('extension', '=', mine).execute();
    const moved = await t.api<Op>('PUT', `/api/operators/${b.id}/extension`, { extension: mine });
    expect(moved.status).toBe(200);
    expect(moved.body.extension).toBe(mine);
    expect(await aorsOf(mine)).toBe(b.sip.username);
    expect(await aorsOf(b.extension!)).toBeNull();
    // Only admins edit extensions.
    const op = await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('ic-'), role: 'operator', operatorId: a.id });
    expect((await t.api('PUT', `/api/operators/${a.id}/extension`, { extension: '7777' }, op.body.token)).status).toBe(403);
  });

  it('rings the colleague behind an extension straight from the dialplan: no call row, no ticket, both busy meanwhile', async () => {
    const caller = await create();
    const callee = await create();
    const ports = allocPorts();
    const reg = await registerPhone({ username: callee.sip.username, password: callee.password, sipPort: ports.sip });
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    for (const o of [caller, callee]) expect((await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'available' })).status).toBe(200);
    const since = new Date();
    const token = (await t.api<{ token: string }>('POST', '/api/tokens', { name: uniq('ic-'), role: 'operator', operatorId: caller.id })).body.token;
    type Directory = { me: { id: string; extension: string } | null; colleagues: { id: string; extension: string | null; state: string; name: string }[] };
    const directory = await t.api<Directory>('GET', '/api/panel/directory', undefined, token);
    expect(directory.status).toBe(200);
    expect(directory.body.me).toEqual({ id: caller.id, extension: caller.extension });
    expect(directory.body.colleagues.find((c) => c.id === callee.id)).toMatchObject({ extension: callee.extension, state: 'available' });
    expect(directory.body.colleagues.some((c) => c.id === caller.id)).toBe(false);

    // Recorded when INTERNAL_CALLS_RECORDED says so: the service sets this global at each ARI connect (off here).
    await ariPost('/asterisk/variable', { variable: 'PBXDESK_INTERNAL_REC', value: '1' });
    const phone = internalPhone(ports, caller.extension!);
    const call = dial(caller, callee.extension!, { talkMs: 4000 });
    // While they talk, the ACD offers neither a queue call and the list says busy (AMI UserEvents from the dialplan).
    await waitFor('both operators left out by the ACD', async () => {
      const free = t.app.operators.available('second').map((o) => o.id);
      return !free.includes(caller.id) && !free.includes(callee.id);
    }, 10_000).catch(async (err: Error) => {
      // What the two phones and Asterisk said, to tell a call that failed from an event that never came.
      const [c, p] = await Promise.all([call, phone]);
      const log = (await readFile(`${process.env.STACK_DIR}/asterisk.out`, 'utf8').catch(() => '')).split('\n').filter((l) => !l.includes('stir_shaken')).join('\n');
      throw new Error(`${err.message}\ncaller ${c.code}: ${c.stderr.slice(-1500)}\nphone ${p.code}: ${p.stderr.slice(-800)}\nasterisk: ${log.slice(-3000)}`);
    });
    const during = await t.api<Directory>('GET', '/api/panel/directory', undefined, token);
    expect(during.body.colleagues.find((c) => c.id === callee.id)?.state).toBe('busy');
    const [c, p] = await Promise.all([call, phone]);
    await ariPost('/asterisk/variable', { variable: 'PBXDESK_INTERNAL_REC', value: '0' });
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    // Apart from the archive's spool: no call row or ticket to file it under.
    const internalDir = path.join(path.dirname(process.env.RECORDINGS_SPOOL_DIR as string), 'internal');
    const recorded = (await readdir(internalDir)).filter((f) => f.includes(`-${caller.extension}-${callee.extension}-`));
    expect(recorded).toHaveLength(1);
    await Promise.all(recorded.map((f) => rm(path.join(internalDir, f))));
    await waitFor('both back for the ACD', async () => {
      const free = t.app.operators.available('second').map((o) => o.id);
      return free.includes(caller.id) && free.includes(callee.id);
    });

    // Not a call of the call centre's: no row (and so no ticket) for it.
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM calls WHERE entered_at >= ${since} AND (caller_number = ${caller.extension} OR dialled_number = ${callee.extension} OR operator_id IN (${caller.id}, ${callee.id}))`.execute(db);
    expect(Number(rows.rows[0]!.n)).toBe(0);
    // Operators' states are theirs: the internal call changed nothing in Postgres.
    const states = await t.api<{ operators: Op[] }>('GET', '/api/operators');
    for (const id of [caller.id, callee.id]) expect(states.body.operators.find((o) => o.id === id)?.state).toBe('available');
    for (const o of [caller, callee]) await t.api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });
  });

  it('refuses what is not a colleague: a trunk-looking number, an emergency number, an extension nobody has', async () => {
    const caller = await create();
    // _X. in [operators]: Hangup(21), "call rejected".
    const trunk = await dial(caller, '89161234567', { refusedWith: 403 });
    expect(trunk.code, trunk.stdout + trunk.stderr).toBe(0);
    const plus = await dial(caller, '+79161234567', { refusedWith: 404 });
    expect(plus.code, plus.stdout + plus.stderr).toBe(0);
    // Extension-shaped, but nobody's: unallocated.
    const emergency = await dial(caller, '112', { refusedWith: 404 });
    expect(emergency.code, emergency.stdout + emergency.stderr).toBe(0);
  });

  it('two panels call each other by extension: the colleague card dials, the other panel rings as an internal call, media both ways', async () => {
    browser = await launchChromium(net.chromium, t.base);
    const anna = await panelOperator(t, browser, { line: 'first', name: 'Анна Петрова' });
    const boris = await panelOperator(t, browser, { line: 'second', name: 'Борис Смирнов' });
    const borisExt = (await t.api<{ operators: Op[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === boris.id)!.extension!;
    const annaExt = (await t.api<{ operators: Op[] }>('GET', '/api/operators')).body.operators.find((o) => o.id === anna.id)!.extension!;
    const since = new Date();

    // Boris signed in after Anna's list was read: his first state change puts him on it (pushed), with his extension.
    expect((await t.api('PUT', `/api/operators/${boris.id}/state`, { state: 'paused', reason: 'training' })).status).toBe(200);
    const row = `#colleagues li[data-id="${boris.id}"]`;
    await anna.page.waitForSelector(`${row} .ic-state.paused`);
    expect(await anna.page.textContent(row)).toContain(borisExt);
    expect(await anna.page.textContent('#colleagues h3')).toContain(annaExt);
    await anna.page.click(`${row} .ic-dial`);
    await anna.page.waitForSelector('#ic-call:not([hidden])');

    // Boris's panel rings: an internal call from Anna, no caller number, no ticket.
    await boris.page.waitForSelector('#call.ringing', { timeout: 20_000 });
    await boris.page.waitForFunction((name) => document.querySelector('#pop-caller')?.textContent?.includes(name), 'Анна Петрова');
    expect(await boris.page.textContent('#pop-caller')).toContain(`Внутренний вызов: Анна Петрова (${annaExt})`);
    expect(await boris.page.textContent('#ticket-number')).toBe('');
    expect(await boris.page.isVisible('#pop-verif')).toBe(false);
    await boris.page.click('#answer');
    await boris.page.waitForSelector('#call-actions:not([hidden])');
    await anna.page.waitForFunction(() => document.querySelector('#ic-call')?.textContent?.includes('Разговор'));
    for (const p of [anna.page, boris.page]) {
      await waitFor('RTP both ways', async () => {
        const s = await mediaStats(p);
        return s && s.pairSucceeded && s.packetsReceived > 25 && s.packetsSent > 25 ? s : undefined;
      }, 30_000);
    }
    await anna.page.screenshot({ path: `${ARTIFACTS}/internal-call-caller.png` });
    await boris.page.screenshot({ path: `${ARTIFACTS}/internal-call-callee.png` });

    await anna.page.click('#ic-call .ic-hangup');
    await boris.page.waitForSelector('#call', { state: 'hidden', timeout: 20_000 });
    await anna.page.waitForSelector('#ic-call', { state: 'hidden' });
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM calls WHERE entered_at >= ${since} AND operator_id IN (${anna.id}, ${boris.id})`.execute(db);
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });
});
