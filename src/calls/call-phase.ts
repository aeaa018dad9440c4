// Every state a live call can be in, in one table. A call's session holds exactly one phase and
// changes it only through CallSession.to(), which checks the change against this table. A phase
// is finer than the persisted status (call-state-machine.ts): several phases share a status
// (the callback menu is still `queued` in the row), and a change of phase that changes the
// status is written through the call ledger as one transition, checked by both tables.
//
//   ivr {callbackAsked, endsAs}
//    │
//    ▼
//   queued ◄──► callback-menu {endsAs}    confirming a number for a callback (an operator
//    │  ▲   ◄──► overflow-ivr {endsAs}     coming free may still ring them: → ringing)
//    │  │
//    │  └── back to the queue from: ringing (missed), bridged (transferred),
//    │      dialling (a customer-first callback's customer answered)
//    ▼
//   ringing {answered, assignee?} ──► bridged {caller} ◄──► consulting {caller, colleague}
//    │            │
//    │            └──► surveying
//    └──► dialling ──► bridged          a callback's customer (agent-first; customer-first: queued ──► dialling)
//
//   every live phase ──► ending {was, outcome, by} ──► ended {outcome}
//   (the outcome is decided at once; the row keeps was's status until the final transition is written)
//
// Facts that used to be loose flags beside the status are phase data, decided when they are
// decided: how the call ends if the caller hangs up now (`endsAs`: the IVR took a voicemail or
// ended the call itself, a callback was booked), where a talking call's caller is (with the
// operator, on hold, keying a code an operator asked for), the colleague rung into the call,
// whether the operator was already let go (the call ends from `surveying`), and that the call
// is over (`ending`, `ended`). "Overflowed once" is history, not state: it is
// in the call's IVR path (`overflow:…`), which a reclaimed call keeps too.
import { InvalidCallTransitionError } from '../errors.js';
import type { Line } from '../vocabulary.js';
import type { HangupBy } from './call.table.js';
import { assertTransition, canTransition, isFinal, type CallStatus, type FinalStatus } from './call-state-machine.js';

/** A colleague rung into a bridged call (warm transfer or conference); `answered` once they are in the bridge. */
export interface Colleague {
  operatorId: string;
  line: Line;
  channelId: string;
  mode: 'consult' | 'conference';
  answered: boolean;
}

/**
 * Where the caller of a talking call is: in the bridge with the operator; on hold (out of it,
 * hearing music, the row's on_hold); or keying their one-time code for the operator who asked
 * (out of it, alone, the recording paused: mid-call-verification.ts). One at a time: a call on
 * hold is not asked for a code, nor put on hold while the caller keys one.
 */
export type CallerPlace = { at: 'bridge' } | { at: 'hold' } | { at: 'code'; askedBy: string | null };

/**
 * How the caller's ticket is known to be theirs, for sticky routing (call-sticky.ts): `account`,
 * the caller is verified (one-time code) as the ticket's account; `number`, the call took the
 * keyed ticket because the calling number is on it (caller IDs can be spoofed: a hint, not
 * proof); `keyed`, only its number was keyed (a claim: anyone can key a number).
 */
export const ASSIGNEE_MATCHES = ['account', 'number', 'keyed'] as const;
export type AssigneeMatch = (typeof ASSIGNEE_MATCHES)[number];

/** A ring of the caller's ticket's assignee before the line (sticky routing), for `ringSec`. */
export interface AssigneeRing {
  ticketId: string;
  ticketNumber: string;
  match: AssigneeMatch;
  ringSec: number;
}

export type LivePhase =
  /** The IVR flow runs. `callbackAsked`: the callback verb was chosen, the menu opens once queued. */
  | { kind: 'ivr'; callbackAsked: boolean; endsAs: 'abandoned' | 'completed' }
  /** In the line's waiting list (or being offered to an operator). */
  | { kind: 'queued' }
  /** Queued, in the callback menu (confirm the number); `endsAs` is 'callback' once one is booked. */
  | { kind: 'callback-menu'; endsAs: 'abandoned' | 'callback' }
  /** Queued, sent into the flow by the line's overflow rule (out of the waiting list meanwhile). */
  | { kind: 'overflow-ivr'; endsAs: 'abandoned' | 'completed' }
  /**
   * An operator's phone rings for the call. `answered`: they picked up and are being put through
   * (the bridge is being made): their leg going away now is no missed ring, the answer handles it.
   * `assignee`: rung first as the assignee of the caller's ticket (sticky routing): their own
   * timeout, and not answering is no missed ring of theirs (the caller goes on to the line).
   */
  | { kind: 'ringing'; answered: boolean; assignee?: AssigneeRing }
  /** A callback's customer is being dialled. */
  | { kind: 'dialling' }
  /** Caller and operator in the bridge, recording; `caller`: where the caller is (with the operator, on hold, keying a code). */
  | { kind: 'bridged'; caller: CallerPlace }
  /** Bridged, with a colleague rung into the call (consultation or conference). */
  | { kind: 'consulting'; caller: CallerPlace; colleague: Colleague }
  /** Bridged no more: the operator hung up and was let go, the caller rates the call. */
  | { kind: 'surveying' };

export type CallPhase =
  | LivePhase
  /** The call is over; its final status is decided and being written. */
  | { kind: 'ending'; was: LivePhase; outcome: FinalStatus; by: HangupBy }
  | { kind: 'ended'; outcome: FinalStatus };

export type PhaseKind = CallPhase['kind'];

