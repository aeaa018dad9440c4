// Whose fault a missed ring is. Only the operator's own miss pauses them as 'missed' (app_queue's
// autopause does the same): their phone rang and nobody picked up within the time we allowed
// (19 NO_ANSWER, also what a softphone's decline, SIP 480, comes to), they declined (486, 603),
// their phone refused the call in some other way (a phone can send 488, 500, 503…: those count
// as theirs, or a phone set to answer 503 would skip every pause), or Asterisk gave no reason.
// Not theirs: a phone that never answered the INVITE at all (18: SIP 408, no response) or is not
// registered (20): app_queue's autopauseunavail defaults to no for the same reason.
//
// Nor is any miss while the service sheds load (overload-guard.ts): then Asterisk and SIP are
// past their limit and rings end late or not at all whoever the operator is. Measured in the
// soak's overload phase (2026-12-07, bench/baselines/soak-overload-before.json): pausing for those
// misses paused 213 of 400 operators in three minutes, and as their pause is mirrored into the
// dialplan's fallback queue, the shed path lost its operators too: 11.1 % of callers answered,
// against 64.7 % for plain Asterisk. A miss that pauses nobody still rests the operator for a
// ring's length (call-dispatch.ts), so the caller is not offered to the same phone at once.
// The miss is on the call's record either way (call_events `missedBy`, with its cause).
import type { HangupCause } from './pbx.port.js';

/** Q.850 causes of a ring that never reached the operator's phone. */
const NOT_REACHED = new Set([
  18, // no user responding: the INVITE went unanswered (SIP 408)
  20, // subscriber absent: no registered contact
]);

/** Whether a missed ring counts against the operator (pauses them as 'missed'). */
export function isOperatorsMiss(m: { cause?: HangupCause; shedding: boolean }): boolean {
  if (m.shedding) return false;
  return !(m.cause && NOT_REACHED.has(m.cause.code));
}
