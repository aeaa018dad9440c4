// The only reader of process.env. Everything is validated once, frozen, and a missing
// or malformed variable stops the process with its name in the message.
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`config: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback?: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(name, 'is not set');
  }
  return v;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}

function url(env: Env, name: string, protocols: string[], fallback?: string): string {
  const v = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  }
  return v;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = env[name] ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return v as T;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const LANGUAGES = ['ru', 'en'] as const;

export function loadConfig(env: Env = process.env) {
  const secretKey = str(env, 'PBXDESK_SECRET_KEY');
  if (secretKey.length < 32) throw new ConfigError('PBXDESK_SECRET_KEY', 'must be at least 32 characters');
  const bootstrapAdminToken = optional(env, 'PBXDESK_BOOTSTRAP_ADMIN_TOKEN');
  if (bootstrapAdminToken !== undefined && bootstrapAdminToken.length < 24) {
    throw new ConfigError('PBXDESK_BOOTSTRAP_ADMIN_TOKEN', 'must be at least 24 characters');
  }
  const config = {
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    http: {
      host: str(env, 'HTTP_HOST', '127.0.0.1'),
      port: int(env, 'HTTP_PORT', 15080, 0, 65535),
      /** Check each response against its schema (500 on a mismatch). The test suite turns it on. */
      validateResponses: bool(env, 'HTTP_VALIDATE_RESPONSES', false),
    },
    /** Bearer token for GET /metrics; without it /metrics is off. */
    metricsToken: optional(env, 'METRICS_TOKEN'),
    shutdownDrainSec: int(env, 'SHUTDOWN_DRAIN_SEC', 30, 0, 600),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    /** Prefix of every BullMQ queue: lets tests and several stacks share one Redis. */
    queuePrefix: str(env, 'PBXDESK_QUEUE_PREFIX', 'pbxdesk'),
    ari: {
      url: url(env, 'ARI_URL', ['http:', 'https:']),
      user: str(env, 'PBX_ARI_USER'),
      password: str(env, 'PBX_ARI_PASSWORD'),
      app: str(env, 'PBX_ARI_APP', 'pbxdesk'),
      reconnectMaxDelayMs: int(env, 'ARI_RECONNECT_MAX_DELAY_MS', 5000, 100, 60000),
    },
    ami: {
      host: str(env, 'AMI_HOST', '127.0.0.1'),
      port: int(env, 'AMI_PORT', 5038, 1, 65535),
      user: str(env, 'PBX_AMI_USER'),
      secret: str(env, 'PBX_AMI_SECRET'),
      reconnectMaxDelayMs: int(env, 'AMI_RECONNECT_MAX_DELAY_MS', 5000, 100, 60000),
    },
    sip: {
      domain: str(env, 'SIP_DOMAIN', '127.0.0.1'),
      wsUrl: str(env, 'SIP_WS_URL', 'ws://127.0.0.1:8088/ws'),
      /** Digest realm of operators' endpoints; their stored credential is MD5(user:realm:password). */
      realm: str(env, 'SIP_REALM', 'pbxdesk'),
      operatorRingTimeoutSec: int(env, 'OPERATOR_RING_TIMEOUT_SEC', 20, 5, 120),
    },
    ivr: {
      defaultLanguage: oneOf(env, 'DEFAULT_LANGUAGE', LANGUAGES, 'ru'),
      flowFile: path.resolve(PROJECT_ROOT, str(env, 'IVR_FLOW_FILE', 'pbx-config/ivr/main.json')),
      /** Where the prompt files are as Asterisk sees them (inside its chroot or container). */
      promptsDir: str(env, 'PROMPTS_DIR', '/var/lib/pbxdesk/prompts'),
    },
    recordings: {
      /** Asterisk's recording spool, as this process sees it. */
      spoolDir: str(env, 'RECORDINGS_SPOOL_DIR'),
      archiveDir: path.resolve(PROJECT_ROOT, str(env, 'RECORDINGS_DIR', 'recordings')),
    },
    secretKey,
    bootstrapAdminToken,
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
