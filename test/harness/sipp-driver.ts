// Real SIP peers for tests, the demo call and load runs: SIPp from the Asterisk chroot. Scenarios are made
// here per call and written into the chroot, where sipp runs.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CHROOT = process.env.PBX_CHROOT ?? '/var/cache/pbxdesk/asterisk-chroot';
const SIPP_DIR = process.env.SIPP_DIR ?? '/tmp/pbxdesk-sipp';
const PBX = `127.0.0.1:${process.env.PBX_SIP_PORT ?? '25060'}`;
const PCAPS = '/usr/share/sip-tester';

// Above the stack's own ports (PORT_BASE, from scripts/lib.sh), so two stacks side by side never share one.
const PORT_BASE = Number(process.env.PORT_BASE ?? 25000);
let nextPort = PORT_BASE + 200 + Math.floor(Math.random() * 50) * 2;
/** Loopback ports for SIPp's SIP and media sockets, never reused within one run. */
export function allocPorts(): { sip: number; media: number } {
  const sip = nextPort;
  nextPort += 2;
  return { sip, media: PORT_BASE + 500 + (sip - PORT_BASE - 200) * 4 };
}

export interface SippResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runSipp(name: string, xml: string, args: string[], timeoutMs = 90_000, calls = 1): Promise<SippResult> {
  return (await sippProcess(name, xml, ['-m', String(calls), '-l', '1', ...args], timeoutMs)).done;
}

/**
 * A SIPp process with the caller's own -m/-l/-r; `scenario` is its file inside the chroot (trace
 * files such as -trace_rtt land next to it, as <name>_<pid>_rtt.csv).
 */
export async function sippProcess(name: string, xml: string, args: string[], timeoutMs: number): Promise<{ scenario: string; hostDir: string; done: Promise<SippResult>; kill(): void }> {
  await mkdir(path.join(CHROOT, SIPP_DIR), { recursive: true });
  const file = `${SIPP_DIR}/${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.xml`;
  await writeFile(path.join(CHROOT, file), xml);
  let child: ReturnType<typeof spawn> | undefined;
  const done = new Promise<SippResult>((resolve, reject) => {
    const p = (child = spawn('chroot', [CHROOT, 'sipp', '-sf', file, '-nostdin', '-i', '127.0.0.1', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout: stdout.slice(-4000), stderr: stderr.slice(-4000) });
    });
  });
  return { scenario: file, hostDir: path.join(CHROOT, SIPP_DIR), done, kill: () => child?.kill('SIGTERM') };
}

export const PBX_TARGET = PBX;

/** Writes a file next to the scenarios (e.g. a -inf CSV); returns its path as SIPp sees it. */
export async function sippFile(name: string, text: string): Promise<string> {
  await mkdir(path.join(CHROOT, SIPP_DIR), { recursive: true });
  const file = `${SIPP_DIR}/${name}`;
  await writeFile(path.join(CHROOT, file), text);
  return file;
}

const SDP = (pt: string) => `v=0
o=- 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP ${pt} 101
a=rtpmap:${pt === '8' ? '8 PCMA' : '0 PCMU'}/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=sendrecv`;

const HEADERS = (method: string, cseq: number, extra = '') => `${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "[$caller]" <sip:[$caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>${extra}
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Contact: <sip:[$caller]@[local_ip]:[local_port]>
Max-Forwards: 70`;

export type DtmfStep = { digit: string; method: 'info' | 'rfc4733'; afterMs: number };

const EVENTS = '0123456789*#';

/**
 * A pcap of one RFC 4733 digit for SIPp to play. SIPp replays RTP as it is in the file, and
 * the stock sip-tester pcaps all carry the same RTP timestamp: Asterisk then takes the second
 * digit of a call for a repeat of the first and drops it. Ours get a timestamp and sequence
 * numbers per position in the call (`index`), so any number of digits in a row arrive.
 */
