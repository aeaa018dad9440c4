// The only reader of process.env. Every setting is declared once in SETTINGS (config-settings.ts:
// name, default, meaning): loadConfig validates against it and freezes the result, failing fast with the
// variable's name, and README's settings table is generated from it (`pbxdesk config-doc`).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';
import { parseSlaTargets, type SlaTargets } from './tickets/ticket-rules.js';
import { parseServiceTargets } from './reports/staffing-plan.js';
import { parseRetentionDays, type RetentionPolicy } from './recordings/retention-policy.js';
import { isNumberType, isRegion, NUMBER_TYPES, type NumberRules } from './callbacks/callback-number.js';
import { allowListOf } from './connectors/outbound-http.js';
import type { S3Settings } from './recordings/s3-archive.store.js';
import { SETTINGS } from './config-settings.js';
import { LINE_ID_PATTERN, type Line } from './vocabulary.js';

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`config: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}


type Env = Record<string, string | undefined>;
const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

function raw(env: Env, name: string): string | undefined {
  const s = BY_NAME.get(name);
  if (!s) throw new Error(`config: ${name} is not declared in SETTINGS`);
  const v = env[name];
  return v === undefined || v === '' ? s.default : v;
}

function str(env: Env, name: string): string {
  const v = raw(env, name);
  if (v === undefined) throw new ConfigError(name, 'is not set');
  return v;
}

function nodeName(env: Env, name: string): string {
  const v = str(env, name);
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(v)) throw new ConfigError(name, 'must be lower-case letters, digits and dashes, at most 32');
  return v;
}

function optional(env: Env, name: string): string | undefined {
  return raw(env, name);
}

function int(env: Env, name: string, min: number, max: number): number {
  const v = str(env, name);
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  return optional(env, name) === undefined ? undefined : int(env, name, min, max);
}

function bool(env: Env, name: string): boolean {
  const v = str(env, name);
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${v}"`);
}

