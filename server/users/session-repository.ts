import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { COLUMNS, toUser, type UserRow } from './repository';
import type { User } from './user';

export interface SessionFlags {
  mfaPending: boolean;
  passwordPending: boolean;
  elevatedUntil: Date | null;
}

export interface SessionRow extends SessionFlags {
  ref: number;
  user: User;
  expiresAt: Date;
  seenAt: Date;
  /** The account has a confirmed second factor. */
  hasMfa: boolean;
}

export interface SessionInsert extends SessionFlags {
  id: string;
  userId: number;
  expiresAt: Date;
  address: string | null;
  userAgent: string | null;
}

export async function insertSession(db: Knex, s: SessionInsert): Promise<void> {
  await db('sessions').insert({
    id: s.id,
    user_id: s.userId,
    expires_at: s.expiresAt,
    mfa_pending: s.mfaPending,
    password_pending: s.passwordPending,
    elevated_until: s.elevatedUntil,
    address: s.address,
    user_agent: s.userAgent,
  });
}

/**
 * The statement every logged-in request sends, written out rather than built:
 * knex takes longer to compile a builder of this size (about 0.3 ms on a
 * loaded two-core machine) than PostgreSQL takes to answer the prepared
 * statement, and the text never changes.
 */
const FIND_SESSION = [
  `SELECT ${COLUMNS.map((c) => `u.${c}`).join(', ')},`,
  's.ref AS session_ref, s.expires_at AS session_expires_at, s.seen_at AS session_seen_at,',
  's.mfa_pending AS session_mfa_pending, s.password_pending AS session_password_pending,',
  'CASE WHEN s.elevated_until > now() THEN s.elevated_until END AS session_elevated_until,',
  'EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS session_has_mfa',
  'FROM sessions s JOIN users u ON u.id = s.user_id',
  'WHERE s.id = ? AND s.expires_at > now() AND u.disabled_at IS NULL',
].join(' ');

interface FoundSessionRow extends UserRow {
  session_ref: number;
  session_expires_at: Date;
  session_seen_at: Date;
  session_mfa_pending: boolean;
  session_password_pending: boolean;
  session_elevated_until: Date | null;
  session_has_mfa: boolean;
}

export async function findSession(db: Knex, id: string): Promise<SessionRow | null> {
  const row = ((await prepared('session', db.raw(FIND_SESSION, [id]))).rows as FoundSessionRow[])[0];
  if (!row) return null;
  return {
    ref: row.session_ref,
    user: toUser(row),
    expiresAt: row.session_expires_at,
    seenAt: row.session_seen_at,
    mfaPending: row.session_mfa_pending,
    passwordPending: row.session_password_pending,
    elevatedUntil: row.session_elevated_until ?? null,
    hasMfa: row.session_has_mfa,
  };
}

export async function touchSession(db: Knex, id: string, expiresAt: Date, address: string | null): Promise<void> {
  await db('sessions').where({ id }).update({ seen_at: db.fn.now(), expires_at: expiresAt, ...(address ? { address } : {}) });
}

export async function updateSessionFlags(db: Knex, id: string, flags: Partial<SessionFlags>): Promise<void> {
  const update: Record<string, unknown> = {};
  if (flags.mfaPending !== undefined) update.mfa_pending = flags.mfaPending;
  if (flags.passwordPending !== undefined) update.password_pending = flags.passwordPending;
  if (flags.elevatedUntil !== undefined) update.elevated_until = flags.elevatedUntil;
  if (Object.keys(update).length) await db('sessions').where({ id }).update(update);
}

export async function deleteSession(db: Knex, id: string): Promise<void> {
  await db('sessions').where({ id }).del();
}

export async function deleteSessionsOfUser(db: Knex, userId: number, exceptId: string | null = null): Promise<number> {
  const q = db('sessions').where({ user_id: userId });
  if (exceptId) q.whereNot({ id: exceptId });
  const rows = (await q.del().returning('ref')) as unknown[];
  return rows.length;
}

/** Ends one of the person's sessions by its public number; false when they have none such. */
export async function deleteSessionByRef(db: Knex, userId: number, ref: number): Promise<boolean> {
  const rows = (await db('sessions').where({ user_id: userId, ref }).del().returning('ref')) as unknown[];
  return rows.length > 0;
}

export async function deleteExpiredSessions(db: Knex): Promise<void> {
  await db('sessions').where('expires_at', '<=', db.fn.now()).del();
}

export interface SessionListRow {
  id: string;
  ref: number;
  createdAt: Date;
  seenAt: Date;
  address: string | null;
  userAgent: string | null;
  mfaPending: boolean;
  passwordPending: boolean;
}

/** A person's live sessions, most recently seen first. */
export async function listSessions(db: Knex, userId: number): Promise<SessionListRow[]> {
  const rows = await db('sessions')
    .select('id', 'ref', 'created_at', 'seen_at', 'address', 'user_agent', 'mfa_pending', 'password_pending')
    .where({ user_id: userId })
    .where('expires_at', '>', db.fn.now())
    .orderBy([{ column: 'seen_at', order: 'desc' }, { column: 'ref', order: 'desc' }]);
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    createdAt: r.created_at,
    seenAt: r.seen_at,
    address: r.address,
    userAgent: r.user_agent,
    mfaPending: r.mfa_pending,
    passwordPending: r.password_pending,
  }));
}
