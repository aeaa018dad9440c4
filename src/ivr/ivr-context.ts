// What a verb may do to the call it runs on. The call service implements it per call.
import type { Line } from '../vocabulary.js';
import type { Skills } from '../queues/skills.js';

import type { Language } from '../vocabulary.js';

export type { Language };

export interface IvrContext {
  readonly language: Language;
  setLanguage(lang: Language): Promise<void>;
  /** Plays a prompt; with interruptible, a digit keyed meanwhile ends it early (and is kept). */
  play(prompt: string, opts: { interruptible: boolean }): Promise<void>;
  /** The next digit keyed (buffered ones first), or null after timeoutMs of silence. */
  readDigit(timeoutMs: number): Promise<string | null>;
  clearDigits(): void;
  /** Appends a step to the call's persisted IVR path, e.g. "menu:main-menu=1". */
  recordStep(step: string): Promise<void>;
  /**
   * Digits up to `terminator` (not included) or `max` digits; null when nothing was keyed
   * within timeoutMs, and what was keyed so far when the caller pauses interDigitMs.
   */
  readDigits(opts: { max: number; terminator: string; timeoutMs: number; interDigitMs: number }): Promise<string | null>;
  /** Attaches the call to the open ticket with this number; the keyed number is stored either way. */
  attachTicket(keyed: string): Promise<{ found: boolean; line: Line | null }>;
  /** Checks a keyed one-time code for this call; each call is one audited attempt. */
  verifyCode(code: string): Promise<{ outcome: string; triesLeft: number }>;
  /** Wrong codes this call may still key (0: stop asking). */
  verifyTriesLeft(): Promise<number>;
  /** Is the line open now (its business hours, time zone and holidays)? */
  isLineOpen(line: Line): boolean;
  /** When a closed line opens, as prompts on the line's clock (and the caller's); null: not within 30 days. */
  lineOpening(line: Line): { prompts: string[]; text: string } | null;
  /** The caller asked (in the IVR) to be called back: the callback menu opens once they are queued. */
  requestCallback(): void;
  /** Records the caller (after a beep) until #, hangup or maxSec; the recording joins the call. */
  recordVoicemail(maxSec: number): Promise<void>;
  /**
   * Skills routing: what the caller needs of an operator, set by the route that queues them (every
   * route sets it: {} = anyone of the line). Optional for contexts that route nobody (tests' fakes).
   */
  requireSkills?(skills: Skills): void;
}

export type VerbResult = { kind: 'next' } | { kind: 'goto'; node: string } | { kind: 'route'; line: Line } | { kind: 'hangup' };

export interface Verb {
  execute(ctx: IvrContext): Promise<VerbResult>;
}