export function rfc4733Pcap(digit: string, index: number): Buffer {
  const event = EVENTS.indexOf(digit);
  if (event < 0) throw new Error(`no RFC 4733 event for ${digit}`);
  const ts = 160_000 + index * 16_000;
  const packets: Buffer[] = [];
  const add = (k: number, duration: number, end: boolean) => {
    const rtp = Buffer.alloc(16);
    rtp.writeUInt8(0x80, 0);
    rtp.writeUInt8((k === 0 ? 0x80 : 0) | 101, 1); // marker on the first packet of the event
    rtp.writeUInt16BE((1000 + index * 20 + k) & 0xffff, 2);
    rtp.writeUInt32BE(ts, 4);
    rtp.writeUInt32BE(0x5eed0001, 8);
    rtp.writeUInt8(event, 12);
    rtp.writeUInt8((end ? 0x80 : 0) | 10, 13); // E bit, volume -10 dBm0
    rtp.writeUInt16BE(duration, 14);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(17, 9);
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const hdr = Buffer.alloc(16);
    const t = k * 20_000; // µs: one packet each 20 ms
    hdr.writeUInt32LE(1_700_000_000 + Math.floor(t / 1e6), 0);
    hdr.writeUInt32LE(t % 1e6, 4);
    hdr.writeUInt32LE(frame.length, 8);
    hdr.writeUInt32LE(frame.length, 12);
    packets.push(hdr, frame);
  };
  for (let k = 0; k < 8; k++) add(k, (k + 1) * 160, false);
  for (let k = 8; k < 11; k++) add(k, 8 * 160, true); // the end packet, sent three times as RFC 4733 asks
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  return Buffer.concat([global, ...packets]);
}

