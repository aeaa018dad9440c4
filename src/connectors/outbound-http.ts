// Outbound HTTP for webhooks and helpdesk connectors, guarded against SSRF. An admin names the
// URL, and the RT connector even copies answers into tickets, so a URL pointing inside the
// network (ARI, AMI, Postgres, Redis, cloud metadata) would make pbxdesk a proxy into it.
// Loopback, private, link-local and other non-public addresses are refused unless an explicit
// allow-list names them (an on-premises helpdesk): when a subscription is created, after DNS
// resolution, and again at every connection, on the address actually connected to, so a name
// that resolves elsewhere later (DNS rebinding) gains nothing. URLs with credentials are refused.
// Requests go out through node:http with the check in the socket's DNS lookup (fetch takes no
// lookup hook), on a fresh connection each (a pooled socket would skip the lookup), and never
// follow redirects.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { OutboundTargetRefusedError } from '../errors.js';

export interface OutboundHttp {
  /** Throws OutboundTargetRefusedError for a URL that may not be used (resolving its name). */
  checkTarget(url: string): Promise<void>;
  /** One request; a refused target fails like an unreachable one, with the reason. */
  request(url: string, init: { method: string; headers: Record<string, string>; body?: string | null; timeoutMs: number }): Promise<{ status: number; text: string }>;
}

/** Ranges that are not the public internet (IANA special-purpose registries). */
const NON_PUBLIC: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", 0.0.0.0 reaches the host itself
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'], // NAT64
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'], // IETF protocol assignments, Teredo
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'], // 6to4, may carry a private v4 address
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are checked against the IPv4 rules by BlockList
// itself; a ::ffff:0:0/96 rule would instead match every IPv4 address.
const nonPublic = new net.BlockList();
for (const [a, p, f] of NON_PUBLIC) nonPublic.addSubnet(a, p, f);

const family = (ip: string) => (net.isIPv6(ip) ? 'ipv6' : 'ipv4');

/** The allow-list setting: IP addresses and CIDR ranges. Throws on an entry that is neither. */
export function allowListOf(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const e of entries) {
    const [addr = '', prefix, extra] = e.split('/');
    const kind = net.isIP(addr);
    if (!kind || extra !== undefined) throw new Error(`"${e}" is not an IP address or CIDR range`);
    if (prefix === undefined) {
      list.addAddress(addr, family(addr));
      continue;
    }
    const bits = Number(prefix);
    if (!/^[0-9]{1,3}$/.test(prefix) || bits > (kind === 4 ? 32 : 128)) throw new Error(`"${e}" has no valid prefix length`);
    list.addSubnet(addr, bits, family(addr));
  }
  return list;
}

/** Why pbxdesk may not connect to this address, or undefined. */
export function addressRefusal(ip: string, allowed: net.BlockList): string | undefined {
  if (!net.isIP(ip)) return `${ip} is not an IP address`;
  if (allowed.check(ip, family(ip))) return undefined;
  if (nonPublic.check(ip, family(ip))) return `${ip} is a loopback, private, link-local or reserved address (allow it in OUTBOUND_PRIVATE_ALLOWLIST for an on-premises helpdesk)`;
  return undefined;
}

/**
 * The URL as it will be requested, or the reason it may not be. WHATWG parsing turns
 * 0x7f000001, 2130706433 and 127.1 into 127.0.0.1, so the host checked is the host connected to.
 */
export function parseTarget(raw: string): { url: URL; host: string } | { refusal: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refusal: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refusal: 'only http and https URLs are delivered to' };
  if (url.username || url.password) return { refusal: 'credentials in the URL are not accepted (RT takes RT_AUTH; webhooks are signed)' };
  return { url, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

class RefusedTarget extends Error {
  readonly code = 'OUTBOUND_TARGET_REFUSED';
}

const MAX_BODY = 1024 * 1024;

export function guardedHttp(allowEntries: readonly string[] = []): OutboundHttp {
  const allowed = allowListOf(allowEntries);

  // The socket's own name resolution, refusing before any connection is made.
  const lookup: net.LookupFunction = (hostname, options, cb) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      for (const a of addresses) {
        const why = addressRefusal(a.address, allowed);
        if (why) return cb(new RefusedTarget(`refused ${hostname}: ${why}`), '', 0);
      }
      if (options.all) return (cb as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return cb(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 0);
      cb(null, first.address, first.family);
    });
  };

  return {
    async checkTarget(raw) {
      const t = parseTarget(raw);
      if ('refusal' in t) throw new OutboundTargetRefusedError(t.refusal);
      if (net.isIP(t.host)) {
        const why = addressRefusal(t.host, allowed);
        if (why) throw new OutboundTargetRefusedError(why);
        return;
      }
      const addresses = await dns.promises.lookup(t.host, { all: true }).catch(() => []);
      if (!addresses.length) throw new OutboundTargetRefusedError(`${t.host} does not resolve`);
      for (const a of addresses) {
        const why = addressRefusal(a.address, allowed);
        if (why) throw new OutboundTargetRefusedError(`${t.host} resolves to ${why}`);
      }
    },

    request(raw, init) {
      return new Promise((resolve, reject) => {
        const t = parseTarget(raw);
        if ('refusal' in t) return reject(new RefusedTarget(t.refusal));
        // A literal address is connected to without a lookup: checked here.
        const why = net.isIP(t.host) ? addressRefusal(t.host, allowed) : undefined;
        if (why) return reject(new RefusedTarget(`refused: ${why}`));
        const send = t.url.protocol === 'https:' ? https.request : http.request;
        const req = send(t.url, { method: init.method, headers: init.headers, lookup, agent: false, signal: AbortSignal.timeout(init.timeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) return void res.destroy(new Error('response larger than 1 MB'));
            chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(init.body ?? undefined);
      });
    },
  };
}

/** A short reason for a failed request, for the delivery log. */
export function requestError(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; name?: string } };
  if (e instanceof RefusedTarget) return e.message;
  // The request's own timeout aborts it: say so rather than "aborted".
  if (e.cause?.name === 'TimeoutError') return 'TimeoutError';
  return e.code ?? e.cause?.code ?? e.name ?? e.message;
}
