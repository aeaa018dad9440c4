// A real Request Tracker 5 for a test (Debian's request-tracker5 with rt5-standalone): its own
// SQLite database in a temp dir, its own port on loopback, started with rt-server and stopped
// with the test. RT_SITE_CONFIG(_DIR) keep it away from /etc/request-tracker5.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface RtServer {
  url: string;
  /** RT's default superuser after initialisation. */
  auth: string;
  api<T = unknown>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startRt(): Promise<RtServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbxdesk-rt-'));
  await mkdir(path.join(dir, 'conf.d'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const conf = path.join(dir, 'RT_SiteConfig.pm');
  await writeFile(
    conf,
    [
      `Set($rtname, 'pbxdesk-test');`,
      `Set($Organization, 'pbxdesk.test');`,
      `Set($DatabaseType, 'SQLite');`,
      `Set($DatabaseName, '${dir}/rtdb');`,
      `Set($WebDomain, '127.0.0.1');`,
      `Set($WebPort, ${port});`,
      `Set($WebPath, '');`,
      `Set($WebBaseURL, '${url}');`,
      `Set($LogToSTDERR, 'error');`,
      `Set($LogToSyslog, undef);`,
      `Set($MailCommand, 'testfile');`,
      `Set($Timezone, 'UTC');`,
      '1;',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, RT_SITE_CONFIG: conf, RT_SITE_CONFIG_DIR: path.join(dir, 'conf.d') };
  await run('/usr/sbin/rt-setup-database-5', ['--action', 'init', '--skip-create'], { env, cwd: dir });
  const proc: ChildProcess = spawn('/usr/share/request-tracker5/libexec/rt-server', ['--port', String(port)], { env, cwd: dir, stdio: 'ignore', detached: true });
  const auth = 'root:password';
  const api = async <T>(method: string, p: string, body?: unknown) => {
    const r = await fetch(`${url}/REST/2.0${p}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await api('GET', '/queues/all')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end || proc.exitCode !== null) throw new Error('RT did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    auth,
    api,
    stop: async () => {
      // rt-server may fork workers: the whole process group goes.
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-(proc.pid as number), sig);
        } catch {
          // gone already
        }
      };
      kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
