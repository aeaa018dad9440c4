/// <reference lib="dom" />
// Screen-pop latency (issue: operator panel): from the operator's channel starting to ring in
// Asterisk (ARI ChannelCreated for the operator's endpoint, as the bench receives it on an app of
// its own subscribed to every channel: manager.conf no longer formats AMI Newchannel) to the panel's
// DOM showing the server's pop for that call (a MutationObserver in the page, on the pop's call
// id: the number the INVITE carries alone does not count), over N real calls: SIPp callers key
// the first line, browser operators (Chromium in a test network, WebRTC) answer by themselves
// and wrap up. Every fifth caller is a number that called eight callers before (issue 19: the
// pop includes the caller's other open tickets, so the repeat-caller lookup is exercised; each
// pop runs it). Runs against the stack's own service (eval "$(scripts/stack.sh env)", stack up),
// reached from the test network through a small TCP relay. Target: every pop measured, each
// while the phone still rings (before the answer), p95 < 100 ms.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'node:http';
import { runCaller } from '../test/harness/sipp-driver.js';
import { launchChromium } from '../test/harness/chromium.js';
import { createTestNet } from '../test/harness/test-network.js';
import { percentile } from './bench-support.js';
import { histogram, histogramPercentile } from './load-probes.js';
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
  /** Per caller number, when each of its calls started ringing an operator (a number calls up to twice). */
  const ringAt = new Map<string, number[]>();
  const born = new Map<string, number>();
  const ari = new URL(env.ARI_URL ?? 'http://127.0.0.1:15088');
  const events = new WebSocket(
    `ws://${ari.host}/ari/events?app=pbxdesk-bench-${hex()}&subscribeAll=true&api_key=${encodeURIComponent(env.PBX_ARI_USER as string)}:${encodeURIComponent(env.PBX_ARI_PASSWORD as string)}`,
  );
  let ariOpen = false;
  events.onopen = () => (ariOpen = true);
  events.onmessage = (m) => {
    // An operator's channel is created when the ACD dials them: the start of the ring. It is
    // created with the operator's own caller ID; the ChannelCallerId right after it names the caller.
    const e = JSON.parse(String(m.data)) as { type: string; channel?: { id: string; name: string; caller?: { number?: string } } };
    const ch = e.channel;
    if (!ch || !/^PJSIP\/op-bp/.test(ch.name)) return;
    if (e.type === 'ChannelCreated') born.set(ch.id, Date.now());
    const number = ch.caller?.number;
    if (e.type === 'ChannelCallerId' && number && born.has(ch.id)) {
      ringAt.set(number, [...(ringAt.get(number) ?? []), born.get(ch.id) as number]);
      born.delete(ch.id);
    }
  };
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
      // When each call's pop arrived on the panel's event stream (before the panel's own
      // listener runs): splits the latency into getting there and drawing it.
      await page.addInitScript(() => {
        const w = window as unknown as { sseAt: Record<string, number> };
        w.sseAt = {};
        const add = EventSource.prototype.addEventListener;
        EventSource.prototype.addEventListener = function (this: EventSource & { timed?: boolean }, type: string, fn: EventListenerOrEventListenerObject, o?: boolean | AddEventListenerOptions) {
          if (type === 'ringing' && !this.timed) {
            this.timed = true;
            add.call(this, 'ringing', (e) => {
              const id = (JSON.parse((e as MessageEvent<string>).data) as { callId?: string }).callId;
              if (id) w.sseAt[id] ??= Date.now();
            });
          }
          add.call(this, type, fn, o);
        } as typeof EventSource.prototype.addEventListener;
      });
      await page.goto(`${origin}/panel`);
      await page.fill('#signin input[name=login]', login);
      await page.fill('#signin input[name=password]', password);
      await page.click('#signin button[type=submit]');
      await page.waitForSelector('#phone-state.ok', { timeout: 20_000 });
      // The page notes when each call's server pop is drawn (and whether the phone still rang), answers, and wraps up.
      await page.evaluate(() => {
        const w = window as unknown as { pops: { callId: string; caller: string; at: number; ringing: boolean; repeats: number }[]; pbxdesk: { ui: { invited: boolean; call: { phase: string; pop: { repeatTickets?: unknown[] } } | null } } };
        w.pops = [];
        new MutationObserver(() => {
          const callId = (document.querySelector('#pop-repeat') as HTMLElement | null)?.dataset.popCall ?? '';
          if (!callId || w.pops.some((p) => p.callId === callId)) return;
          const call = w.pbxdesk.ui.call;
          w.pops.push({ callId, caller: document.querySelector('#pop-caller')?.textContent ?? '', at: Date.now(), ringing: call?.phase === 'ringing', repeats: call?.pop.repeatTickets?.length ?? 0 });
        }).observe(document.querySelector('#call') as HTMLElement, { attributes: true, attributeFilter: ['data-pop-call'], childList: true, subtree: true });
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
    // The service's own part (ring to pop sent, by where the pop came from), when the stack's
    // service has a METRICS_TOKEN and the bench is given it: the rest is the event stream and Chromium.
    const scrape = async () => (env.METRICS_TOKEN ? await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } }).catch(() => undefined))?.text() : undefined) ?? '';
    const metricsBefore = await scrape();
    for (let i = 0; i < 100 && !ariOpen; i++) await new Promise((r) => setTimeout(r, 100));
    if (!ariOpen) throw new Error(`no ARI event stream at ${ari.host}: the ring clock`);

    // Callers, as many at once as there are operators: each is answered at once.
    const stamp = String(Date.now() % 1e6).padStart(6, '0');
    const callers: string[] = [];
    for (let i = 0; i < opts.calls; i++) callers.push(i % 5 === 4 && i >= 8 ? (callers[i - 8] as string) : `7999${stamp}${String(i).padStart(3, '0')}`);
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
    const drawn = (await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { pops: { callId: string; caller: string; at: number; ringing: boolean; repeats: number }[] }).pops)))).flat();
    const sseAt = Object.assign({}, ...(await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { sseAt: Record<string, number> }).sseAt))))) as Record<string, number>;
    // A call re-offered to another operator (a missed ring) is popped there too: its first pop counts.
    const pops = drawn.sort((a, b) => a.at - b.at).filter((p, i, all) => all.findIndex((q) => q.callId === p.callId) === i);
    // Each pop against its own call's ring: of the caller's rings (a repeat number has two, tens
    // of seconds apart), the nearest. The pop is pushed before the dial, so it may come first:
    // a negative latency.
    const measuredPops = pops.flatMap((p) => {
      const rang = ringAt.get(p.caller) ?? [];
      if (!rang.length) return [];
      const ring = rang.reduce((a, b) => (Math.abs(b - p.at) < Math.abs(a - p.at) ? b : a));
      return [{ ...p, ms: p.at - ring }];
    });
    const latencies = measuredPops.map((p) => p.ms);
    // Of each measured pop: from the ring to its arrival on the event stream, and from there to the DOM.
    const arrived = measuredPops.filter((p) => sseAt[p.callId] !== undefined);
    const toStream = arrived.map((p) => p.ms - (p.at - (sseAt[p.callId] as number)));
    const toDom = arrived.map((p) => p.at - (sseAt[p.callId] as number));
    const metricsAfter = await scrape();
    const served = Object.fromEntries(
      (['ahead', 'memory', 'at-ring'] as const).map((made) => {
        const of = (text: string) => histogram(text.split('\n').filter((l) => l.includes(`made="${made}"`)).join('\n'), 'pbxdesk_screen_pop_seconds');
        const [b, a] = [of(metricsBefore), of(metricsAfter)];
        const n = (a.get(Infinity) ?? 0) - (b.get(Infinity) ?? 0);
        return [made, { pops: n, p50Ms: histogramPercentile(b, a, 50), p95Ms: histogramPercentile(b, a, 95) }];
      }),
    );
    return {
      case: 'screen-pop',
      calls: opts.calls,
      operators: opts.operators,
      measured: latencies.length,
      popsDrawn: pops.length,
      beforeAnswer: measuredPops.filter((p) => p.ringing).length,
      repeatCalls: callers.length - new Set(callers).size,
      popsWithRepeatTickets: pops.filter((p) => p.repeats > 0).length,
      failedCalls: failures.length,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: Math.max(0, ...latencies) },
      // Split: ring → the pop on the page's event stream (the service, the HTTP stream, the
      // bench's TCP relay), and → drawn (the panel's code and Chromium).
      split: {
        measured: arrived.length,
        toStreamMs: { p50: percentile(toStream, 50), p95: percentile(toStream, 95), p99: percentile(toStream, 99) },
        streamToDomMs: { p50: percentile(toDom, 50), p95: percentile(toDom, 95), p99: percentile(toDom, 99) },
      },
      // The service's part of it: from the ring to the pop sent, by where it came from (needs METRICS_TOKEN).
      serviceMs: env.METRICS_TOKEN ? served : null,
      targetP95Ms: 100,
      met: latencies.length === opts.calls && measuredPops.every((p) => p.ringing) && percentile(latencies, 95) < 100,
    };
  } finally {
    for (const id of ops) await api('PUT', `/api/operators/${id}/state`, { state: 'offline' }).catch(() => undefined);
    for (const o of before) await api('PUT', `/api/operators/${o.id}/state`, { state: 'available' }).catch(() => undefined);
    await browser.close();
    hop.close();
    tnet.close();
    events.close();
  }
}
