// The live, in-memory side of one call: its phase (call-phase.ts), digits keyed, prompts
// playing, which legs exist. What must survive a restart (status, path, operator, channels) is in
// its row, which the call ledger writes behind to Postgres; a session can be rebuilt from that
// row (call-reclaim.ts).
import { randomUUID } from 'node:crypto';
import { InvalidCallTransitionError } from '../errors.js';
import type { IvrContext, Language } from '../ivr/ivr-context.js';
import type { Line } from '../vocabulary.js';
import { NO_SKILLS, type Skills } from '../queues/skills.js';
import { assertPhaseTransition, isOver, statusOf, type CallPhase, type PhaseKind } from './call-phase.js';
import type { CallStatus } from './call-state-machine.js';
import type { PbxPort } from './pbx.port.js';

/** The call is over (the caller hung up, or the call was ended): the IVR stops talking to them. */
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
  patchRow: (callId: string, patch: { language?: Language; ivr_path?: string[]; required_skills?: Skills }) => void;
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
  /** The call's one live state; changed only through to(). */
  private current: CallPhase;
  line: Line | null = null;
  ticketId: string | null = null;
  operatorId: string | null = null;
  operatorChannelId: string | null = null;
  bridgeId: string | null = null;
  recordingId: string | null = null;
  verifiedAccountId: string | null = null;
  /** Set while a callback's customer is being dialled or talked to. */
  callbackId: string | null = null;
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
  /**
   * Skills routing: what the caller needs of an operator (the IVR's route sets it; {} = anyone of
   * the line). Kept across a missed ring, a transfer and overflow: the caller still speaks English.
   * Kept on the row too (calls.required_skills, written behind): a caller reclaimed after a restart still needs them.
   */
  requiredSkills: Skills = NO_SKILLS;
  /** Since when (ms since the epoch) the caller has waited on `line` for those skills: the ACD widens from here. */
  skillsWait: { line: Line; since: number } | undefined;

  constructor(
    readonly callId: string,
    readonly callerChannelId: string,
    readonly callerNumber: string | null,
    public language: Language,
    public ivrPath: string[],
    phase: CallPhase,
    private readonly deps: CallSessionDeps,
  ) {
    this.current = phase;
  }

  get phase(): CallPhase {
    return this.current;
  }

  /**
   * Is the call in one of these phases now? (A method, not `phase.kind`: TypeScript would keep an
   * earlier check's narrowing of `phase` across an await, where the phase may well have changed.)
   */
  in(...kinds: PhaseKind[]): boolean {
    return kinds.includes(this.current.kind);
  }

  /** Who is asking for a code right now: an operator mid-call (the caller is at the code), or else the IVR. */
  get verification(): { method: 'ivr' | 'operator'; operatorId: string | null } {
    const p = this.current;
    return (p.kind === 'bridged' || p.kind === 'consulting') && p.caller.at === 'code' ? { method: 'operator', operatorId: p.caller.askedBy } : { method: 'ivr', operatorId: null };
  }

  /** The persisted status the phase stands for (what the row says). */
  get status(): CallStatus {
    return statusOf(this.current);
  }

  /** The outcome is decided (ending or ended): nothing talks to the caller any more. */
  get over(): boolean {
    return isOver(this.current);
  }

  /**
   * The one way a call changes state. The change is checked against the phase table
   * (call-phase.ts); one that changes the persisted status is written first through `write`
   * (the call ledger's transition, which checks it against the status table again), so the phase
   * never runs ahead of its row, and a refused change leaves both as they were. Entering `ending`
   * wakes whatever the IVR waits on (a digit, a prompt, a recording): it then finds the call over.
   */
  to(next: CallPhase, write?: (from: CallStatus, to: CallStatus) => void): void {
    assertPhaseTransition(this.current, next);
    const [from, to] = [statusOf(this.current), statusOf(next)];
    if (from !== to) {
      if (!write) throw new InvalidCallTransitionError(this.current.kind, next.kind, 'a change of status is written through the call ledger');
      write(from, to);
    }
    this.current = next;
    if (next.kind === 'ending') this.wake();
  }

  /**
   * The IVR ends the call itself (a voicemail, the flow's hangup): however the caller leaves
   * from now on, the call ends 'completed', not 'abandoned'.
   */
  ivrEnds(): void {
    const p = this.current;
    if ((p.kind === 'ivr' || p.kind === 'overflow-ivr') && p.endsAs !== 'completed') this.to({ ...p, endsAs: 'completed' });
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

  /** The call is over: the IVR's waits end at once (and it finds the call over). */
  private wake(): void {
    this.recordingWaiter?.done();
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

  /** Only from the IVR proper: the menu opens when the call is queued (call.service enqueue). */
  requestCallback(): void {
    if (this.current.kind === 'ivr') this.to({ ...this.current, callbackAsked: true });
  }

  isLineOpen(line: Line): boolean {
    return this.deps.isLineOpen(line);
  }

  lineOpening(line: Line): { prompts: string[]; text: string } | null {
    return this.deps.lineOpening(this, line);
  }

  requireSkills(skills: Skills): void {
    this.requiredSkills = skills;
    this.deps.patchRow(this.callId, { required_skills: skills }); // behind, like the IVR path: a reclaimed caller still needs them
  }

  /** Resolves when the message is recorded: the caller pressed #, went quiet, hung up, or maxSec passed. */
  async recordVoicemail(maxSec: number): Promise<void> {
    this.assertHere();
    this.ivrEnds();
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
    if (this.over) throw new CallerGoneError();
  }
}
