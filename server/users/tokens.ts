import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../errors';
import * as repo from './repository';
import { hashToken } from './sessions';
import type { User } from './user';

/**
 * Conduit API tokens, as Phabricator shapes them: "api-" and 28 characters
 * of a-z2-7, 32 in all. The token is shown once; only its SHA-256 is stored.
 */
export const TOKEN_PREFIX = 'api';
export const TOKEN_LENGTH = 32;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** How often a token's last use is written (touchApiToken keeps the same rule in SQL). */
const TOUCH_EVERY_MS = 60_000;

function generateToken(): string {
  // 256 is a multiple of 32, so masking each byte keeps every character equally likely.
  const bytes = crypto.randomBytes(TOKEN_LENGTH - TOKEN_PREFIX.length - 1);
  return `${TOKEN_PREFIX}-${[...bytes].map((b) => ALPHABET[b & 31]).join('')}`;
}

const TokenName = z
  .string({ error: 'Name the token.' })
  .trim()
  .max(255, 'Token names are at most 255 characters.')
  .transform((v) => v || 'API token');

export type TokenProblem = 'length' | 'format' | 'unknown' | 'revoked' | 'disabled';

/** Why a presented token was refused; each problem has its own sentence, as Phabricator's do. */
export class TokenRefused extends Error {
  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRefused';
  }
}

/** Quoted back to the caller as sent, but never at any length. */
function shown(token: string): string {
  return token.length > 64 ? `${token.slice(0, 64)}…` : token;
}

export interface TokenOwner {
  user: User;
  tokenId: number;
}

/** The account behind a token, or TokenRefused saying exactly what is wrong with it. */
export async function authenticateToken(db: Knex, token: string): Promise<TokenOwner> {
  if (token.length !== TOKEN_LENGTH) {
    throw new TokenRefused('length', `API token "${shown(token)}" has the wrong length. API tokens should be ${TOKEN_LENGTH} characters long.`);
  }
  if (token.split('-')[0] !== TOKEN_PREFIX) {
    throw new TokenRefused(
      'format',
      `API token "${token}" has the wrong format. API tokens should be ${TOKEN_LENGTH} characters long and begin with one of these prefixes: ${TOKEN_PREFIX}.`,
    );
  }
  const found = await repo.findApiToken(db, hashToken(token));
  if (!found) throw new TokenRefused('unknown', `API token "${token}" is not valid.`);
  if (found.token.revokedAt) throw new TokenRefused('revoked', `API token "${token}" was previously valid, but has been revoked.`);
  if (found.user.disabledAt) throw new TokenRefused('disabled', 'User account is disabled.');
  // The statement itself writes at most once a minute; a token seen used within the minute needs no statement at all.
  const last = found.token.lastUsedAt;
  if (!last || Date.now() - last.getTime() >= TOUCH_EVERY_MS) await repo.touchApiToken(db, found.token.id);
  return { user: found.user, tokenId: found.token.id };
}

export interface CreatedToken {
  token: string;
  row: repo.ApiTokenRow;
}

export async function createApiToken(db: Knex, user: User, rawName: unknown): Promise<CreatedToken> {
  const name = TokenName.safeParse(rawName ?? '');
  if (!name.success) throw new ValidationError({ name: name.error.issues[0]!.message });
  if (user.disabledAt) throw new AppError(409, 'disabled', `The account "${user.username}" is disabled; it cannot have API tokens.`);
  const token = generateToken();
  const row = await repo.insertApiToken(db, user.id, name.data, hashToken(token));
  return { token, row };
}

/** Creates a token for an account named on the command line. */
export async function createApiTokenFor(db: Knex, username: string, name?: string): Promise<CreatedToken> {
  const user = await repo.findUserByUsername(db, username);
  if (!user) throw new NotFoundError(`There is no account named "${username}".`);
  return createApiToken(db, user, name);
}

export function listApiTokens(db: Knex, user: User): Promise<repo.ApiTokenRow[]> {
  return repo.listApiTokens(db, user.id);
}

export async function revokeApiToken(db: Knex, user: User, tokenId: number): Promise<void> {
  if (!(await repo.revokeApiToken(db, user.id, tokenId))) throw new NotFoundError('You have no such API token, or it is already revoked.');
}
