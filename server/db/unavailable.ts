import { AppError } from '../errors';

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

export class DatabaseUnavailableError extends AppError {
  constructor() {
    super(503, 'database-unavailable', 'Trellis can not reach its database; try again shortly.');
  }
}

/** The socket could not be opened or was lost: the server is down, restarting, or out of reach. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL's own answers that mean "not now" rather than "not this":
 * class 08 (connection exception), the server shutting down or starting up
 * (57P01-57P03), too many connections (53300), and a statement cancelled by
 * statement_timeout (57014).
 */
const SERVER_CODES = /^(08[0-9A-Z]{3}|57P0[123]|53300|57014)$/;

/** node-postgres and knex say these in words only (knex puts the statement before them). */
const CLIENT_MESSAGES = [
  'timeout expired', // connectionTimeoutMillis while connecting
  'Connection terminated',
  'Query read timeout', // query_timeout: the server did not answer at all
  'Client has encountered a connection error and is not queryable',
];

/**
 * Whether an error says the database could not be reached or did not answer
 * in time, as opposed to a query it refused (a bug or a constraint). Such a
 * request is answered 503, not 500: it may well succeed a moment later.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if (err instanceof DatabaseUnavailableError) return true;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; errors?: unknown };
  // The pool's acquire timeout: every connection is busy or none can be opened in time.
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SERVER_CODES.test(e.code))) return true;
  if (typeof e.message === 'string' && CLIENT_MESSAGES.some((m) => (e.message as string).includes(m))) return true;
  // Connecting to a name with several addresses fails with one error per address.
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isDatabaseUnavailable);
}

/** For a process that can not start or finish a command without its database: the cause, without a stack. */
export function unreachableSentence(err: unknown): string {
  const cause = String((err as Error)?.message ?? err).split('\n')[0];
  if (cause?.startsWith('unsupported startup parameter')) {
    return `Trellis can not reach its database (${cause}): DATABASE_URL goes through a connection pooler such as PgBouncer. Set DATABASE_POOLER=pgbouncer (see "Running at scale" in the README), then try again.`;
  }
  return `Trellis can not reach its database (${cause}). Check that PostgreSQL is running and that DATABASE_URL names it, then try again.`;
}
