// Whose fault a missed ring is. Only the operator's own miss pauses them as 'missed' (app_queue's
// autopause does the same): their phone rang and nobody picked up within the time we allowed
// (19 NO_ANSWER, also what a softphone's decline, SIP 480, comes to), they declined (486, 603),
// or Asterisk gave no reason. A phone that never answered the INVITE at all (18: SIP 408 or no
// response), an endpoint that is not there (20), or a network, Asterisk or congestion failure
// is not theirs (app_queue's autopauseunavail defaults to no for the same reason).
//
// Nor is any miss while the service sheds load (overload-guard.ts): then Asterisk and SIP are
// past their limit and rings end late or not at all whoever the operator is. Measured in the
// soak's overload phase (2026-12-07): pausing for those misses paused 213 of 400 operators in
// three minutes, and as their pause is mirrored into the dialplan's fallback queue, the shed
// path lost its operators too: 11.6 % of callers answered, against 64.7 % for plain Asterisk.
// The miss is still on the call's record (call_events `missedBy`, with its cause).
import type { HangupCause } from './pbx.port.js';

/** Q.850 causes of a ring that never reached the operator. */
const NOT_REACHED = new Set([
  1, // unallocated number
  3, // no route to destination
  18, // no user responding: the INVITE went unanswered (SIP 408)
  20, // subscriber absent
  27, // destination out of order
  34, // no circuit available
  38, // network out of order
  41, // temporary failure
  42, // switching equipment congestion
  44, // requested channel not available
  47, // resource unavailable
  58, // bearer capability not available
  102, // recovery on timer expiry
]);

/** Whether a missed ring counts against the operator (pauses them as 'missed'). */
export function isOperatorsMiss(m: { cause?: HangupCause; shedding: boolean }): boolean {
  if (m.shedding) return false;
  return !(m.cause && NOT_REACHED.has(m.cause.code));
}
