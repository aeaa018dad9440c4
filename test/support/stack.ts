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

/** Starts another Asterisk node beside the suite's (lib.sh start_extra_node); returns its settings. */
export function startExtraNode(name: string, portBase: number): Record<string, string> {
  const r = spawnSync('bash', ['-c', `. scripts/lib.sh && start_extra_node ${name} ${portBase}`], {
    cwd: path.resolve(PROJECT_ROOT),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`extra node ${name} did not start: ${r.stderr?.toString()}`);
  return Object.fromEntries(r.stdout.toString().trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

export function stopExtraNodes(): void {
  spawnSync('bash', ['-c', '. scripts/lib.sh && stop_extra_nodes'], { cwd: path.resolve(PROJECT_ROOT), stdio: 'ignore', env: process.env });
}

/**
 * A port for a service process a test starts itself: in its stack's free gap (PORT_BASE+900..+989;
 * lib.sh's ports, SIPp's and RTP's lie elsewhere), so the suite's two shards never pick the same.
 */
export function stackServicePort(): number {
  return Number(process.env.PORT_BASE ?? 25000) + 900 + Math.floor(Math.random() * 90);
}