export const PHASE_KINDS = ['ivr', 'queued', 'callback-menu', 'overflow-ivr', 'ringing', 'dialling', 'bridged', 'consulting', 'surveying', 'ending', 'ended'] as const satisfies readonly PhaseKind[];

/** Which phase may follow which. A kind listed under itself changes only its data (hold, a colleague answering). */
const NEXT: Record<PhaseKind, readonly PhaseKind[]> = {
  ivr: ['ivr', 'queued', 'ending'],
  // ringing from the menu: a free operator takes the caller even while they are deciding.
  queued: ['callback-menu', 'overflow-ivr', 'ringing', 'dialling', 'ending'],
  'callback-menu': ['callback-menu', 'queued', 'ringing', 'ending'],
  'overflow-ivr': ['overflow-ivr', 'queued', 'ending'],
  ringing: ['ringing', 'queued', 'bridged', 'dialling', 'ending'],
  dialling: ['queued', 'bridged', 'ending'],
  bridged: ['bridged', 'consulting', 'surveying', 'queued', 'ending'],
  // A consultation ends back in `bridged` (handed over or cancelled) or with the call.
  consulting: ['consulting', 'bridged', 'ending'],
  surveying: ['ending'],
  ending: ['ended'],
  ended: [],
};

/** The persisted status of each live phase; `ending` keeps the status it ended from, `ended` has its outcome. */
const STATUS: Record<LivePhase['kind'], CallStatus> = {
  ivr: 'ivr',
  queued: 'queued',
  'callback-menu': 'queued',
  'overflow-ivr': 'queued',
  ringing: 'ringing',
  dialling: 'dialling',
  bridged: 'bridged',
  consulting: 'bridged',
  surveying: 'bridged',
};

export function statusOf(p: CallPhase): CallStatus {
  if (p.kind === 'ending') return STATUS[p.was.kind];
  if (p.kind === 'ended') return p.outcome;
  return STATUS[p.kind];
}

/** Why `to` may not follow `from`, or null when it may. */
function refusal(from: CallPhase, to: CallPhase): string | null {
  if (!NEXT[from.kind].includes(to.kind)) return `no way from ${from.kind} to ${to.kind}`;
  if (to.kind === 'ending') {
    if (to.was !== from) return 'an ending must name the phase it ends';
    if (!isFinal(to.outcome) || !canTransition(statusOf(from), to.outcome)) return `a ${statusOf(from)} call cannot end ${to.outcome}`;
  }
  if (to.kind === 'ended' && from.kind === 'ending' && to.outcome !== from.outcome) return `the call was ending ${from.outcome}`;
  const [a, b] = [statusOf(from), statusOf(to)];
  if (a !== b && to.kind !== 'ending' && !canTransition(a, b)) return `no status change from ${a} to ${b}`;
  return null;
}

export function canPhaseTransition(from: CallPhase, to: CallPhase): boolean {
  return refusal(from, to) === null;
}

export function assertPhaseTransition(from: CallPhase, to: CallPhase): void {
  const why = refusal(from, to);
  if (why) throw new InvalidCallTransitionError(from.kind, to.kind, why);
  // The status table has the last word on the persisted side (it is what the ledger checks too).
  if (statusOf(from) !== statusOf(to)) assertTransition(statusOf(from), statusOf(to));
}

/** Over: the outcome is decided, nothing talks to the caller any more. */
export function isOver(p: CallPhase): p is Extract<CallPhase, { kind: 'ending' | 'ended' }> {
  return p.kind === 'ending' || p.kind === 'ended';
}

/** A call talking to an operator (with or without a colleague): what the API's in-call requests act on. */
export function isTalking(p: CallPhase): p is Extract<CallPhase, { kind: 'bridged' | 'consulting' }> {
  return p.kind === 'bridged' || p.kind === 'consulting';
}

/** The status a call ends in when its caller hangs up in `p` (a callback's customer leg is handled apart). */
export function outcomeOnCallerHangup(p: LivePhase): FinalStatus {
  switch (p.kind) {
    case 'ivr':
    case 'overflow-ivr':
    case 'callback-menu':
      return p.endsAs;
    case 'bridged':
    case 'consulting':
    case 'surveying':
      return 'completed';
    default:
      return 'abandoned';
  }
}

/**
 * Who ended a call whose caller's channel went in `p`: the IVR, when it ended the call itself
 * (its hangup verb, a voicemail taken: it hangs the caller up, or they leave as it does);
 * the operator, when they hung up first and the caller was in the survey; else the caller.
 */
export function endedByOnCallerHangup(p: LivePhase): HangupBy {
  if ((p.kind === 'ivr' || p.kind === 'overflow-ivr') && p.endsAs === 'completed') return 'system';
  return p.kind === 'surveying' ? 'operator' : 'caller';
}

/** The phase of a call read back from its row (reclaim, a callback's new call): the row keeps the status and hold. */
export function phaseOfRow(row: { status: CallStatus; on_hold: boolean }): CallPhase {
  switch (row.status) {
    case 'ivr':
      return { kind: 'ivr', callbackAsked: false, endsAs: 'abandoned' };
    case 'queued':
      return { kind: 'queued' };
    case 'ringing':
      return { kind: 'ringing', answered: false };
    case 'dialling':
      return { kind: 'dialling' };
    case 'bridged':
      return { kind: 'bridged', caller: row.on_hold ? { at: 'hold' } : { at: 'bridge' } };
    default:
      return { kind: 'ended', outcome: row.status };
  }
}

/** The kinds `kind` may go to (for tests and docs). */
export function nextKinds(kind: PhaseKind): readonly PhaseKind[] {
  return NEXT[kind];
}
