// Callbacks' failures, one class each (re-exported by src/errors.ts, which every caller imports).
import { AppError } from '../app-error.js';

export class CallbackNumberRefusedError extends AppError {
  readonly code = 'callback_number_not_allowed';
  readonly status = 422;
  constructor(reason: string) {
    super(`this number cannot be called back: ${reason}`, { reason });
  }
}

export class CallbackRateLimitedError extends AppError {
  readonly code = 'callback_rate_limited';
  readonly status = 429;
  constructor(what: 'number' | 'account', limit: number) {
    super(`this ${what} has booked ${limit} callbacks in the last 24 hours already`, { what, limit });
  }
}

export class CallbackWindowError extends AppError {
  readonly code = 'callback_window_invalid';
  readonly status = 422;
  constructor(reason: string) {
    super(reason);
  }
}

export class CallbackClosedError extends AppError {
  readonly code = 'callback_closed';
  readonly status = 409;
  constructor(id: string, status: string) {
    super(`callback ${id} is ${status} and can no longer be cancelled`, { id, status });
  }
}

export class CallbackNotAnsweredError extends AppError {
  readonly code = 'callback_not_answered';
  readonly status = 409;
  constructor(id: string, status: string) {
    super(`callback ${id} is ${status}: only an answered callback can be marked as an answering machine`, { id, status });
  }
}

/** A callback on a line whose operators may not see its ticket: they would get its screen pop. */
export class CallbackTicketLineError extends AppError {
  readonly code = 'callback_ticket_line';
  readonly status = 422;
  constructor(ticketId: string, line: string) {
    super(`ticket ${ticketId} is not visible to the ${line} line, so a ${line}-line callback cannot be booked on it`, { ticketId, line });
  }
}
