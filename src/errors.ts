// One error class per failure. The HTTP layer maps them to status codes in one place
// (http/error-handler.ts); the codes are part of the API contract. A feature with many of its
// own keeps them in its own *.errors.ts, re-exported here so callers import from one place.
import { AppError } from './app-error.js';

export { AppError };
export * from './qa/qa.errors.js';
export * from './lines/line.errors.js';
export * from './callbacks/callback.errors.js';

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly status = 404;
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, { resource: what, id });
  }
}

export class RouteNotFoundError extends AppError {
  readonly code = 'route_not_found';
  readonly status = 404;
  constructor(method: string, url: string) {
    super(`no route ${method} ${url}`);
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'unauthenticated';
  readonly status = 401;
  constructor(reason = 'a valid Bearer token is required') {
    super(reason);
  }
}

export class InvalidCredentialsError extends AppError {
  readonly code = 'invalid_credentials';
  readonly status = 401;
  constructor() {
    super('login or password is wrong');
  }
}

export class LoginThrottledError extends AppError {
  readonly code = 'login_throttled';
  readonly status = 429;
  constructor(what: 'login' | 'address' = 'login') {
    super(`too many failed sign-ins for this ${what}; try again in 15 minutes`, { what });
  }
}

export class SessionExpiredError extends AppError {
  readonly code = 'session_expired';
  readonly status = 401;
  constructor(why: 'idle' | 'expired') {
    super(why === 'idle' ? 'the session ended after too long without activity; sign in again' : 'the session reached its longest life; sign in again', { why });
  }
}

export class CsrfRequiredError extends AppError {
  readonly code = 'csrf_required';
  readonly status = 403;
  constructor() {
    super('a panel session must send its x-csrf-token with every change');
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly status = 403;
  constructor(role: string, needed: readonly string[]) {
    super(`role ${role} may not do this (needs ${needed.join(' or ')})`, { role, needed });
  }
}

export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly status = 409;
}

export class OperatorLoginTakenError extends AppError {
  readonly code = 'operator_login_taken';
  readonly status = 409;
  constructor(login: string) {
    super(`an operator with login ${login} exists already`, { login });
  }
}

/** Internal calls: another operator has this extension already. */
export class ExtensionTakenError extends AppError {
  readonly code = 'extension_taken';
  readonly status = 409;
  constructor(extension: string) {
    super(`extension ${extension} belongs to another operator`, { extension });
  }
}

/** Internal calls: not 3–4 digits starting 1–9, or an emergency/service number (operators/extension.ts). */
export class InvalidExtensionError extends AppError {
  readonly code = 'invalid_extension';
  readonly status = 400;
  constructor(extension: string, reason: 'format' | 'reserved') {
    super(reason === 'reserved' ? `${extension} is an emergency or service number, never an extension` : 'an extension is 3 or 4 digits and does not start with 0', { extension, reason });
  }
}

export class InvalidCallTransitionError extends AppError {
  readonly code = 'invalid_call_transition';
  readonly status = 409;
  constructor(from: string, to: string, reason?: string) {
    super(`a call cannot go from ${from} to ${to}${reason ? `: ${reason}` : ''}`, { from, to });
  }
}

export class InvalidTicketTransitionError extends AppError {
  readonly code = 'invalid_ticket_transition';
  readonly status = 409;
  constructor(from: string, to: string, reason?: string) {
    super(reason ?? `a ticket cannot go from ${from} to ${to}`, { from, to });
  }
}

/** A merge or split that cannot be done: into itself, into a closed ticket, calls of another ticket. */
export class TicketMergeError extends AppError {
  readonly code = 'invalid_merge';
  readonly status = 409;
  constructor(reason: 'merge_into_itself' | 'already_merged' | 'merge_target_closed' | 'calls_not_on_ticket', message: string) {
    super(message, { reason });
  }
}

export class TicketForbiddenError extends AppError {
  readonly code = 'ticket_forbidden';
  readonly status = 403;
  constructor(id: string, line: string | null) {
    super(`ticket ${id} is not on your line${line ? ` (${line})` : ''}`, { id, line });
  }
}

/** A subscription naming a connector that does not exist, or events its connector cannot send. */
export class InvalidSubscriptionError extends AppError {
  readonly code = 'invalid_subscription';
  readonly status = 422;
  constructor(connector: string, known: string[], badEvents: string[] = []) {
    super(badEvents.length ? `connector ${connector} does not send ${badEvents.join(', ')}` : `no connector ${connector} (known: ${known.join(', ')})`, { connector, known, badEvents });
  }
}

export class InvalidIvrFlowError extends AppError {
  readonly code = 'invalid_ivr_flow';
  readonly status = 422;
  constructor(errors: { path: string; message: string }[]) {
    super(`IVR flow is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, { errors });
  }
}

/**
 * A connection the request needed was refused, dropped or timed out (Postgres most often; pg-errors.ts
 * isUnavailable tells it by code and message, which another system's socket error shares): the
 * request was not carried out and may be sent again. A 503 with Retry-After, not a 500 that reads as a bug.
 */
export class DependencyUnavailableError extends AppError {
  readonly code = 'dependency_unavailable';
  readonly status = 503;
  constructor() {
    super('a system this request needs (the database, most likely) is not reachable just now; try again shortly');
  }
}

export class PbxUnavailableError extends AppError {
  readonly code = 'pbx_unavailable';
  readonly status = 503;
  constructor(part: string) {
    super(`${part} is not connected`);
  }
}

/** At start: another instance holds this node's lock (docs/scaling.md: one instance per node). */
export class NodeTakenError extends AppError {
  readonly code = 'pbx_node_taken';
  readonly status = 409;
  constructor(node: string) {
    super(`PBX_NODE=${node} is driven by another running instance (its lock is held in Postgres)`);
  }
}

export class ReasonRequiredError extends AppError {
  readonly code = 'reason_required';
  readonly status = 400;
  constructor() {
    super('a reason is required to download a recording');
  }
}

export class RangeNotSatisfiableError extends AppError {
  readonly code = 'range_not_satisfiable';
  readonly status = 416;
  constructor(range: string, size: number) {
    super(`range ${range} is outside the file's ${size} bytes`, { range, size });
  }
}

export class CallNotBridgedError extends AppError {
  readonly code = 'call_not_bridged';
  readonly status = 409;
  constructor(callId: string, status: string) {
    super(`call ${callId} is ${status}; only a call with an operator on it can be transferred`, { callId, status });
  }
}

export class VerificationLockedError extends AppError {
  readonly code = 'verification_locked';
  readonly status = 429;
  constructor(accountId: string, lockedUntil: Date) {
    super(`too many failed verifications for account ${accountId}; codes are locked until ${lockedUntil.toISOString()}`, {
      accountId,
      lockedUntil: lockedUntil.toISOString(),
    });
  }
}

export class VerificationIssueRateLimitedError extends AppError {
  readonly code = 'verification_issue_rate_limited';
  readonly status = 429;
  constructor(limit: number) {
    super(`this account has had ${limit} verification codes issued in the current hour already`, { what: 'account', limit, per: 'hour' });
  }
}

/** The call has no keyed ticket to confirm (none keyed, not open any more, or attached already). */
export class NoTicketClaimError extends AppError {
  readonly code = 'no_ticket_claim';
  readonly status = 409;
  constructor(callId: string) {
    super(`call ${callId} has no unconfirmed keyed ticket`, { callId });
  }
}

/** Attaching a call to a repeat caller's ticket lost a race, or the call was attached already (one attach per call). */
export class CallAttachConflictError extends AppError {
  readonly code = 'call_attach_conflict';
  readonly status = 409;
  constructor(callId: string, reason: 'in_progress' | 'already_attached' | 'no_ticket', message: string) {
    super(message, { callId, reason });
  }
}

/** A call attached to a ticket bound to an account only when the caller is verified as that account: a number is no proof. */
export class AttachVerificationRequiredError extends AppError {
  readonly code = 'attach_verification_required';
  readonly status = 403;
  constructor(ticketId: string) {
    super(`ticket ${ticketId} belongs to an account: verify the caller as that account first (a calling number proves nothing)`, { ticketId });
  }
}

export class VerificationBusyError extends AppError {
  readonly code = 'verification_in_progress';
  readonly status = 409;
  constructor(callId: string) {
    super(`call ${callId} is already collecting a verification code`, { callId });
  }
}

/** A missed call's "call back" lost: another click booked it first, or the number got through and cleared it. */
export class MissedCallTakenError extends AppError {
  readonly code = 'missed_call_taken';
  readonly status = 409;
  constructor(id: string, status: string) {
    super(`missed call ${id} is ${status === 'cleared' ? 'cleared already: the number got through or was called back' : 'being called back already'}`, { id, status });
  }
}

/** A webhook or connector URL that points inside the network, or carries credentials. */
export class OutboundTargetRefusedError extends AppError {
  readonly code = 'outbound_target_not_allowed';
  readonly status = 422;
  constructor(reason: string) {
    super(`this URL may not be used for outbound deliveries: ${reason}`, { reason });
  }
}

export class CallOnHoldError extends AppError {
  readonly code = 'call_on_hold';
  readonly status = 409;
  constructor(callId: string) {
    super(`call ${callId} is on hold; take the caller off hold first`, { callId });
  }
}

export class OperatorUnavailableError extends AppError {
  readonly code = 'operator_unavailable';
  readonly status = 409;
  constructor(operatorId: string, why: string) {
    super(`operator ${operatorId} cannot be rung: ${why}`, { operatorId, why });
  }
}

/** Click-to-call rings an operator's phone first: a supervisor or admin names whose. */
export class ClickToCallOperatorRequiredError extends AppError {
  readonly code = 'click_to_call_operator_required';
  readonly status = 422;
  constructor() {
    super("click-to-call rings an operator's phone first: give operatorId, the operator whose phone rings");
  }
}

export class NoConsultationError extends AppError {
  readonly code = 'no_consultation';
  readonly status = 409;
  constructor(callId: string, why: string) {
    super(`call ${callId}: ${why}`, { callId });
  }
}

export class WrapUpRequiredError extends AppError {
  readonly code = 'wrap_up_required';
  readonly status = 409;
  constructor(callId: string) {
    super(`call ${callId} needs a note or a disposition before the next call`, { callId });
  }
}

export class MonitorUnavailableError extends AppError {
  readonly code = 'monitor_unavailable';
  readonly status = 409;
  constructor(callId: string, why: string) {
    super(`call ${callId} cannot be monitored: ${why}`, { callId, why });
  }
}

export class WrapUpEmptyError extends AppError {
  readonly code = 'wrap_up_empty';
  readonly status = 400;
  constructor() {
    super('a wrap-up needs a disposition or a note');
  }
}

/** Text Postgres cannot store or JSON that is not UTF-8 (http/input-guard.ts). */
export class InvalidTextError extends AppError {
  readonly code = 'invalid_text';
  readonly status = 400;
  constructor(part: string, path: string, why: string) {
    super(`${part}${path} ${why}`, { in: part, path });
  }
}

/** A URL the router cannot decode (a bad percent-encoding such as %FF). */
export class BadUrlError extends AppError {
  readonly code = 'bad_url';
  readonly status = 400;
  constructor(url: string) {
    super('the URL is not valid (bad percent-encoding?)', { url: url.slice(0, 200) });
  }
}

/** A referenced id (an operator, an assignee, ...) that does not exist: a foreign key said no. */
export class UnknownReferenceError extends AppError {
  readonly code = 'unknown_reference';
  readonly status = 422;
  constructor(what: string) {
    super(`a referenced ${what} does not exist`, { what });
  }
}

/** A value the database refused as out of range or malformed, which the schema did not catch. */
export class InvalidValueError extends AppError {
  readonly code = 'invalid_value';
  readonly status = 400;
  constructor(why: string) {
    super(`a value is out of range or malformed: ${why}`);
  }
}

/** Too many requests of one kind from one caller (the route's config.rateLimit). */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(max: number, after: string) {
    super(`too many requests (at most ${max}); retry in ${after}`, { max, retryAfter: after });
  }
}

/** An operator-role token must act as an operator. */
export class OperatorRequiredError extends AppError {
  readonly code = 'operator_required';
  readonly status = 422;
  constructor() {
    super('an operator token needs operatorId: the operator it acts as');
  }
}
