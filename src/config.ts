// The only reader of process.env. Every setting is declared once in SETTINGS (name, default,
// meaning): loadConfig validates against it and freezes the result, failing fast with the
// variable's name, and README's settings table is generated from it (`pbxdesk config-doc`).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';
import { parseSlaTargets, type SlaTargets } from './tickets/ticket-rules.js';
import { isNumberType, isRegion, NUMBER_TYPES, type NumberRules } from './callbacks/callback-number.js';
import { allowListOf } from './connectors/outbound-http.js';
import type { S3Settings } from './recordings/s3-archive.store.js';

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`config: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

interface Setting {
  name: string;
  /** undefined: required (or optional where `optional` is set). */
  default?: string;
  optional?: true;
  doc: string;
}

export const SETTINGS: readonly Setting[] = [
  { name: 'DATABASE_URL', doc: 'PostgreSQL connection URL (postgres://user:password@host:port/db).' },
  { name: 'CALL_JOURNAL_DIR', optional: true, doc: "The call ledger's local journal (changes to live calls not yet in Postgres, replayed at start after a crash; docs/scaling.md). Default: .call-journal in RECORDINGS_DIR. Keep it on a local disk that outlives the process." },
  { name: 'DATABASE_POOL_SIZE', default: '30', doc: 'Connections to Postgres. Calls no longer wait on it (their changes go in batches through the call ledger); the pool serves the API, tickets, the archive and the ledger\'s batches.' },
  { name: 'REDIS_URL', doc: 'Redis URL for BullMQ. Redis must run with maxmemory-policy noeviction.' },
  { name: 'PBXDESK_SECRET_KEY', doc: 'At least 32 characters; keys the HMAC under which API tokens are stored.' },
  { name: 'PBXDESK_BOOTSTRAP_ADMIN_TOKEN', optional: true, doc: 'An admin API token accepted from the first start (at least 24 characters).' },
  { name: 'HTTP_HOST', default: '127.0.0.1', doc: 'Address the HTTP API listens on.' },
  { name: 'HTTP_PORT', default: '15080', doc: 'Port of the HTTP API (0: any free port).' },
  { name: 'HTTP_VALIDATE_RESPONSES', default: 'false', doc: 'Check every response against its schema (500 on a mismatch); the test suite turns it on.' },
  { name: 'HTTP_TRUST_PROXY', optional: true, doc: 'Comma-separated addresses or CIDRs of reverse proxies in front (e.g. 127.0.0.1,10.0.0.0/8) whose X-Forwarded-For names the client: the sign-in lockout and rate limits then count per client, not per proxy.' },
  { name: 'HTTP_PUBLIC_ORIGINS', optional: true, doc: "Comma-separated origins (https://desk.example.com) browsers reach the panel at, when a proxy in front changes the Host header. The panel's SIP WebSocket (/panel/sip) refuses a browser whose Origin is neither one of these nor the request's own Host." },
  { name: 'PANEL_SIGNIN_MAX_FAILURES_PER_ADDRESS', default: '20', doc: 'Failed panel sign-ins from one source address (any logins) within 15 minutes before that address is refused too (a login is locked after 5).' },
  { name: 'METRICS_TOKEN', optional: true, doc: 'Bearer token for GET /metrics; /metrics is off without it.' },
  { name: 'LOG_LEVEL', default: 'info', doc: 'trace, debug, info, warn, error, fatal or silent.' },
  { name: 'SHUTDOWN_DRAIN_SEC', default: '30', doc: 'On SIGTERM, how long calls in the IVR or queue get to settle; new callers go to the dialplan fallback meanwhile.' },
  { name: 'PBXDESK_QUEUE_PREFIX', default: 'pbxdesk', doc: 'Prefix of every BullMQ queue, so several stacks can share one Redis.' },
  { name: 'ARI_URL', doc: "Asterisk's HTTP server, where ARI answers (http://host:8088)." },
  { name: 'PBX_ARI_USER', doc: 'ARI user (ari.conf).' },
  { name: 'PBX_ARI_PASSWORD', doc: 'ARI password (ari.conf).' },
  { name: 'PBX_ARI_APP', default: 'pbxdesk', doc: 'Stasis application name the dialplan sends calls to.' },
  { name: 'PBX_NODE', default: 'pbx1', doc: 'Name of the Asterisk node this instance drives (docs/scaling.md): its calls, recordings and operators are the ones marked with it; one instance per node.' },
  { name: 'ARI_RECONNECT_MAX_DELAY_MS', default: '5000', doc: 'Cap of the backoff between ARI reconnect attempts (they never stop).' },
  { name: 'AMI_HOST', default: '127.0.0.1', doc: 'Asterisk Manager Interface host.' },
  { name: 'AMI_PORT', default: '5038', doc: 'Asterisk Manager Interface port.' },
  { name: 'PBX_AMI_USER', doc: 'AMI user (manager.conf).' },
  { name: 'PBX_AMI_SECRET', doc: 'AMI secret (manager.conf).' },
  { name: 'AMI_RECONNECT_MAX_DELAY_MS', default: '5000', doc: 'Cap of the backoff between AMI reconnect attempts (they never stop).' },
  { name: 'SIP_DOMAIN', default: '127.0.0.1', doc: "Domain operators' phones register to (shown in the operator API)." },
  { name: 'SIP_WS_URL', default: 'ws://127.0.0.1:8088/ws', doc: "Asterisk's SIP-over-WebSocket endpoint. Browsers do not reach it themselves: the panel's softphone connects to the service at /panel/sip (signed-in sessions only), which relays to this." },
  { name: 'SIP_REALM', default: 'pbxdesk', doc: "Digest realm of operators' endpoints." },
  { name: 'SHED_LAG_MS', default: '1000', doc: 'Overload: new callers go to the dialplan fallback (same operators, MixMonitor) while the event loop lags more than this (p99 over half a second, two looks in a row); 0: not watched. On a machine shared with Asterisk a busy CPU alone delays timers by a few hundred ms, which is no reason to shed (measured: 300 shed nearly every call at 28 calls/s). docs/scaling.md.' },
  { name: 'SHED_BACKLOG_MS', default: '5000', doc: "Overload: likewise while a call's change has waited this long to reach Postgres; 0: not watched." },
  { name: 'SHED_UNANSWERED', default: '60', doc: 'Overload: likewise while this many new callers wait for the service to answer them; 0: not watched.' },
  { name: 'SHED_RECOVER_SEC', default: '15', doc: 'Overload: seconds every signal must stay under half its bound before new callers come to the service again.' },
  { name: 'OPERATOR_RING_TIMEOUT_SEC', default: '20', doc: "Seconds an operator's phone rings before the caller goes back to the head of the queue." },
  { name: 'WRAPUP_REQUIRES_NOTE', default: 'panel', doc: "Whose wrap-up lasts until they give a note or a disposition for the call: never, panel (operators whose phone is the browser panel) or always." },
  { name: 'SERVICE_LEVEL_SEC', default: '20', doc: 'Service level threshold for the wallboard and reports: calls answered within this many seconds of queueing.' },
  { name: 'WRAPUP_SEC', default: '10', doc: 'Wrap-up after each call before the operator is offered the next (0: none); the operator can end it early.' },
  { name: 'DEFAULT_LANGUAGE', default: 'ru', doc: "The IVR's language (ru or en) until the caller picks one." },
  { name: 'IVR_FLOW_FILE', default: 'pbx-config/ivr/main.json', doc: 'The IVR flow, relative to the project root or absolute.' },
  { name: 'PROMPTS_DIR', default: '/var/lib/pbxdesk/prompts', doc: 'Where the prompt files are as Asterisk sees them.' },
  { name: 'RECORDINGS_SPOOL_DIR', doc: "Asterisk's recording spool (astspooldir/recording) as this process sees it." },
  { name: 'RECORDINGS_DIR', default: 'recordings', doc: 'The recording archive, relative to the project root or absolute (with ARCHIVE_STORE=s3: local scratch space for transcodes).' },
  { name: 'RECORD_LEGS', default: 'false', doc: 'Besides the mixed recording of each call, record each party alone (the caller, each operator), archived next to it.' },
  { name: 'ARCHIVE_WORKERS', default: 'in-process', doc: 'Who archives this node\'s recordings: in-process (the service itself) or external (only `pbxdesk worker archive` processes, on this machine or others; the service then runs no archive worker). README, Recordings.' },
  { name: 'ARCHIVE_INCOMING', default: 'spool', doc: 'How a finished recording reaches the archive workers: spool (they read RECORDINGS_SPOOL_DIR, shared over a mount with workers on other machines) or s3 (the service moves each finished WAV to incoming/<node>/ under S3_PREFIX in S3_BUCKET; the worker deletes it once the archived copy is verified and chained).' },
  { name: 'ARCHIVE_STORE', default: 'fs', doc: 'Where archived recordings go: fs (RECORDINGS_DIR) or s3 (an S3-compatible object store, S3_*). Recordings archived before a switch stay readable.' },
  { name: 'S3_ENDPOINT', optional: true, doc: 'S3-compatible endpoint URL (MinIO, Ceph RGW, ...); unset for AWS S3.' },
  { name: 'S3_REGION', default: 'us-east-1', doc: 'S3 region.' },
  { name: 'S3_BUCKET', optional: true, doc: 'The bucket of the recording archive (required with ARCHIVE_STORE=s3 or ARCHIVE_INCOMING=s3).' },
  { name: 'S3_PREFIX', default: '', doc: 'Key prefix inside the bucket, e.g. "recordings/".' },
  { name: 'S3_ACCESS_KEY_ID', optional: true, doc: 'S3 credentials (required with ARCHIVE_STORE=s3 or ARCHIVE_INCOMING=s3).' },
  { name: 'S3_SECRET_ACCESS_KEY', optional: true, doc: 'S3 credentials (required with ARCHIVE_STORE=s3 or ARCHIVE_INCOMING=s3).' },
  { name: 'S3_FORCE_PATH_STYLE', default: 'true', doc: 'Path-style bucket URLs (what MinIO and most S3-compatible stores want).' },
  { name: 'RECORDING_CODEC', default: 'opus', doc: 'Archive codec: opus, mp3 or wav.' },
  { name: 'RECORDING_BITRATE_KBPS', default: '16', doc: 'Archive bitrate in kb/s (opus, mp3).' },
  { name: 'FFMPEG_PATH', optional: true, doc: 'ffmpeg binary; else ffmpeg-static if installed, else ffmpeg on PATH.' },
  { name: 'ARCHIVE_ATTEMPTS', default: '8', doc: 'Attempts of an archive job before the recording is marked failed.' },
  { name: 'ARCHIVE_BACKOFF_MS', default: '2000', doc: 'First retry delay of an archive job (doubles each attempt).' },
  { name: 'SWEEP_INTERVAL_SEC', default: '600', doc: 'How often orphaned spool files are looked for (also at start).' },
  { name: 'RECORDING_RETENTION_DAYS', default: '365', doc: 'Days an archived recording is kept before the daily purge deletes it.' },
  { name: 'RECORDING_RETENTION_DAYS_FIRST', optional: true, doc: 'Retention for first-line calls, overriding RECORDING_RETENTION_DAYS.' },
  { name: 'RECORDING_RETENTION_DAYS_SECOND', optional: true, doc: 'Retention for second-line calls, overriding RECORDING_RETENTION_DAYS.' },
  { name: 'BUSINESS_HOURS_FILE', default: 'pbx-config/business-hours.json', doc: "Each line's opening hours, time zone and holidays (scheduled callbacks ring only while the line is open)." },
  { name: 'VERIFY_CODE_TTL_SEC', default: '600', doc: 'Lifetime of a one-time verification code in seconds (at most 600).' },
  { name: 'VERIFY_MAX_WRONG_PER_CALL', default: '3', doc: 'Wrong codes one call may key (1-3) before it is routed on as unverified.' },
  { name: 'VERIFY_ACCOUNT_MAX_FAILURES', default: '5', doc: "Consecutive failures against one account (1-5) before the account's codes are locked." },
  { name: 'VERIFY_ACCOUNT_LOCK_SEC', default: '900', doc: 'How long an account stays locked after too many failures.' },
  { name: 'VERIFY_CALLER_MAX_FAILURES', default: '10', doc: 'Failed attempts one calling number may make within VERIFY_CALLER_WINDOW_SEC before it is refused.' },
  { name: 'VERIFY_CALLER_WINDOW_SEC', default: '3600', doc: 'Window of the per-calling-number limit (withheld and anonymous numbers share one bucket).' },
  { name: 'VERIFY_FAILURE_BUDGET_PER_MIN', default: '30', doc: 'Failed code checks per minute across all callers; beyond it an alert is logged and counted (pbxdesk_verification_budget_exceeded_total) and every failed check is slowed.' },
  { name: 'VERIFY_BUDGET_DELAY_MS', default: '3000', doc: 'Slowing of a failed check once the failure budget is spent: this long per budget exceeded in the minute, at most 10 times.' },
  { name: 'VERIFY_ISSUE_PER_TOKEN_PER_MIN', default: '20', doc: 'Verification codes one API token (the control panel) may have issued per minute.' },
  { name: 'VERIFY_ISSUE_PER_ACCOUNT_PER_HOUR', default: '6', doc: 'Verification codes issued per account per hour.' },
  { name: 'SURVEY_TIMEOUT_SEC', default: '6', doc: 'After the operator hangs up, the caller is asked to rate the call 1-5 and has this long to key it (0: no survey).' },
  { name: 'QUEUE_VERIFIED_AHEAD_SEC', default: '300', doc: 'Priority of verified callers: they queue as if they had called this many seconds earlier (0: none).' },
  { name: 'QUEUE_HIGH_PRIORITY_AHEAD_SEC', default: '600', doc: 'Priority of calls on a high-priority ticket (keyed in the IVR), as a head start in seconds (0: none). The largest head start that applies wins.' },
  { name: 'QUEUE_CRITICAL_PRIORITY_AHEAD_SEC', default: '1800', doc: 'Priority of calls on a critical ticket, as a head start in seconds (0: none).' },
  { name: 'CALLBACK_MODE', default: 'agent-first', doc: 'agent-first: the operator is rung, then the customer dialled; customer-first: the customer is dialled and, once they answer, is first in the line.' },
  { name: 'CALLBACK_KEY', default: '*', doc: 'The key a queued caller presses to be called back instead of waiting.' },
  { name: 'CALLBACK_OFFER_AFTER_SEC', default: '180', doc: 'A queued caller hears the callback offer when the estimated wait exceeds this (0: always).' },
  { name: 'QUEUE_ANNOUNCE_SEC', default: '60', doc: 'How often a waiting caller hears their place in the queue, the estimated wait (when reliable) and the callback offer (0: never).' },
  { name: 'CALLBACK_ATTEMPTS', default: '3', doc: 'Dial attempts of one callback before it is closed as failed.' },
  { name: 'CALLBACK_RETRY_SEC', default: '300', doc: 'Delay between two attempts of a callback.' },
  { name: 'CALLBACK_RING_SEC', default: '30', doc: "How long the customer's phone rings before the attempt counts as no answer." },
  { name: 'CALLBACK_DIAL_TEMPLATE', default: 'PJSIP/{number}@trunk', doc: 'Asterisk dial string of a callback; {number} is the customer number in E.164, with its + (+79991234567).' },
  { name: 'CALLBACK_DEFAULT_REGION', default: 'RU', doc: 'Region (ISO 3166 code) in which a number without a leading + is read ("8 912 …", "912 …"); a leading + (or an international prefix such as 810) always means international.' },
  { name: 'CALLBACK_ALLOWED_COUNTRIES', default: 'RU', doc: 'Comma-separated ISO 3166 codes whose numbers may be called back. Kazakhstan (KZ) shares country code 7 with Russia and is a country of its own here; satellite and other non-geographic numbers (+881, +882, +800 …) belong to none.' },
  { name: 'CALLBACK_ALLOWED_TYPES', default: 'fixed-line,mobile,fixed-line-or-mobile', doc: 'Comma-separated number types that may be called back (libphonenumber-js): fixed-line, mobile, fixed-line-or-mobile, toll-free, premium-rate, shared-cost, voip, personal-number, pager, uan, voicemail.' },
  { name: 'CALLBACK_DENIED_PREFIXES', default: '+76,+77,+7803,+7809,+7840,+7940,+881,+882,+883', doc: 'Comma-separated E.164 prefixes (with +) always refused for callbacks, whatever country and type say: Kazakhstan +76/+77, paid services 8-803/8-809, Abkhazia +7 840/940, satellite and international networks.' },
  { name: 'CALLBACK_MAX_PER_NUMBER_DAY', default: '3', doc: 'Callbacks one number may have booked within 24 hours.' },
  { name: 'CALLBACK_MAX_PER_ACCOUNT_DAY', default: '10', doc: 'Callbacks one account may have booked within 24 hours.' },
  { name: 'PANEL_SESSION_IDLE_SEC', default: '1800', doc: 'An operator panel session ends after this long without requests.' },
  { name: 'PANEL_SESSION_MAX_SEC', default: '43200', doc: 'An operator panel session ends this long after sign-in, active or not.' },
  { name: 'AUTH_OUTAGE_GRACE_SEC', default: '300', doc: 'While Postgres is away, an API token or panel session that Postgres confirmed within this many seconds may still read (GET), so the API can tell the calls in progress; nothing that changes data gets in (0: nobody gets in while Postgres is away).' },
  { name: 'PANEL_COOKIE_SECURE', default: 'false', doc: 'Mark the panel session cookie Secure: set true wherever the panel is served over TLS.' },
  { name: 'PUBLIC_BASE_URL', default: 'http://127.0.0.1:15080', doc: 'How people outside reach this service (links to recordings in helpdesk comments).' },
  { name: 'RT_AUTH', optional: true, doc: 'Request Tracker credentials for the rt5 connector: "user:password" or "token:<RT auth token>".' },
  { name: 'RT_QUEUE', default: 'General', doc: 'The RT queue where calls without an RT ticket create one.' },
  { name: 'CONNECTOR_POLL_SEC', default: '60', doc: 'How often helpdesk connectors (RT) are asked for status and subject changes made there.' },
  { name: 'SLA_TARGETS', default: 'critical=1h/1d,high=4h/2d,normal=1d/5d,low=2d/10d', doc: 'First-response/resolution targets per ticket priority (units s, m, h, d). A ticket is flagged at 80% of a target and escalated when it passes.' },
  { name: 'OUTBOUND_MAX_ATTEMPTS', default: '15', doc: 'Delivery attempts of one webhook/connector event before it becomes a dead letter (with the backoff, about 3 hours).' },
  { name: 'OUTBOUND_RETRY_BASE_MS', default: '5000', doc: 'First retry delay of a failed delivery; it doubles per failure.' },
  { name: 'OUTBOUND_RETRY_MAX_MS', default: '900000', doc: 'Longest delay between two delivery attempts.' },
  { name: 'OUTBOUND_TIMEOUT_MS', default: '10000', doc: 'How long a receiver may take to answer a delivery.' },
  { name: 'OUTBOUND_PRIVATE_ALLOWLIST', optional: true, doc: 'Comma-separated IP addresses or CIDR ranges (10.0.5.20, 10.0.5.0/24, fd00::/8) on loopback, private or link-local networks that webhooks and helpdesk connectors may reach anyway: an on-premises helpdesk. Empty: public addresses only. Checked on the resolved address when a subscription is made and at every connection.' },
];

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
      retentionDays: {
        default: int(env, 'RECORDING_RETENTION_DAYS', 1, 36_500),
        first: optionalInt(env, 'RECORDING_RETENTION_DAYS_FIRST', 1, 36_500),
        second: optionalInt(env, 'RECORDING_RETENTION_DAYS_SECOND', 1, 36_500),
      },
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
    tickets: { sla: slaTargets(env, 'SLA_TARGETS') },
    panel: {
      idleSec: int(env, 'PANEL_SESSION_IDLE_SEC', 1, 86_400),
      maxSec: int(env, 'PANEL_SESSION_MAX_SEC', 1, 7 * 86_400),
      secureCookie: bool(env, 'PANEL_COOKIE_SECURE'),
      maxFailuresPerAddress: int(env, 'PANEL_SIGNIN_MAX_FAILURES_PER_ADDRESS', 1, 1_000_000),
      outageGraceSec: int(env, 'AUTH_OUTAGE_GRACE_SEC', 0, 86_400),
    },
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
