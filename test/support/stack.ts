// Restarts parts of the suite's own stack (scripts/lib.sh does the work, as it started them).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export function restartRedis(): void {
  const r = spawnSync('bash', ['-c', '. scripts/lib.sh && stack_env && stop_redis && start_redis'], {
    cwd: path.resolve(PROJECT_ROOT),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`redis restart failed: ${r.stderr?.toString()}`);
}
