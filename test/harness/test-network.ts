// Shared by the browser tests (test/support/netns.ts) and the screen-pop benchmark.
// A network of the test's own for WebRTC: Chromium leaves loopback out of ICE, so the browser
// runs in a network namespace holding only `lo` and one end of a veth pair (10.77.N.2), and the
// service listens on the other end (10.77.N.1) in the default namespace, where Asterisk's RTP
// sockets (bound to all addresses) answer too. The machine's real interfaces are never used.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';

export interface TestNet {
  /** Our end of the veth pair: the service listens here. */
  hostAddr: string;
  browserAddr: string;
  /** A Chromium launcher that runs it inside the namespace (for playwright's executablePath). */
  chromium: string;
  close(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export function createTestNet(): TestNet {
  // A block of 25 numbers per stack (PORT_BASE 20000 → 1..25 and 26000 → 151..175, the suite's
  // two shards; 25000 → 126..150): shards run side by side, and one must never take down the
  // other's namespace.
  const block = Math.floor(Number(process.env.PORT_BASE ?? 25000) / 1000) % 10;
  const n = block * 25 + 1 + Math.floor(Math.random() * 25);
  const ns = `pbxd${n}`;
  const [vh, vb] = [`pbxv${n}h`, `pbxv${n}b`];
  // Left over by a killed run with the same number: start clean.
  try {
    ip('netns', 'del', ns);
  } catch {
    // none
  }
  try {
    ip('link', 'del', vh);
  } catch {
    // none
  }
  ip('netns', 'add', ns);
  // No IPv6 on the pair: its link-local addresses appear a moment after the link comes up, and
  // Chromium, seeing the network change, fails the page's loads with ERR_NETWORK_CHANGED.
  ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  ip('link', 'add', vh, 'type', 'veth', 'peer', 'name', vb);
  execFileSync('sysctl', ['-qw', `net.ipv6.conf.${vh}.disable_ipv6=1`]);
  ip('link', 'set', vb, 'netns', ns);
  ip('addr', 'add', `10.77.${n}.1/24`, 'dev', vh);
  ip('link', 'set', vh, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `10.77.${n}.2/24`, 'dev', vb);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', vb, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  const chromium = `/tmp/pbxdesk-chromium-${ns}.sh`;
  writeFileSync(chromium, `#!/bin/sh\nexec ip netns exec ${ns} "${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'}" "$@"\n`);
  chmodSync(chromium, 0o755);
  return {
    hostAddr: `10.77.${n}.1`,
    browserAddr: `10.77.${n}.2`,
    chromium,
    close() {
      try {
        ip('netns', 'del', ns); // takes its end of the veth pair, and with it ours
      } catch {
        // gone already
      }
      rmSync(chromium, { force: true });
    },
  };
}
