// No Docker engine runs here, so the compose file is checked for what can be checked:
// it parses, it uses the same Asterisk config and scripts as the local stack, Redis is set
// up for BullMQ, every service has a health check, and every variable it needs is documented.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config-settings.js';

const text = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(text) as {
  services: Record<string, {
    command?: string | string[];
    volumes?: string[];
    healthcheck?: { test: unknown };
    build?: { dockerfile_inline?: string };
    environment?: Record<string, string>;
  }>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('describes Asterisk, Postgres, Redis, the service and its archive worker, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['archive', 'asterisk', 'postgres', 'redis', 'service']);
    for (const [name, s] of Object.entries(compose.services)) expect(s.healthcheck?.test, name).toBeTruthy();
  });

  it('mounts the same pbx-config and render script the local stack uses', () => {
    const a = compose.services.asterisk!;
    expect(a.volumes).toContain('./pbx-config:/opt/pbxdesk/pbx-config:ro');
    expect(String(a.command)).toContain('render-pbx-config.sh /opt/pbxdesk/pbx-config/asterisk');
    for (const v of a.volumes ?? []) {
      const src = v.split(':')[0] as string;
      if (src.startsWith('./')) expect(existsSync(src), src).toBe(true);
    }
    // The same packages as scripts/asterisk-chroot.sh installs.
    const chrootPkgs = /PKGS="([^"]+)"/.exec(readFileSync('scripts/asterisk-chroot.sh', 'utf8'))?.[1]?.split(' ') ?? [];
    for (const p of chrootPkgs.filter((x) => x.startsWith('asterisk'))) expect(a.build?.dockerfile_inline).toContain(p);
  });

  it('copies into the service image every file of pbx-config the service reads by default (the IVR flow, the lines, the business hours)', () => {
    const copies = [...(compose.services.service!.build?.dockerfile_inline ?? '').matchAll(/^\s*COPY\s+(.+)$/gm)].map((m) => {
      const parts = (m[1] as string).trim().split(/\s+/);
      const dest = parts.pop() as string;
      // COPY a b dir/: each source lands in dir/ under its own name; COPY src dest: src lands at dest.
      return parts.map((src) => ({ src, dest: dest.endsWith('/') ? dest + src.split('/').pop() : dest }));
    }).flat();
    const read = SETTINGS.filter((s) => s.name.endsWith('_FILE') && s.default?.startsWith('pbx-config/')).map((s) => s.default as string);
    expect(read).toEqual(expect.arrayContaining(['pbx-config/ivr/main.json', 'pbx-config/lines.json', 'pbx-config/business-hours.json']));
    for (const file of read) {
      expect(existsSync(file), file).toBe(true);
      // At the same path in the image (the working directory is the project root), itself or inside a copied directory.
      expect(copies.some((c) => c.src === c.dest && (file === c.src || file.startsWith(`${c.src}/`))), `${file} is not copied into the image`).toBe(true);
    }
  });

  it('runs Redis with AOF and noeviction, and keeps recordings on a volume', () => {
    const cmd = (compose.services.redis!.command as string[]).join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--maxmemory-policy noeviction');
    expect(compose.services.service!.volumes).toContain('recordings:/app/recordings');
    expect(compose.volumes).toHaveProperty('recordings');
  });

  it("archives in a container of its own at a low CPU weight, with the service's settings and volumes", () => {
    const { archive, service } = compose.services as Record<string, { environment?: Record<string, string>; volumes?: string[]; command?: string[]; cpu_shares?: number }>;
    expect(service!.environment?.ARCHIVE_WORKERS).toBe('external');
    expect(archive!.environment).toEqual(service!.environment);
    expect(archive!.volumes).toEqual(service!.volumes);
    expect(archive!.command?.join(' ')).toContain('cli.js worker archive');
    expect(archive!.cpu_shares).toBeLessThan(1024);
  });

  it('takes every variable from the environment, and .env.example documents each one', () => {
    const example = readFileSync('.env.example', 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const used = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    for (const v of used) expect(documented.has(v), `${v} missing from .env.example`).toBe(true);
    // No secret has a value written into the file.
    expect(text).not.toMatch(/^\s*[A-Z_]*(PASSWORD|SECRET|TOKEN|KEY)[A-Z_]*:[ \t]*(?!\$\{)\S/m);
  });

  it('renders every ${PBX_*} placeholder of pbx-config with a variable the compose file sets', () => {
    const env = compose.services.asterisk!.environment ?? {};
    const confs = ['ari', 'asterisk', 'http', 'manager', 'pjsip', 'rtp', 'extensions'].map((n) =>
      readFileSync(`pbx-config/asterisk/${n}.conf`, 'utf8'),
    );
    const placeholders = new Set(confs.flatMap((c) => [...c.matchAll(/\$\{(PBX_[A-Z_]+)\}/g)].map((m) => m[1] as string)));
    for (const p of placeholders) expect(Object.keys(env), p).toContain(p);
  });
});
