// Checks that fail fast at start, each naming the fix, instead of a service that runs
// and then loses jobs or recordings.
import { constants } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { MIGRATIONS_DIR } from './paths.js';
import { ariCredentialsRefused } from './pbx/ari-connection.js';

export class StartupCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupCheckError';
  }
}

export async function runStartupChecks(config: Config, db: Kysely<Database>, redis: Redis): Promise<void> {
  try {
    await redis.connect();
  } catch (err) {
    throw new StartupCheckError(`Redis at REDIS_URL is unreachable (${(err as Error).message})`);
  }
  // An evicted job key is a lost callback or recording.
  const policy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];
  if (policy !== 'noeviction') {
    throw new StartupCheckError(`Redis maxmemory-policy is ${policy}; BullMQ needs noeviction: set maxmemory-policy noeviction in redis.conf`);
  }

  let applied: Set<string>;
  try {
    const r = await sql<{ name: string }>`SELECT name FROM schema_migrations`.execute(db);
    applied = new Set(r.rows.map((x) => x.name));
  } catch (err) {
    const msg = (err as Error).message;
    if (/schema_migrations/.test(msg)) throw new StartupCheckError('the database has no schema yet: run `pbxdesk migrate`');
    throw new StartupCheckError(`Postgres at DATABASE_URL is unreachable (${msg})`);
  }
  const files = (await readdir(MIGRATIONS_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.sql'));
  const pending = files.filter((f) => !applied.has(f));
  if (pending.length) throw new StartupCheckError(`migrations pending (${pending.join(', ')}): run \`pbxdesk migrate\``);

  for (const [name, dir] of [
    ['RECORDINGS_DIR', config.recordings.archiveDir],
    ['RECORDINGS_SPOOL_DIR', config.recordings.spoolDir],
  ] as const) {
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK | constants.R_OK);
    } catch (err) {
      throw new StartupCheckError(`${name} ${dir} is not writable (${(err as Error).message}): fix its owner or permissions`);
    }
  }

  // Wrong credentials would otherwise look like an Asterisk that is down, retried forever.
  if (await ariCredentialsRefused(config.ari)) {
    throw new StartupCheckError('ARI refused PBX_ARI_USER / PBX_ARI_PASSWORD: check them against ari.conf');
  }
}
