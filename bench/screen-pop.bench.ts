/// <reference lib="dom" />
// Screen-pop latency (issue: operator panel): from the operator's channel starting to ring in
// Asterisk (AMI Newchannel for the operator's endpoint, as the bench receives it) to the panel's
// DOM showing the caller (a MutationObserver in the page), over N real calls: SIPp callers key
// the first line, browser operators (Chromium in a test network, WebRTC) answer by themselves
// and wrap up. Runs against the stack's own service (eval "$(scripts/stack.sh env)", stack up),
// reached from the test network through a small TCP relay. Target p95 < 100 ms.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import AsteriskManager from 'asterisk-manager';
import { runCaller } from '../test/harness/sipp-driver.js';
import { launchChromium } from '../test/harness/chromium.js';
import { createTestNet } from '../test/harness/test-network.js';
import { percentile } from './bench-support.js';
import { apiClient } from '../test/harness/api-client.js';

/** Listens on `host:0` and relays every connection to `to` (HTTP and the SIP WebSocket alike). */
function relay(host: string, to: { host: string; port: number }): Promise<net.Server & { port: number }> {
  const server = net.createServer((c) => {
    const u = net.connect(to.port, to.host);
    c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve(Object.assign(server, { port: (server.address() as net.AddressInfo).port }))));
}

const hex = () => randomBytes(4).toString('hex');

export async function screenPopBench(opts: { calls: number; operators: number }) {
  const env = process.env;
  const base = `http://${env.HTTP_HOST ?? '127.0.0.1'}:${env.HTTP_PORT ?? '15080'}`;
  const api = apiClient(base);
  if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status !== 200) throw new Error(`the service at ${base} is not ready: bring the stack up first`);

  // The first line is the bench's for the run: anyone available there is set offline (and back).
  const before = (await api<{ operators: { id: string; line: string; state: string }[] }>('GET', '/api/operators')).body.operators.filter((o) => o.line === 'first' && o.state === 'available');
  for (const o of before) await api('PUT', `/api/operators/${o.id}/state`, { state: 'offline' });

  const tnet = createTestNet();
  const url = new URL(base);
  const hop = await relay(tnet.hostAddr, { host: url.hostname, port: Number(url.port) });
  const origin = `http://${tnet.hostAddr}:${hop.port}`;
  const browser = await launchChromium(tnet.chromium, origin);
  const ami = AsteriskManager(Number(env.AMI_PORT), env.AMI_HOST ?? '127.0.0.1', env.PBX_AMI_USER as string, env.PBX_AMI_SECRET as string, true);
  const ringAt = new Map<string, number>();
  const born = new Map<string, number>();
  ami.on('managerevent', (e: Record<string, string>) => {
    // An operator's channel appears when the ACD dials them: the start of the ring. Its
    // Newchannel names no caller yet; the NewCallerid right after it does.
    if (!/^PJSIP\/op-bp/.test(e.channel ?? '')) return;
    if (e.event === 'Newchannel') born.set(e.channel as string, Date.now());
    if (e.event === 'NewCallerid' && e.calleridnum && born.has(e.channel as string) && !ringAt.has(e.calleridnum)) ringAt.set(e.calleridnum, born.get(e.channel as string) as number);
  });
  const ops: string[] = [];
  try {
    const pages = [];
    for (let i = 0; i < opts.operators; i++) {
      const login = `bp${hex()}`;
      const password = `panel-${hex()}${hex()}`;
      const op = (await api<{ id: string }>('POST', '/api/operators', { login, name: `Bench ${i + 1}`, line: 'first', sipPassword: `sip-${hex()}${hex()}`, softphone: 'webrtc' })).body;
      ops.push(op.id);
      await api('PUT', `/api/operators/${op.id}/panel-password`, { password });
      const page = await (await browser.newContext({ permissions: ['microphone'] })).newPage();
      await page.goto(`${origin}/panel`);
      await page.fill('#signin input[name=login]', login);
      await page.fill('#signin input[name=password]', password);
      await page.click('#signin button[type=submit]');
      await page.waitForSelector('#phone-state.ok', { timeout: 20_000 });
      // The page notes when each caller's number appears in the pop, answers, and wraps up.
      await page.evaluate(() => {
        const w = window as unknown as { pops: { caller: string; at: number }[]; pbxdesk: { ui: { invited: boolean } } };
        w.pops = [];
        const el = document.querySelector('#pop-caller') as HTMLElement;
        new MutationObserver(() => {
          const caller = el.textContent ?? '';
          if (caller && !w.pops.some((p) => p.caller === caller)) w.pops.push({ caller, at: Date.now() });
        }).observe(el, { childList: true, characterData: true, subtree: true });
        setInterval(() => {
          if (!(document.querySelector('#ring-actions') as HTMLElement).hidden && w.pbxdesk.ui.invited) (document.querySelector('#answer') as HTMLElement).click();
          const wrap = document.querySelector('#wrapup') as HTMLFormElement;
          if (!wrap.hidden && !wrap.dataset.sent) {
            wrap.dataset.sent = '1';
            (wrap.elements.namedItem('disposition') as HTMLSelectElement).value = 'other';
            wrap.requestSubmit();
            setTimeout(() => delete wrap.dataset.sent, 2000);
          }
        }, 50);
      });
      await api('PUT', `/api/operators/${op.id}/state`, { state: 'available' });
      pages.push(page);
    }
    for (let i = 0; i < 100 && !ami.isConnected(); i++) await new Promise((r) => setTimeout(r, 100));

    // Callers, as many at once as there are operators: each is answered at once.
    const callers = Array.from({ length: opts.calls }, (_, i) => `7999${String(Date.now() % 1e6).padStart(6, '0')}${String(i).padStart(3, '0')}`);
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: opts.operators }, async () => {
        while (next < callers.length) {
          const caller = callers[next++] as string;
          const r = await runCaller({ caller, number: '88005553535', steps: [{ digit: '1', method: 'info', afterMs: 1200 }], talkMs: 2500 });
          if (r.code !== 0) failures.push(caller);
          await new Promise((res) => setTimeout(res, 300)); // the operator's wrap-up
        }
      }),
    );
    const pops = (await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { pops: { caller: string; at: number }[] }).pops)))).flat();
    const latencies = pops.flatMap((p) => (ringAt.has(p.caller) ? [p.at - (ringAt.get(p.caller) as number)] : []));
    return {
      case: 'screen-pop',
      calls: opts.calls,
      operators: opts.operators,
      measured: latencies.length,
      failedCalls: failures.length,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: Math.max(0, ...latencies) },
      targetP95Ms: 100,
      met: latencies.length >= opts.calls * 0.99 && percentile(latencies, 95) < 100,
    };
  } finally {
    for (const id of ops) await api('PUT', `/api/operators/${id}/state`, { state: 'offline' }).catch(() => undefined);
    for (const o of before) await api('PUT', `/api/operators/${o.id}/state`, { state: 'available' }).catch(() => undefined);
    await browser.close();
    hop.close();
    tnet.close();
    ami.disconnect();
  }
}
