// The live, in-memory side of one call: digits keyed, prompts playing, which legs exist.
// What must survive a restart (status, path, operator, channels) is in its row, which the call
// ledger writes behind to Postgres; a session can be rebuilt from that row (call-reclaim.ts).
import { randomUUID } from 'node:crypto';
import type { IvrContext, Language } from '../ivr/ivr-context.js';
import type { Line } from '../operators/operator.table.js';
import type { CallStatus } from './call-state-machine.js';
import type { PbxPort } from './pbx.port.js';

export class CallerGoneError extends Error {
  constructor() {
    super('the caller hung up');
  }
}

/** The name of a call's bridge recording (one per call, kept across transfers and hand-overs). */
export function bridgeRecordingName(callId: string): string {
  return `call-${callId}`;
}

export interface CallSessionDeps {
  pbx: PbxPort;
  /** Changes the call's row (in memory now, in Postgres behind: the call ledger). */
  patchRow: (callId: string, patch: { language?: Language; ivr_path?: string[] }) => void;
  promptsDir: string;
  onIvrStep: (ms: number) => void;
  attachTicket: (s: CallSession, keyed: string) => Promise<{ found: boolean; line: Line | null }>;
  verifyCode: (s: CallSession, code: string) => Promise<{ outcome: string; triesLeft: number }>;
  verifyTriesLeft: (s: CallSession) => Promise<number>;
  isLineOpen: (line: Line) => boolean;
  lineOpening: (s: CallSession, line: Line) => { prompts: string[]; text: string } | null;
  startVoicemail: (s: CallSession, maxSec: number) => Promise<string>;
}

export class CallSession implements IvrContext {
  status: CallStatus;
  line: Line | null = null;
  ticketId: string | null = null;
  operatorId: string | null = null;
  operatorChannelId: string | null = null;
  bridgeId: string | null = null;
  recordingId: string | null = null;
  ended = false;
  gone = false;
  /** Who is asking for a code right now: the IVR, or an operator mid-call. */
  verification: { method: 'ivr' | 'operator'; operatorId: string | null } = { method: 'ivr', operatorId: null };
  verifiedAccountId: string | null = null;
  /** Set while a callback's customer is being dialled or talked to. */
  callbackId: string | null = null;
  /** In the queue's callback menu (press the key, confirm the number). */
  inCallbackMenu = false;
  /** Asked for a callback in the IVR (the callback verb): the menu opens once they are queued. */
  callbackRequested = false;
  /** Booked a callback: however they leave now, the call ends as 'callback'. */
  callbackBooked = false;
  /** The operator hung up and the caller is answering the survey. */
  surveying = false;
  /** The operator was let go before the call ended (survey): end() does not release them again. */
  operatorReleased = false;
  /** A colleague rung into the call (warm transfer or conference). */
  consult: { operatorId: string; line: Line; channelId: string; mode: 'consult' | 'conference'; answered: boolean } | undefined;
  /** On hold: out of the bridge, hearing music. */
  onHold = false;
  /** Overflowed once already: never again (no ping-pong between lines). */
  overflowed = false;
  /** The IVR ended the call itself, or took a voicemail: it ends 'completed', not 'abandoned'. */
  handled = false;
  private recordingWaiter: { name: string; done: () => void } | undefined;
  private digits: string[] = [];
  private digitWaiter: ((d: string | null) => void) | undefined;
  private playbackWaiter: { id: string; done: () => void; cut?: boolean } | undefined;
  private lastDigitAt: number | undefined;
  /** Their place in the line's waiting list (ms since epoch when they took it). */
  rank: number | undefined;
  answeredAt: number | undefined;
  /** When the caller last joined the queue; for the queue-to-ring latency and the wait metrics. */
  queuedAt: number | undefined;

  constructor(
    readonly callId: string,
    readonly callerChannelId: string,
    readonly callerNumber: string | null,
    public language: Language,
    public ivrPath: string[],
    status: CallStatus,
    private readonly deps: CallSessionDeps,
  ) {
    this.status = status;
  }

  // ---- fed by the call service from PBX events ----

  pushDigit(d: string): void {
    this.lastDigitAt = performance.now();
    if (this.digitWaiter) {
      const w = this.digitWaiter;
      this.digitWaiter = undefined;
      w(d);
    } else {
      this.digits.push(d);
    }
    // A digit ends a prompt at once: callers who know the menu need not wait. The IVR goes on
    // without waiting for Asterisk's PlaybackFinished (a round trip that took hundreds of ms
    // with Asterisk busy); the late event no longer matches a waiter and is ignored.
    const w = this.playbackWaiter;
    if (w) {
      this.playbackWaiter = undefined;
      w.cut = true;
      this.deps.pbx.stopPlayback(w.id).catch(() => undefined);
      w.done();
    }
  }

  playbackFinished(id: string): boolean {
    if (this.playbackWaiter?.id !== id) return false;
    const w = this.playbackWaiter;
    this.playbackWaiter = undefined;
    w.done();
    return true;
  }

