// What the call domain reports for monitoring. The Prometheus side implements it
// (src/metrics); the domain never sees prom-client.
import type { Line } from '../vocabulary.js';
import type { CallStatus } from './call-state-machine.js';

export interface CallObserver {
  callEnded(status: CallStatus, line: Line | null): void;
  /** From entering the queue (or returning to it) to the operator's phone being dialled. */
  queueToRing(ms: number, line: Line): void;
  /** From a waiting caller and a free operator both being there to the operator being dialled. */
  dispatched?(ms: number, line: Line): void;
  /** From a digit keyed to the IVR acting on it (next prompt starting or routing). */
  ivrStep(ms: number): void;
  /** From StasisStart (Asterisk's own event time) to the call's row written. */
  callRow?(ms: number): void;
  /** Any change of a call's status (the wallboard recounts). */
  transitioned?(to: CallStatus, line: Line | null): void;
}

export const silentCallObserver: CallObserver = {
  callEnded: () => undefined,
  queueToRing: () => undefined,
  ivrStep: () => undefined,
};
