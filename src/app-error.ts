// The base of every error class (src/errors.ts and the features' own *.errors.ts): a code and an
// HTTP status, which http/error-handler.ts turns into the one error shape.
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
  }
}
