#!/usr/bin/env node
// Admin CLI: `pbxdesk <command>` (npx pbxdesk, or node dist/src/cli.js). Each command exits
// non-zero with one clear line on failure.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { loadConfig, loadWorkerConfig, settingsTable } from './config.js';
import { createDb } from './db/database.js';
import { migrate } from './db/migrator.js';
import { TokenService } from './auth/token.service.js';
import { revokeToken } from './auth/token.repository.js';
import { ROLES, type Role } from './auth/token.table.js';
import path from 'node:path';
import { MIGRATIONS_DIR, PROJECT_ROOT } from './paths.js';
import { parseFlow } from './ivr/ivr-flow.js';
import { OperatorService } from './operators/operator.service.js';
import { LineCatalog } from './lines/line-catalog.js';
import { loadLinesFile } from './lines/line-config.js';
import { checkLine } from './lines/line-guard.js';
import { pushOperatorEndpoint } from './pbx/endpoint-push.js';
import { Progress } from './cli/progress.js';
import { seedDemo } from './cli/seed.command.js';
import { recordingsCommand } from './cli/recordings.command.js';
import { archiveWorkerCommand } from './cli/worker.command.js';

const USAGE = `usage: pbxdesk <command>
  migrate                                         apply pending SQL migrations
  config-doc                                      print the settings table (README)
  token create --role ROLE [--name N] [--operator ID]   print a new API token (roles: ${ROLES.join(', ')})
  token revoke ID                                 revoke a token by id
  operator create --login L --name N --line LINE --sip-password P   (LINE: a configured line, LINES_FILE)
  ivr validate [FILE] [--lines FILE]              check an IVR flow file against the lines (default: the configured ones)
  seed demo [--calls N]                           demo operators and a day of synthetic calls
  recordings verify                               walk the hash chain and re-hash every archived file
  recordings rearchive [--status failed,spooled] [--id ID]   archive again what is not archived
  retention purge --dry-run | --yes               list (or delete) recordings past retention
  worker archive [--concurrency N]                archive this node's recordings (ARCHIVE_WORKERS=external), until SIGTERM`;

class UsageError extends Error {}

function flag(args: string[], name: string, required = false): string | undefined {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? args[i + 1] : undefined;
  if (required && !v) throw new UsageError(`--${name} is required`);
  return v;
}

async function run(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === 'config-doc') {
    process.stdout.write(`${settingsTable()}\n`);
    return 0;
  }
  if (cmd === 'ivr' && sub === 'validate') {
    const given = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--lines')[0];
    const file = given ?? loadConfig().ivr.flowFile;
    // A flow file named alone is checked against the shipped lines, needing no environment.
    const linesFile = flag(rest, 'lines') ?? (given ? path.join(PROJECT_ROOT, 'pbx-config/lines.json') : loadConfig().linesFile);
    const flow = parseFlow(JSON.parse(await readFile(file, 'utf8')), new LineCatalog((await loadLinesFile(linesFile)).lines));
    process.stdout.write(`${file}: valid, ${flow.nodes.size} nodes, starts at "${flow.start}"\n`);
    return 0;
  }
  if (cmd === 'worker' && sub === 'archive') {
    const n = flag(rest, 'concurrency');
    const concurrency = n === undefined ? undefined : Number(n);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) throw new UsageError('--concurrency must be 1..64');
    // Runs on machines that are given no ARI/AMI credentials (loadWorkerConfig).
    return archiveWorkerCommand(loadWorkerConfig(), concurrency);
  }
  const config = loadConfig();
  if (cmd === 'migrate') {
    const r = await migrate(config.databaseUrl, MIGRATIONS_DIR);
    process.stdout.write(`migrations: ${r.applied.length} applied (${r.applied.join(', ') || 'none'}), ${r.alreadyApplied} already there\n`);
    return 0;
  }
  const db = createDb(config.databaseUrl, 2);
  try {
    if (cmd === 'token' && sub === 'create') {
      const role = flag(rest, 'role', true) as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const t = await new TokenService(db, config.secretKey).create(flag(rest, 'name') ?? `cli-${role}`, role, flag(rest, 'operator'));
      process.stdout.write(`${t.token}\n`);
      process.stderr.write(`token id ${t.id} (role ${role}); it is shown only this once\n`);
      return 0;
    }
    if (cmd === 'token' && sub === 'revoke') {
      const id = rest[0];
      if (!id || !/^\d+$/.test(id)) throw new UsageError('token revoke takes a token id');
      if (!(await revokeToken(db, id))) throw new Error(`no active token with id ${id}`);
      process.stdout.write(`token ${id} revoked\n`);
      return 0;
    }
    if (cmd === 'operator' && sub === 'create') {
      const line = checkLine(new LineCatalog((await loadLinesFile(config.linesFile)).lines), flag(rest, 'line', true) as string, '--line');
      const password = flag(rest, 'sip-password', true) as string;
      if (password.length < 12) throw new UsageError('--sip-password must be at least 12 characters');
      const ops = new OperatorService(
        db,
        config.sip.realm,
        // Pushed to Asterisk at once, so the phone can register without any restart.
        { isConnected: () => true, upsertOperatorEndpoint: (ep) => pushOperatorEndpoint(config.ari, ep) },
        { isConnected: () => false, syncQueueMember: async () => undefined },
        pino({ level: 'warn' }),
      );
      const op = await ops.create({ login: flag(rest, 'login', true) as string, name: flag(rest, 'name', true) as string, line, sipPassword: password });
      process.stdout.write(`operator ${op.id} ${op.login} (${op.line} line), SIP user ${op.sip_username}@${config.sip.domain}\n`);
      return 0;
    }
    if (cmd === 'recordings' || cmd === 'retention') return await recordingsCommand(db, config, cmd, sub, rest);
    if (cmd === 'seed' && sub === 'demo') {
      const calls = Number(flag(rest, 'calls') ?? '200');
      if (!Number.isInteger(calls) || calls < 0 || calls > 100_000) throw new UsageError('--calls must be 0..100000');
      const r = await seedDemo(db, config.sip.realm, calls, (total) => new Progress('seeding calls', total));
      process.stdout.write(`seeded ${r.operators} operators and ${r.calls} calls\n`);
      return 0;
    }
  } finally {
    await db.destroy();
  }
  throw new UsageError(`unknown command: ${argv.join(' ') || '(none)'}`);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`pbxdesk: ${err.message}\n${err instanceof UsageError ? `${USAGE}\n` : ''}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
