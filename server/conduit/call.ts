import type { Knex } from 'knex';
import type { Config } from '../config';
import { isDatabaseUnavailable } from '../db/unavailable';
import { AppError, NotFoundError, ValidationError } from '../errors';
import type { Tracker } from '../tasks/task';
import { checkLimits, LIMITS, recordAttempt, TooManyAttempts, waitText, type Limit } from '../users/throttle';
import { authenticateToken, TokenRefused } from '../users/tokens';
import type { User } from '../users/user';
import { ConduitError, callError, coreError, type ConduitResponse } from './errors';
import type { ConduitContext } from './method';
import { paramsError } from './params';
import { checkRateLimit } from './rate-limit';
import { findMethod } from './registry';
import { errorText, logLine } from '../log';

export interface ConduitDeps {
  db: Knex;
  tracker: Tracker;
  config: Readonly<Config>;
  log: (line: string) => void;
}

export interface ConduitCall {
  method: string;
  params: Record<string, unknown>;
  baseUrl: string;
  requestId: string;
  /** API calls carry a token (or none); the console calls as the person logged in. */
  caller: { token: string | null; address: string | null } | { sessionUser: User };
}

export interface ConduitAnswer extends ConduitResponse {
  retryAfter?: number;
}

const ok = (result: unknown): ConduitAnswer => ({ result, error_code: null, error_info: null });
export const refusal = (e: ConduitError): ConduitAnswer => ({ result: null, error_code: e.code, error_info: e.message, retryAfter: e.retryAfter });

async function callerOf(deps: ConduitDeps, call: ConduitCall): Promise<User | null> {
  if ('sessionUser' in call.caller) return call.caller.sessionUser;
  const token = call.caller.token;
  if (token === null) return null;
  // Refused tokens count against the client address, so guessing tokens is as slow as guessing passwords.
  const limits: [Limit, string][] = [[LIMITS.apiToken, call.caller.address ?? 'unknown']];
  try {
    await checkLimits(deps.db, limits);
  } catch (err) {
    if (!(err instanceof TooManyAttempts)) throw err;
    throw new ConduitError('ERR-RATE-LIMIT', `Too many refused API tokens from this address. Wait ${waitText(err.retryAfter)} and try again.`, err.retryAfter);
  }
  try {
    const { user, tokenId } = await authenticateToken(deps.db, token);
    await checkRateLimit(deps.db, tokenId, deps.config.apiRateLimit);
    return user;
  } catch (err) {
    if (err instanceof TokenRefused) {
      if (err.problem !== 'disabled') await recordAttempt(deps.db, limits);
      throw new ConduitError(err.problem === 'disabled' ? 'ERR-USER-DISABLED' : 'ERR-INVALID-AUTH', err.message);
    }
    throw err;
  }
}

/**
 * A domain refusal in Conduit's terms: what the web form would say beside its
 * fields, said once. ValidationError joins its fields' sentences already.
 */
function domainError(err: unknown): ConduitError | null {
  if (err instanceof ConduitError) return err;
  if (err instanceof ValidationError || err instanceof NotFoundError || err instanceof AppError) return coreError(err.message);
  return null;
}

/**
 * Runs one Conduit call: find the method, identify the caller, count the call
 * against the token, check the parameters, run it. Every outcome, even a bug,
 * is an answer in Conduit's shape; a stack only ever reaches the log.
 */
export async function runConduitCall(deps: ConduitDeps, call: ConduitCall): Promise<ConduitAnswer> {
  try {
    const method = findMethod(call.method);
    if (!method) throw callError(`Conduit API method "${call.method}" does not exist.`);
    const viewer = await callerOf(deps, call);
    if (method.needsToken && !viewer) throw new ConduitError('ERR-INVALID-SESSION', 'Session key is not present.');
    const parsed = method.params.safeParse(call.params);
    if (!parsed.success) throw paramsError(method.name, parsed.error.issues, method.claimIssue);
    const ctx: ConduitContext = { db: deps.db, tracker: deps.tracker, viewer, baseUrl: call.baseUrl, timeZone: deps.config.timezone };
    return ok(await method.call(ctx, parsed.data));
  } catch (err) {
    // Not the call's fault and not a bug: the transport answers it as an outage (503, Retry-After).
    if (isDatabaseUnavailable(err)) throw err;
    const known = domainError(err);
    if (known) return refusal(known);
    deps.log(logLine({ id: call.requestId, level: 'error', method: call.method, error: errorText(err) }));
    return refusal(coreError(`Something went wrong on our side. The error has been logged as request ${call.requestId}; please try again.`));
  }
}
