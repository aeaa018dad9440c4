// What the call service needs from callbacks (implemented in src/callbacks/), so that calls
// never import the callback module: a placeholder reaching the head of its line is claimed,
// its dial is keyed once per attempt, and the outcome is handed back.
import type { Line } from '../vocabulary.js';

export type DialOutcome = 'answered' | 'no-answer' | 'busy' | 'failed' | 'interrupted' | 'machine';

export interface ClaimedCallback {
  id: string;
  number: string;
  line: Line;
  ticketId: string | null;
  accountId: string | null;
  attemptNo: number;
}

export interface CallbackPort {
  /** Takes a waiting callback for dialling; null when it is gone (cancelled, or another instance has it). */
  claim(callbackId: string): Promise<ClaimedCallback | null>;
  /** Right before the customer is dialled. false: this attempt was dialled already; do not dial. */
  beginAttempt(cb: ClaimedCallback, callId: string, operatorId: string | null): Promise<boolean>;
  /** Stored before any next attempt is scheduled. Idempotent per attempt. */
  attemptEnded(cb: ClaimedCallback, outcome: DialOutcome): Promise<void>;
  /** The service restarted while this call's attempt was dialling: it counts, as interrupted. */
  attemptInterrupted(callbackId: string, callId: string): Promise<void>;
  /** Claimed but never dialled (say, after a restart): back in the line at its old place. */
  release(callbackId: string): Promise<void>;
  /** A queued caller asked to be called back: the placeholder row, ranked where they stood. */
  bookFromQueue(req: { callId: string; number: string; line: Line; ticketId: string | null; accountId: string | null; rank: Date }): Promise<string>;
  /**
   * A callback booked from the queue whose caller an operator took while it was being booked:
   * closed before anyone dials it (the caller is served now). Its counts against the limits stay.
   */
  withdraw(callbackId: string): Promise<void>;
  /** Why this number may not be called back (toll-fraud guard), or undefined. */
  refusal(number: string): string | undefined;
}

/** What callbacks need from the call service: their placeholders in the waiting lists. */
export interface CallbackSink {
  placeCallback(line: Line, callbackId: string, rank: number): void;
  removeCallback(callbackId: string): void;
}
