// The lines configuration's failures, one class each (re-exported by src/errors.ts, which every
// caller imports).
import { AppError } from '../app-error.js';

/** A lines configuration (pbx-config/lines.json or the admin API's document) that fails validation. */
export class InvalidLinesError extends AppError {
  readonly code = 'invalid_lines';
  readonly status = 400;
  constructor(errors: { path: string; message: string }[]) {
    super(`lines configuration is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, { errors });
  }
}

/** A line id that is well formed but not one of the configured lines (src/lines/line-guard.ts). */
export class UnknownLineError extends AppError {
  readonly code = 'unknown_line';
  readonly status = 400;
  constructor(line: string, known: readonly string[], where?: string) {
    super(`"${line}" is not a configured line (${known.join(', ')})`, { line, known, ...(where ? { path: where } : {}) });
  }
}

/** A lines configuration the running service cannot take: e.g. the IVR flow still routes to a line it removes. */
export class LinesInUseError extends AppError {
  readonly code = 'lines_in_use';
  readonly status = 409;
  constructor(what: string, uses: { path: string; message: string }[]) {
    super(`${what} still needs lines this configuration removes or closes to callers: ${uses.map((u) => `${u.path} ${u.message}`).join('; ')}`, { errors: uses });
  }
}

/** An escalation (a transfer naming no line) from a line at the top of the escalation order, or on no line. */
export class NoEscalationTargetError extends AppError {
  readonly code = 'no_escalation_target';
  readonly status = 409;
  constructor(callId: string, line: string | null) {
    super(`call ${callId}: ${line === null ? 'is on no line' : `line "${line}" escalates to no other line`}: name the line to transfer to`, { callId, line });
  }
}