/** A caller on the trunk: dials `number`, keys digits, stays `talkMs` more, hangs up. */
export function callerScenario(steps: DtmfStep[], talkMs: number, o: { awaitBye?: boolean; speakAfterMs?: number } = {}): string {
  let cseq = 2;
  const body = steps
    .map((s, i) => {
      const pause = `<pause milliseconds="${s.afterMs}"/>`;
      if (s.method === 'rfc4733') {
        return `${pause}\n<nop><action><exec play_pcap_audio="${SIPP_DIR}/dtmf-${EVENTS.indexOf(s.digit)}-${i}.pcap"/></action></nop>`;
      }
      return `${pause}
<send retrans="500"><![CDATA[
${HEADERS('INFO', cseq++, '[peer_tag_param]')}
Content-Type: application/dtmf-relay
Content-Length: [len]

Signal=${s.digit}
Duration=160
]]></send>
<recv response="200"/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="pbxdesk caller">
<Global variables="caller"/>
<send retrans="500"><![CDATA[
${HEADERS('INVITE', 1)}
Content-Type: application/sdp
Content-Length: [len]

${SDP('8')}
]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "[$caller]" <sip:[$caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:[$caller]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
${body}
${o.speakAfterMs === undefined ? '' : `<pause milliseconds="${o.speakAfterMs}"/>\n<nop><action><exec play_pcap_audio="${PCAPS}/g711a.pcap"/></action></nop>`}
${
  o.awaitBye
    ? // The far end hangs up (a booked callback, an operator ending the call).
      `<recv request="BYE"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>`
    : `<pause milliseconds="${talkMs}"/>
<send retrans="500"><![CDATA[
${HEADERS('BYE', cseq++, '[peer_tag_param]')}
Content-Length: 0
]]></send>
<recv response="200" crlf="true"/>`
}
</scenario>`;
}

async function writeDtmfPcaps(steps: DtmfStep[]): Promise<void> {
  await mkdir(path.join(CHROOT, SIPP_DIR), { recursive: true });
  await Promise.all(
    steps.map((s, i) =>
      s.method === 'rfc4733' ? writeFile(path.join(CHROOT, SIPP_DIR, `dtmf-${EVENTS.indexOf(s.digit)}-${i}.pcap`), rfc4733Pcap(s.digit, i)) : undefined,
    ),
  );
}

/** speakAfterMs: after the digits, wait that long, then talk (speech-like audio) during talkMs. */
/** A caller into the stack's Asterisk, or into `target` (host:port of another node). */
export async function runCaller(opts: { caller: string; number: string; steps: DtmfStep[]; talkMs: number; awaitBye?: boolean; speakAfterMs?: number; target?: string }): Promise<SippResult> {
  await writeDtmfPcaps(opts.steps);
  const ports = allocPorts();
  return runSipp('caller', callerScenario(opts.steps, opts.talkMs, { awaitBye: opts.awaitBye, speakAfterMs: opts.speakAfterMs }), [
    opts.target ?? PBX, '-s', opts.number, '-set', 'caller', opts.caller, '-p', String(ports.sip), '-mp', String(ports.media),
  ]);
}

/**
 * A REGISTER answered by a digest challenge, then sent again with credentials. `user` and
 * `auth` are SIPp keywords: `[service]` with `[authentication]` (-s/-au/-ap) for one phone, or
 * CSV fields for many phones in one run.
 */
export function registerScenario(user = '[service]', auth = '[authentication]'): string {
  const reg = (cseq: number, withAuth: boolean) => `<send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${user}@[remote_ip]>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${user}@[local_ip]:[local_port]>
Expires: 3600${withAuth ? `\n${auth}` : ''}
Max-Forwards: 70
Content-Length: 0
]]></send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
${reg(1, false)}
<recv response="401" auth="true"/>
${reg(2, true)}
<recv response="200"/>
</scenario>`;
}

/** REGISTERs an operator's phone (digest auth) so that its contact is 127.0.0.1:sipPort. */
export function registerPhone(opts: { username: string; password: string; sipPort: number; target?: string }): Promise<SippResult> {
  return runSipp('register', registerScenario(), [opts.target ?? PBX, '-s', opts.username, '-au', opts.username, '-ap', opts.password, '-p', String(opts.sipPort)], 20_000);
}

/**
 * A response of the phone (UAS) to the request just received. `tag`: add our To tag (not on
 * the final 200 to BYE, whose To already carries it); `cseq` overrides the CSeq line.
 */
function reply(status: string, o: { tag?: boolean; cseq?: string; contact?: boolean; sdp?: boolean; retrans?: boolean } = {}): string {
  const lines = [
    `SIP/2.0 ${status}`,
    '[last_Via:]',
    '[last_From:]',
    o.tag === false ? '[last_To:]' : '[last_To:];tag=[pid]SIPpTag01[call_number]',
    '[last_Call-ID:]',
    o.cseq ?? '[last_CSeq:]',
    ...(o.contact ? ['Contact: <sip:[local_ip]:[local_port];transport=[transport]>'] : []),
    ...(o.sdp ? ['Content-Type: application/sdp', 'Content-Length: [len]', '', SDP('8')] : ['Content-Length: 0']),
  ];
  return `<send${o.retrans ? ' retrans="500"' : ''}><![CDATA[\n${lines.join('\n')}\n]]></send>`;
}

const uas = (name: string, body: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
<recv request="INVITE" crlf="true"/>
${reply('180 Ringing', { contact: true })}
${body}
</scenario>`;

/**
 * A phone that answers `calls` calls one after the other (an operator's, or a customer's on the
 * trunk side), plays speech-like audio, and waits for BYE; with hangUpAfterMs it hangs up itself.
 */
export function answerOnce(opts: { sipPort: number; mediaPort: number; ringMs?: number; calls?: number; hangUpAfterMs?: number }): Promise<SippResult> {
  return runSipp('phone', phoneScenario(opts), ['-p', String(opts.sipPort), '-mp', String(opts.mediaPort)], 120_000, opts.calls ?? 1);
}

/** The scenario of answerOnce: answer after ringMs, play audio, wait for BYE or hang up after hangUpAfterMs. */
export function phoneScenario(opts: { ringMs?: number; hangUpAfterMs?: number }): string {
  const end =
    opts.hangUpAfterMs === undefined
      ? `<recv request="BYE"/>\n${reply('200 OK', { tag: false })}`
      : `<pause milliseconds="${opts.hangUpAfterMs}"/>
<send retrans="500"><![CDATA[
BYE sip:[$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:phone@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$remote_from]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
<recv response="200"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone">
${
  opts.hangUpAfterMs === undefined
    ? '<recv request="INVITE" crlf="true"/>'
    : // What the phone's own BYE needs: the caller's From (our To) and where to send it.
      `<recv request="INVITE" crlf="true">
  <action>
    <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
    <ereg regexp="sip:([^>;]*)" search_in="hdr" header="Contact:" assign_to="trash,remote_contact"/>
  </action>
</recv>
<Reference variables="trash"/>`
}
${reply('180 Ringing', { contact: true })}
<pause milliseconds="${opts.ringMs ?? 300}"/>
${reply('200 OK', { contact: true, sdp: true, retrans: true })}
<recv request="ACK" rtd="true" crlf="true"/>
<nop><action><exec play_pcap_audio="${PCAPS}/g711a.pcap"/></action></nop>
${end}
</scenario>`;
}

/** An operator's phone that rings and is never picked up: it answers the CANCEL when the ring times out. */
export function ringNoAnswer(opts: { sipPort: number; calls?: number }): Promise<SippResult> {
  const xml = uas('operator phone, no answer', `<recv request="CANCEL"/>
${reply('200 OK')}
${reply('487 Request Terminated', { cseq: 'CSeq: [last_cseq_number] INVITE' })}
<recv request="ACK"/>`);
  return runSipp('noanswer', xml, ['-p', String(opts.sipPort)], 120_000, opts.calls ?? 1);
}
