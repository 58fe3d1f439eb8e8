/**
 * An error a person can act on: an HTTP status, a stable code for scripts,
 * a sentence for people and, for forms, the field it belongs to.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** One answer for a page that does not exist and one the viewer may not see, so neither tells the other apart. */
export const NOT_FOUND_MESSAGE = 'There is nothing here: no such page, or no page you may see.';

export class NotFoundError extends AppError {
  constructor(message = NOT_FOUND_MESSAGE) {
    super(404, 'not-found', message);
  }
}

/** Field problems found while validating one submission, all reported together. */
export class ValidationError extends AppError {
  constructor(
    readonly fields: Record<string, string>,
    status = 422,
    code = 'invalid',
  ) {
    super(status, code, Object.values(fields).join(' '));
    this.name = 'ValidationError';
  }
}
