// The call lifecycle as an explicit table. Every change of a call's status goes through
// assertTransition and is persisted with the change (the call ledger's transition). This is the
// persisted side; the live side, finer (the callback menu, hold, a consultation, the survey,
// ending), is the phase table in call-phase.ts, whose every change of status is one of these.
//
//   ivr ──► queued ──► ringing ──► bridged ──► completed
//    │        ▲  ▲        │           │
//    │        │  └────────┘           │ (operator did not answer: back to the queue, at the head)
//    │        └───────────────────────┘ (transferred to another line or operator: queued again,
//    │                                    in the same bridge, recording on)
//    └──► abandoned (caller hung up before a bridge), failed (our fault), completed (IVR ended it)
//
//   queued ──► callback: the caller asked to be called back and hung up; their place is kept
//   by a callback placeholder, which later makes a call of its own:
//   queued ──► ringing (operator first) ──► dialling (customer) ──► bridged ──► completed
//                                               └──► unanswered (no answer, busy, failed)
//   click-to-call (direction outbound): ringing (operator) ──► dialling ──► bridged ──► completed,
//   or unanswered from ringing or dialling.
//   customer-first instead: queued ──► dialling (customer) ──► queued (at the head) ──► ringing ──► bridged
import { InvalidCallTransitionError } from '../errors.js';

/** The statuses a call ends in: no transition leaves them (the table below). */
export const FINAL_STATUSES = ['completed', 'abandoned', 'failed', 'callback', 'unanswered'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];
export const CALL_STATUSES = ['ivr', 'queued', 'ringing', 'dialling', 'bridged', ...FINAL_STATUSES] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const TRANSITIONS: Record<CallStatus, readonly CallStatus[]> = {
  ivr: ['queued', 'completed', 'abandoned', 'failed'],
  // completed from queued: overflow into the flow, which took a voicemail.
  queued: ['ringing', 'abandoned', 'failed', 'callback', 'dialling', 'completed'],
  // unanswered from ringing: a click-to-call whose operator did not pick up their own call.
  ringing: ['bridged', 'queued', 'abandoned', 'failed', 'dialling', 'unanswered'],
  dialling: ['bridged', 'unanswered', 'failed', 'queued'],
  bridged: ['queued', 'completed', 'failed'],
  completed: [],
  abandoned: [],
  failed: [],
  callback: [],
  unanswered: [],
};

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: CallStatus, to: CallStatus): void {
  if (!canTransition(from, to)) throw new InvalidCallTransitionError(from, to);
}

export function isFinal(status: CallStatus): status is FinalStatus {
  return TRANSITIONS[status].length === 0;
}

/** The status a call ends in when its caller leg goes away while it is in `status`. */
export function endStatusOnCallerHangup(status: CallStatus): FinalStatus {
  return status === 'bridged' ? 'completed' : 'abandoned';
}
