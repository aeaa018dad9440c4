#!/usr/bin/env node
// Admin CLI: `pbxdesk migrate`, `pbxdesk token create --role R --name N`.
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { createDb } from './db/database.js';
import { migrate } from './db/migrator.js';
import { TokenService } from './auth/token.service.js';
import { ROLES, type Role } from './auth/token.table.js';
import { MIGRATIONS_DIR } from './paths.js';


function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function run(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  const config = loadConfig();
  const log = pino({ level: 'warn' });
  if (cmd === 'migrate') {
    const r = await migrate(config.databaseUrl, MIGRATIONS_DIR);
    process.stdout.write(`migrations: ${r.applied.length} applied (${r.applied.join(', ') || 'none'}), ${r.alreadyApplied} already there\n`);
    return 0;
  }
  if (cmd === 'token' && sub === 'create') {
    const role = flag(rest, 'role') as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    const db = createDb(config.databaseUrl, 1);
    try {
      const t = await new TokenService(db, config.secretKey).create(flag(rest, 'name') ?? `cli-${role}`, role, flag(rest, 'operator'));
      process.stdout.write(`${t.token}\n`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  log.warn('unknown command');
  process.stderr.write('usage: pbxdesk migrate | pbxdesk token create --role admin|supervisor|operator|panel [--name N] [--operator ID]\n');
  return 2;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`pbxdesk: ${err.message}\n`);
    process.exit(1);
  },
);
