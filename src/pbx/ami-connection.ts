// AMI, used only to keep the fallback queues' members (queues.conf) in step with operators,
// for the calls Asterisk handles when the Stasis app is not connected or sheds them, and to
// hear of those calls (the fallback path's UserEvents; manager.conf filters out the rest). asterisk-manager's
// keepConnected() waits 10 s more per retry up to 60 s; we reconnect with our own capped
// backoff, a new manager object per attempt, forever.
import AsteriskManager, { type AmiManager } from 'asterisk-manager';
import type { Logger } from 'pino';
import type { InternalCallEvent } from '../operators/internal-calls.js';
import type { OperatorState } from '../operators/operator.table.js';
import { DEFAULT_LINE_IDS, LINE_ID_PATTERN, type Line } from '../vocabulary.js';
import { backoffDelay } from './backoff.js';

const LINE_ID_RE = new RegExp(LINE_ID_PATTERN);
/** The line of a shed caller who keyed nothing: the dialplan's first queue is the default lines' first. */
const FALLBACK_DEFAULT_LINE = DEFAULT_LINE_IDS[0] as Line;

export interface AmiSettings {
  host: string;
  port: number;
  user: string;
  secret: string;
  reconnectMaxDelayMs: number;
}

/** A caller the dialplan's fallback path took, as its UserEvents tell (extensions.conf). */
export type FallbackCallEvent =
  | { kind: 'started'; channelId: string; caller: string | null; dialled: string | null; shed: boolean }
  | { kind: 'ended'; channelId: string; line: Line; memberEndpoint: string | null; holdSec: number | null; cause: number };

export class AmiConnection {
  private mgr: AmiManager | undefined;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private onConnect: () => void = () => undefined;
  private onFallback: (e: FallbackCallEvent) => void = () => undefined;
  private onInternal: (e: InternalCallEvent) => void = () => undefined;
  /**
   * What each interface was last synced to on this connection (`queue|paused`): an operator's
   * state changes several times a call (ringing, on call, wrap-up, available) but their
   * fallback membership rarely does, and each QueueAdd/QueuePause is work for Asterisk and for
   * us. Forgotten on every (re)connect, when the full sync pushes everything again.
   */
  private readonly synced = new Map<string, string>();
  reconnects = 0;

  constructor(private readonly s: AmiSettings, private readonly log: Logger) {}

  isConnected(): boolean {
    return this.connected;
  }

  /** Called after every successful login, to push state AMI does not keep for us. */
  whenConnected(fn: () => void): void {
    this.onConnect = fn;
  }

  /** Callers the fallback path took (shed, or the app away while this connection was up). */
  onFallbackCall(fn: (e: FallbackCallEvent) => void): void {
    this.onFallback = fn;
  }

  /** Calls between colleagues (the ACD leaves both out while they talk: OperatorService). */
  onInternalCall(fn: (e: InternalCallEvent) => void): void {
    this.onInternal = fn;
  }

  start(): void {
    this.connectOnce();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.mgr?.removeAllListeners();
    this.mgr?.disconnect();
    this.connected = false;
  }

  private connectOnce(): void {
    if (this.stopped) return;
    const mgr = AsteriskManager(undefined, this.s.host, this.s.user, this.s.secret, true);
    this.mgr = mgr;
    let retried = false;
    const retry = (why: string) => {
      if (retried || this.stopped) return;
      retried = true;
      if (this.connected) this.log.warn({ why }, 'AMI connection lost');
      this.connected = false;
      mgr.removeAllListeners();
      mgr.on('error', () => undefined);
      mgr.disconnect();
      const delay = backoffDelay(this.attempt++, this.s.reconnectMaxDelayMs);
      this.timer = setTimeout(() => this.connectOnce(), delay);
    };
    mgr.on('error', (err: Error) => retry(err.message));
    mgr.on('userevent-pbxdeskfallback', (e: Record<string, string>) =>
      this.onFallback({ kind: 'started', channelId: e.call ?? '', caller: e.caller || null, dialled: e.dialled || null, shed: e.shed === '1' }),
    );
    mgr.on('userevent-pbxdeskfallbackend', (e: Record<string, string>) => {
      // MEMBERINTERFACE is PJSIP/<endpoint>; QEHOLDTIME (seconds) is empty when nobody answered.
      const member = /^PJSIP\/(.+)$/.exec(e.member ?? '')?.[1] ?? null;
      const hold = e.hold ? Number(e.hold) : NaN;
      // PBXDESK_LINE is set only when the caller keyed 2 in the fallback menu (extensions.conf):
      // any line id is taken as it comes; none (or garbage) is the menu's default, the first queue.
      const line = e.line && LINE_ID_RE.test(e.line) ? e.line : FALLBACK_DEFAULT_LINE;
      this.onFallback({ kind: 'ended', channelId: e.call ?? '', line, memberEndpoint: member, holdSec: Number.isFinite(hold) ? hold : null, cause: Number(e.cause) || 0 });
    });
    mgr.on('userevent-pbxdeskinternal', (e: Record<string, string>) => {
      if (e.state === 'start' || e.state === 'end') this.onInternal({ kind: e.state === 'start' ? 'started' : 'ended', id: e.call ?? '', caller: e.caller ?? '', callee: e.callee ?? '' });
    });
    mgr.on('close', () => retry('closed'));
    mgr.connect(this.s.port, this.s.host, (err) => {
      if (err) return retry(err.message);
      mgr.login((loginErr) => {
        if (loginErr) {
          this.log.error('AMI login refused: check PBX_AMI_USER and PBX_AMI_SECRET');
          return retry('login refused');
        }
        if (this.attempt > 0) this.reconnects++;
        this.attempt = 0;
        this.synced.clear();
        this.connected = true;
        this.log.info('AMI connected');
        this.onInternal({ kind: 'reset' });
        this.onConnect();
      });
    });
  }

  action(a: Record<string, string | number | boolean>): Promise<Record<string, string>> {
    const mgr = this.mgr;
    if (!mgr || !this.connected) return Promise.reject(new Error('AMI is not connected'));
    return new Promise((resolve, reject) => {
      mgr.action(a, (err, res) => (err ? reject(new Error(JSON.stringify(err))) : resolve(res)));
    });
  }

  /** Mirrors one operator into the fallback queue of its home line (queues.conf; LineDefinition.fallbackQueue). */
  async syncQueueMember(endpoint: string, name: string, queue: string, state: OperatorState): Promise<void> {
    const iface = `PJSIP/${endpoint}`;
    const mgr = this.mgr;
    if (state === 'offline') {
      this.synced.delete(iface);
      await this.action({ action: 'QueueRemove', queue, interface: iface }).catch(() => undefined);
      return;
    }
    // on_call and wrap_up need no pause: app_queue sees the device busy and applies its own wrapuptime.
    const paused = state === 'paused' ? 'true' : 'false';
    const want = `${queue}|${name}|${paused}`;
    if (this.synced.get(iface) === want) return;
    this.synced.delete(iface);
    // QueueAdd fails when the member is there already; either way QueuePause then sets the state.
    await this.action({ action: 'QueueAdd', queue, interface: iface, membername: name, paused: 'false' }).catch(
      () => undefined,
    );
    await this.action({ action: 'QueuePause', queue, interface: iface, paused });
    // Only if still on the connection it was sent over: a reconnect meanwhile syncs everything again.
    if (this.mgr === mgr && this.connected) this.synced.set(iface, want);
  }
}
