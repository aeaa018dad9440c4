// What a verb may do to the call it runs on. The call service implements it per call.
import type { Line } from '../operators/operator.table.js';

export type Language = 'ru' | 'en';

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
}

export type VerbResult = { kind: 'next' } | { kind: 'goto'; node: string } | { kind: 'route'; line: Line };

export interface Verb {
  execute(ctx: IvrContext): Promise<VerbResult>;
}