  /** Cuts a prompt short (the caller is about to be bridged). */
  async stopPrompt(): Promise<void> {
    if (this.playbackWaiter) await this.deps.pbx.stopPlayback(this.playbackWaiter.id);
  }

  recordingFinished(name: string): boolean {
    if (this.recordingWaiter?.name !== name) return false;
    const w = this.recordingWaiter;
    this.recordingWaiter = undefined;
    w.done();
    return true;
  }

  callerGone(): void {
    this.recordingWaiter?.done();
    this.gone = true;
    this.digitWaiter?.(null);
    this.playbackWaiter?.done();
  }

  // ---- IvrContext ----

  async setLanguage(lang: Language): Promise<void> {
    this.language = lang;
    this.deps.patchRow(this.callId, { language: lang });
  }

  async play(prompt: string, opts: { interruptible: boolean }): Promise<void> {
    this.assertHere();
    if (opts.interruptible && this.digits.length > 0) return;
    this.ivrActed();
    const id = randomUUID();
    const waiter: { id: string; done: () => void; cut?: boolean } = { id, done: () => undefined };
    const finished = new Promise<void>((resolve) => (waiter.done = resolve));
    this.playbackWaiter = waiter;
    // Absolute path, no extension: Asterisk picks the format itself (prompts are 8 kHz WAV).
    await this.deps.pbx.play(this.callerChannelId, id, [`sound:${this.deps.promptsDir}/${this.language}/${prompt}`]);
    // A digit that came before Asterisk had created the playback could not stop it (404): stop
    // it now, or it would play to its end under the next prompt, which Asterisk queues behind it.
    if (waiter.cut) this.deps.pbx.stopPlayback(id).catch(() => undefined);
    await finished;
    this.assertHere();
  }

  async readDigit(timeoutMs: number): Promise<string | null> {
    this.assertHere();
    const buffered = this.digits.shift();
    if (buffered !== undefined) return buffered;
    const d = await new Promise<string | null>((resolve) => {
      const t = setTimeout(() => {
        this.digitWaiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.digitWaiter = (x) => {
        clearTimeout(t);
        resolve(x);
      };
    });
    this.assertHere();
    return d;
  }

  clearDigits(): void {
    this.digits = [];
  }

  async readDigits(opts: { max: number; terminator: string; timeoutMs: number; interDigitMs: number }): Promise<string | null> {
    let got = '';
    for (;;) {
      const d = await this.readDigit(got === '' ? opts.timeoutMs : opts.interDigitMs);
      if (d === null) return got === '' ? null : got;
      if (d === opts.terminator) return got === '' ? null : got;
      if (/^[0-9]$/.test(d)) got += d;
      if (got.length >= opts.max) return got;
    }
  }

  async attachTicket(keyed: string): Promise<{ found: boolean; line: Line | null }> {
    return this.deps.attachTicket(this, keyed);
  }


  verifyCode(code: string): Promise<{ outcome: string; triesLeft: number }> {
    return this.deps.verifyCode(this, code);
  }

  verifyTriesLeft(): Promise<number> {
    return this.deps.verifyTriesLeft(this);
  }

  requestCallback(): void {
    this.callbackRequested = true;
  }

  isLineOpen(line: Line): boolean {
    return this.deps.isLineOpen(line);
  }

  lineOpening(line: Line): { prompts: string[]; text: string } | null {
    return this.deps.lineOpening(this, line);
  }

  /** Resolves when the message is recorded: the caller pressed #, went quiet, hung up, or maxSec passed. */
  async recordVoicemail(maxSec: number): Promise<void> {
    this.assertHere();
    this.handled = true;
    const finished = new Promise<void>((resolve) => (this.recordingWaiter = { name: '', done: resolve }));
    const name = await this.deps.startVoicemail(this, maxSec);
    if (this.recordingWaiter) this.recordingWaiter.name = name;
    await finished;
    this.assertHere();
  }

  /** The bridge recording's name (one per call, kept across transfers). */
  get recordingName(): string | null {
    return this.recordingId ? bridgeRecordingName(this.callId) : null;
  }

  async recordStep(step: string): Promise<void> {
    // Steps an operator started mid-call are marked so: the IVR path shows who asked.
    this.ivrPath.push(this.verification.method === 'operator' ? `operator-${step}` : step);
    // Written behind the caller's back, in order with the call's other changes (the ledger): a
    // DB round trip between a digit and the next prompt is what the caller hears as a gap.
    this.deps.patchRow(this.callId, { ivr_path: [...this.ivrPath] });
  }

  /** The IVR acted on the last digit (a prompt starts, or the call is routed). */
  ivrActed(): void {
    if (this.lastDigitAt === undefined) return;
    this.deps.onIvrStep(performance.now() - this.lastDigitAt);
    this.lastDigitAt = undefined;
  }

  private assertHere(): void {
    if (this.gone) throw new CallerGoneError();
  }
}