function url(env: Env, name: string, protocols: string[]): string {
  const v = str(env, name);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}`);
  return v;
}

/** The S3 settings when a bucket is named; with ARCHIVE_STORE=s3 the bucket and keys are required. */
function s3Settings(env: Env): S3Settings | undefined {
  const wanted = str(env, 'ARCHIVE_STORE') === 's3' ? 'ARCHIVE_STORE=s3' : str(env, 'ARCHIVE_INCOMING') === 's3' ? 'ARCHIVE_INCOMING=s3' : undefined;
  const bucket = optional(env, 'S3_BUCKET');
  if (!bucket) {
    if (wanted) throw new ConfigError('S3_BUCKET', `is not set (${wanted})`);
    return undefined;
  }
  const need = (name: string) => {
    const v = optional(env, name);
    if (!v) throw new ConfigError(name, 'is not set (S3_BUCKET is)');
    return v;
  };
  return {
    endpoint: optional(env, 'S3_ENDPOINT') ? url(env, 'S3_ENDPOINT', ['http:', 'https:']) : undefined,
    region: str(env, 'S3_REGION'),
    bucket,
    prefix: raw(env, 'S3_PREFIX') ?? '',
    accessKeyId: need('S3_ACCESS_KEY_ID'),
    secretAccessKey: need('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE'),
  };
}

function slaTargets(env: Env, name: string): SlaTargets {
  try {
    return parseSlaTargets(str(env, name));
  } catch (err) {
    throw new ConfigError(name, (err as Error).message);
  }
}

function serviceTargets(env: Env, name: string): ReturnType<typeof parseServiceTargets> {
  try {
    return parseServiceTargets(str(env, name));
  } catch (err) {
    throw new ConfigError(name, (err as Error).message);
  }
}

/** RECORDING_RETENTION_DAYS ("365" or "365,third=730"); the older _FIRST and _SECOND settings still win for their line. */
function retentionPolicy(env: Env): RetentionPolicy {
  let p: RetentionPolicy;
  try {
    p = parseRetentionDays(str(env, 'RECORDING_RETENTION_DAYS'));
  } catch (err) {
    throw new ConfigError('RECORDING_RETENTION_DAYS', (err as Error).message);
  }
  const first = optionalInt(env, 'RECORDING_RETENTION_DAYS_FIRST', 1, 36_500);
  const second = optionalInt(env, 'RECORDING_RETENTION_DAYS_SECOND', 1, 36_500);
  return { default: p.default, byLine: { ...p.byLine, ...(first === undefined ? {} : { first }), ...(second === undefined ? {} : { second }) } };
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T {
  const v = str(env, name);
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const LANGUAGES = ['ru', 'en'] as const;
const CODECS = ['opus', 'mp3', 'wav'] as const;
const CALLBACK_MODES = ['agent-first', 'customer-first'] as const;
const DTMF_KEYS = ['*', '#', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

function dialTemplate(env: Env, name: string): string {
  const t = str(env, name);
  if (!t.includes('{number}')) throw new ConfigError(name, 'must contain {number}');
  return t;
}

const fromRoot = (p: string) => path.resolve(PROJECT_ROOT, p);

const list = (env: Env, name: string) => str(env, name).split(',').map((p) => p.trim()).filter(Boolean);

function privateAllowList(env: Env, name: string): string[] {
  const entries = (optional(env, name) ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  try {
    allowListOf(entries);
  } catch (err) {
    throw new ConfigError(name, (err as Error).message);
  }
  return entries;
}

/** The callback numbering rules (src/callbacks/callback-number.ts). */
function numberRules(env: Env): NumberRules {
  // The regex setting it replaces must not be dropped silently: its owner meant to narrow the plan.
  if (env.CALLBACK_ALLOWED_NUMBERS) throw new ConfigError('CALLBACK_ALLOWED_NUMBERS', 'is no longer read: set CALLBACK_ALLOWED_COUNTRIES and CALLBACK_ALLOWED_TYPES');
  const defaultRegion = str(env, 'CALLBACK_DEFAULT_REGION');
  if (!isRegion(defaultRegion)) throw new ConfigError('CALLBACK_DEFAULT_REGION', `"${defaultRegion}" is not an ISO 3166 region with a numbering plan`);
  const allowedCountries = list(env, 'CALLBACK_ALLOWED_COUNTRIES');
  const badCountry = allowedCountries.find((c) => !isRegion(c));
  if (badCountry) throw new ConfigError('CALLBACK_ALLOWED_COUNTRIES', `"${badCountry}" is not an ISO 3166 region with a numbering plan`);
  const types = list(env, 'CALLBACK_ALLOWED_TYPES');
  const badType = types.find((t) => !isNumberType(t));
  if (badType) throw new ConfigError('CALLBACK_ALLOWED_TYPES', `"${badType}" is not one of ${Object.keys(NUMBER_TYPES).join(', ')}`);
  const deniedPrefixes = list(env, 'CALLBACK_DENIED_PREFIXES');
  const badPrefix = deniedPrefixes.find((p) => !/^\+[0-9]{1,15}$/.test(p));
  if (badPrefix) throw new ConfigError('CALLBACK_DENIED_PREFIXES', `"${badPrefix}" is not an E.164 prefix such as +7809`);
  return { defaultRegion, allowedCountries, allowedTypes: types.filter(isNumberType), deniedPrefixes };
}

/**
 * CLICK_TO_CALL_CALLER_ID: one number for every line, or per line (first=+74951234567,second=…).
 * Any line id is taken here: which lines exist is configuration (LINES_FILE), checked at start (app.ts).
 */
function callerIds(env: Env, name: string): { all?: string; byLine: Partial<Record<Line, string>> } {
  const byLine: Partial<Record<Line, string>> = {};
  let all: string | undefined;
  for (const part of (optional(env, name) ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [line, number] = part.includes('=') ? part.split('=', 2).map((x) => x.trim()) : [undefined, part];
    if (!number || !/^\+?[0-9]{3,18}$/.test(number)) throw new ConfigError(name, `"${part}" is not a phone number (3 to 18 digits, an optional leading +)`);
    if (line === undefined) all = number;
    else if (new RegExp(LINE_ID_PATTERN).test(line)) byLine[line] = number;
    else throw new ConfigError(name, `"${line}" is not a line id (${LINE_ID_PATTERN})`);
  }
  return all === undefined ? { byLine } : { all, byLine };
}

export function loadConfig(env: Env = process.env) {
  const secretKey = str(env, 'PBXDESK_SECRET_KEY');
  if (secretKey.length < 32) throw new ConfigError('PBXDESK_SECRET_KEY', 'must be at least 32 characters');
  const bootstrapAdminToken = optional(env, 'PBXDESK_BOOTSTRAP_ADMIN_TOKEN');
  if (bootstrapAdminToken !== undefined && bootstrapAdminToken.length < 24) {
    throw new ConfigError('PBXDESK_BOOTSTRAP_ADMIN_TOKEN', 'must be at least 24 characters');
  }
  const config = {
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS),
    http: {
      host: str(env, 'HTTP_HOST'),
      port: int(env, 'HTTP_PORT', 0, 65535),
      validateResponses: bool(env, 'HTTP_VALIDATE_RESPONSES'),
      trustProxy: (optional(env, 'HTTP_TRUST_PROXY') ?? '').split(',').map((a) => a.trim()).filter(Boolean),
      publicOrigins: (optional(env, 'HTTP_PUBLIC_ORIGINS') ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
    },
    metricsToken: optional(env, 'METRICS_TOKEN'),
    shutdownDrainSec: int(env, 'SHUTDOWN_DRAIN_SEC', 0, 600),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 2, 500),
    callJournalDir: fromRoot(optional(env, 'CALL_JOURNAL_DIR') ?? path.join(str(env, 'RECORDINGS_DIR'), '.call-journal')),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix: str(env, 'PBXDESK_QUEUE_PREFIX'),
    ari: {
      url: url(env, 'ARI_URL', ['http:', 'https:']),
      user: str(env, 'PBX_ARI_USER'),
      password: str(env, 'PBX_ARI_PASSWORD'),
      app: str(env, 'PBX_ARI_APP'),
      node: nodeName(env, 'PBX_NODE'),
      reconnectMaxDelayMs: int(env, 'ARI_RECONNECT_MAX_DELAY_MS', 100, 60000),
    },
    ami: {
      host: str(env, 'AMI_HOST'),
      port: int(env, 'AMI_PORT', 1, 65535),
      user: str(env, 'PBX_AMI_USER'),
      secret: str(env, 'PBX_AMI_SECRET'),
      reconnectMaxDelayMs: int(env, 'AMI_RECONNECT_MAX_DELAY_MS', 100, 60000),
    },
    overload: {
      lagMs: int(env, 'SHED_LAG_MS', 0, 60_000),
      backlogMs: int(env, 'SHED_BACKLOG_MS', 0, 600_000),
      unanswered: int(env, 'SHED_UNANSWERED', 0, 100_000),
      recoverSec: int(env, 'SHED_RECOVER_SEC', 1, 3600),
    },
    sip: {
      domain: str(env, 'SIP_DOMAIN'),
      wsUrl: str(env, 'SIP_WS_URL'),
      realm: str(env, 'SIP_REALM'),
      operatorRingTimeoutSec: int(env, 'OPERATOR_RING_TIMEOUT_SEC', 5, 120),
      wrapUpSec: int(env, 'WRAPUP_SEC', 0, 3600),
      wrapUpRule: oneOf(env, 'WRAPUP_REQUIRES_NOTE', ['never', 'panel', 'always'] as const),
      serviceLevelSec: int(env, 'SERVICE_LEVEL_SEC', 1, 600),
      alertEvalSec: int(env, 'ALERT_EVAL_SEC', 1, 300),
      priority: {
        verifiedAheadSec: int(env, 'QUEUE_VERIFIED_AHEAD_SEC', 0, 86_400),
        highAheadSec: int(env, 'QUEUE_HIGH_PRIORITY_AHEAD_SEC', 0, 86_400),
        criticalAheadSec: int(env, 'QUEUE_CRITICAL_PRIORITY_AHEAD_SEC', 0, 86_400),
      },
      surveyTimeoutSec: int(env, 'SURVEY_TIMEOUT_SEC', 0, 60),
      recordLegs: bool(env, 'RECORD_LEGS'),
    },
    ivr: {
      defaultLanguage: oneOf(env, 'DEFAULT_LANGUAGE', LANGUAGES),
      flowFile: fromRoot(str(env, 'IVR_FLOW_FILE')),
      promptsDir: str(env, 'PROMPTS_DIR'),
    },
    recordings: {
      spoolDir: str(env, 'RECORDINGS_SPOOL_DIR'),
      archiveDir: fromRoot(str(env, 'RECORDINGS_DIR')),
      store: oneOf(env, 'ARCHIVE_STORE', ['fs', 's3'] as const),
      workers: oneOf(env, 'ARCHIVE_WORKERS', ['in-process', 'external'] as const),
      incoming: oneOf(env, 'ARCHIVE_INCOMING', ['spool', 's3'] as const),
      s3: s3Settings(env),
      codec: oneOf(env, 'RECORDING_CODEC', CODECS),
      bitrateKbps: int(env, 'RECORDING_BITRATE_KBPS', 6, 320),
      ffmpegPath: optional(env, 'FFMPEG_PATH'),
      attempts: int(env, 'ARCHIVE_ATTEMPTS', 1, 50),
      backoffMs: int(env, 'ARCHIVE_BACKOFF_MS', 10, 3_600_000),
      sweepIntervalSec: int(env, 'SWEEP_INTERVAL_SEC', 5, 86_400),
      retentionDays: retentionPolicy(env),
    },
    verification: {
      codeTtlSec: int(env, 'VERIFY_CODE_TTL_SEC', 30, 600),
      maxWrongPerCall: int(env, 'VERIFY_MAX_WRONG_PER_CALL', 1, 3),
      accountMaxFailures: int(env, 'VERIFY_ACCOUNT_MAX_FAILURES', 1, 5),
      accountLockSec: int(env, 'VERIFY_ACCOUNT_LOCK_SEC', 1, 86_400 * 7),
      callerMaxFailures: int(env, 'VERIFY_CALLER_MAX_FAILURES', 1, 1000),
      callerWindowSec: int(env, 'VERIFY_CALLER_WINDOW_SEC', 1, 86_400 * 7),
      failureBudgetPerMin: int(env, 'VERIFY_FAILURE_BUDGET_PER_MIN', 1, 100_000),
      budgetDelayMs: int(env, 'VERIFY_BUDGET_DELAY_MS', 0, 60_000),
      issuePerTokenPerMin: int(env, 'VERIFY_ISSUE_PER_TOKEN_PER_MIN', 1, 10_000),
      issuePerAccountPerHour: int(env, 'VERIFY_ISSUE_PER_ACCOUNT_PER_HOUR', 1, 1000),
    },
    businessHoursFile: fromRoot(str(env, 'BUSINESS_HOURS_FILE')),
    /** The lines configuration (src/lines/line-config.ts), read at start; the admin API rewrites it. */
    linesFile: fromRoot(str(env, 'LINES_FILE')),
    callbacks: {
      mode: oneOf(env, 'CALLBACK_MODE', CALLBACK_MODES),
      key: oneOf(env, 'CALLBACK_KEY', DTMF_KEYS),
      offerAfterSec: int(env, 'CALLBACK_OFFER_AFTER_SEC', 0, 86_400),
      announceSec: int(env, 'QUEUE_ANNOUNCE_SEC', 0, 3600),
      attempts: int(env, 'CALLBACK_ATTEMPTS', 1, 10),
      retrySec: int(env, 'CALLBACK_RETRY_SEC', 1, 86_400),
      ringSec: int(env, 'CALLBACK_RING_SEC', 5, 120),
      dialTemplate: dialTemplate(env, 'CALLBACK_DIAL_TEMPLATE'),
      ...numberRules(env),
      maxPerNumberDay: int(env, 'CALLBACK_MAX_PER_NUMBER_DAY', 1, 1000),
      maxPerAccountDay: int(env, 'CALLBACK_MAX_PER_ACCOUNT_DAY', 1, 10_000),
    },
    /** Click-to-call (src/calls/outbound-calls*.ts): dialled like callbacks, under their number rules. */
    clickToCall: { callerIds: callerIds(env, 'CLICK_TO_CALL_CALLER_ID') },
    /** The missed-calls worklist (src/missed/). */
    missedCalls: { autoCallbackAfterSec: int(env, 'MISSED_CALLS_AUTO_CALLBACK_SEC', 0, 86_400) },
    /** Calls between colleagues by extension (extensions.conf [pbxdesk-internal]). */
    internalCalls: { recorded: bool(env, 'INTERNAL_CALLS_RECORDED') },
    tickets: { sla: slaTargets(env, 'SLA_TARGETS') },
    reports: { staffingTarget: serviceTargets(env, 'STAFFING_SERVICE_LEVEL') },
    panel: {
      idleSec: int(env, 'PANEL_SESSION_IDLE_SEC', 1, 86_400),
      maxSec: int(env, 'PANEL_SESSION_MAX_SEC', 1, 7 * 86_400),
      secureCookie: bool(env, 'PANEL_COOKIE_SECURE'),
      maxFailuresPerAddress: int(env, 'PANEL_SIGNIN_MAX_FAILURES_PER_ADDRESS', 1, 1_000_000),
    },
    /** API tokens and panel sessions alike (src/auth/outage-grace.ts). */
    auth: { outageGraceSec: int(env, 'AUTH_OUTAGE_GRACE_SEC', 0, 86_400) },
    outbound: {
      maxAttempts: int(env, 'OUTBOUND_MAX_ATTEMPTS', 1, 100),
      retryBaseMs: int(env, 'OUTBOUND_RETRY_BASE_MS', 10, 3_600_000),
      retryMaxMs: int(env, 'OUTBOUND_RETRY_MAX_MS', 10, 86_400_000),
      timeoutMs: int(env, 'OUTBOUND_TIMEOUT_MS', 100, 120_000),
      privateAllowList: privateAllowList(env, 'OUTBOUND_PRIVATE_ALLOWLIST'),
      pollSec: int(env, 'CONNECTOR_POLL_SEC', 1, 86_400),
    },
    connectors: {
      publicBaseUrl: url(env, 'PUBLIC_BASE_URL', ['http:', 'https:']),
      rt: { auth: optional(env, 'RT_AUTH'), queue: str(env, 'RT_QUEUE') },
    },
    secretKey,
    bootstrapAdminToken,
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

/** What only the service uses (Asterisk's ARI and AMI, the token key): an archive worker on another machine is not given them. */
const SERVICE_ONLY = ['ARI_URL', 'PBX_ARI_USER', 'PBX_ARI_PASSWORD', 'PBX_AMI_USER', 'PBX_AMI_SECRET', 'PBXDESK_SECRET_KEY'] as const;

/**
 * The configuration of `pbxdesk worker archive`: the same settings, but those of SERVICE_ONLY
 * may be left unset. Placeholders stand in for them (the secret a random one, so nothing keyed
 * with it can ever match); the worker never reaches Asterisk nor checks a token.
 */
export function loadWorkerConfig(env: Env = process.env): Config {
  const filled: Env = { ...env };
  for (const name of SERVICE_ONLY) {
    if (filled[name]) continue;
    filled[name] = name === 'ARI_URL' ? 'http://unused.invalid' : name === 'PBXDESK_SECRET_KEY' ? randomBytes(32).toString('hex') : 'unused';
  }
  return loadConfig(filled);
}

/** The README's settings table, generated from SETTINGS so it cannot drift. */
export function settingsTable(): string {
  const rows = SETTINGS.map((s) => {
    const def = s.default !== undefined ? `\`${s.default}\`` : s.optional ? '(none)' : '**required**';
    return `| \`${s.name}\` | ${def} | ${s.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
