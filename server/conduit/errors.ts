/**
 * Conduit's error codes. The first five are Conduit's own; the rest are the
 * per-method codes Phabricator's search methods use, kept so that clients
 * which test for them keep working.
 */
export type ConduitCode =
  | 'ERR-CONDUIT-CALL'
  | 'ERR-CONDUIT-CORE'
  | 'ERR-INVALID-AUTH'
  | 'ERR-INVALID-SESSION'
  | 'ERR-USER-DISABLED'
  | 'ERR-RATE-LIMIT'
  | 'ERR-BAD-QUERYKEY'
  | 'ERR-INVALID-CONSTRAINT'
  | 'ERR-INVALID-CONSTRAINTS-FORMAT'
  | 'ERR-INVALID-ATTACHMENT'
  | 'ERR-INVALID-ATTACHMENTS-FORMAT'
  | 'ERR-INVALID-PAGE-SIZE'
  // Phabricator's older maniphest methods.
  | 'ERR-BAD-TASK'
  | 'ERR-NO-EFFECT'
  | 'ERR-INVALID-PARAMETER';

/** A refused call: the code scripts test for and the sentence people read. */
export class ConduitError extends Error {
  constructor(
    readonly code: ConduitCode,
    message: string,
    /** Seconds until a rate-limited caller may try again. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ConduitError';
  }
}

/** Every answer has this shape, errors included, with HTTP 200; only an unreachable database makes it a 503 (with Retry-After). */
export interface ConduitResponse {
  result: unknown;
  error_code: ConduitCode | null;
  error_info: string | null;
}

export const callError = (message: string) => new ConduitError('ERR-CONDUIT-CALL', message);
export const coreError = (message: string) => new ConduitError('ERR-CONDUIT-CORE', message);
