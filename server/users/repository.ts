import type { Knex } from 'knex';
import { timestampOf } from '../db/json';
import { prepared } from '../db/prepared';
import { orWhereAny, whereAny } from '../db/lists';
import type { Role } from './roles';
import type { User } from './user';

export interface UserRow {
  id: number;
  phid: string;
  username: string;
  realname: string;
  email: string | null;
  role: Role;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const COLUMNS = ['id', 'phid', 'username', 'realname', 'email', 'role', 'disabled_at', 'created_at', 'updated_at'];

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    phid: r.phid,
    username: r.username,
    realname: r.realname,
    email: r.email,
    role: r.role,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function countUsers(db: Knex): Promise<number> {
  const row = await db('users').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function findUserById(db: Knex, id: number): Promise<User | null> {
  const row = (await db('users').select(COLUMNS).where({ id }).first()) as UserRow | undefined;
  return row ? toUser(row) : null;
}

export async function findUserByUsername(db: Knex, username: string): Promise<User | null> {
  const row = (await db('users').select(COLUMNS).whereRaw('lower(username) = lower(?)', [username]).first()) as UserRow | undefined;
  return row ? toUser(row) : null;
}

export async function findUsersByIds(db: Knex, ids: Iterable<number>): Promise<Map<number, User>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = (await prepared('users_by_ids', whereAny(db('users').select(COLUMNS), 'id', unique, 'bigint'))) as UserRow[];
  return new Map(rows.map((r) => [r.id, toUser(r)]));
}

export async function findUsersByUsernames(db: Knex, names: Iterable<string>): Promise<User[]> {
  const lower = [...new Set([...names].map((n) => n.toLowerCase()))];
  if (!lower.length) return [];
  const rows = (await whereAny(db('users').select(COLUMNS), 'lower(username)', lower, 'text', true)) as UserRow[];
  return rows.map(toUser);
}

/** A user as an object of another statement's JSON column: a UserRow whose times arrive as text. */
export type UserJson = Omit<UserRow, 'disabled_at' | 'created_at' | 'updated_at'> & { disabled_at: string | null; created_at: string; updated_at: string };

const TIME_COLUMNS = new Set(['disabled_at', 'created_at', 'updated_at']);

/**
 * One account by its key, as the subquery of a LATERAL join (`CROSS JOIN LATERAL ${userByKey(…)} AS u`):
 * the LIMIT 1 keeps it a probe of the primary key per row, where a plain join or `IN (…)` may have the
 * planner hash the ids and read every account (it does without statistics).
 */
export function userByKey(idExpr: string, columns: readonly string[] = COLUMNS): string {
  return `(SELECT ${columns.map((c) => `users.${c}`).join(', ')} FROM users WHERE users.id = ${idExpr} LIMIT 1)`;
}

/**
 * The users whose ids `idsSql` (a subquery of one column) selects, as one JSON column of UserJson, with
 * COLUMNS as keys: each distinct id probed on its own (userByKey).
 */
export function usersJsonExpr(idsSql: string): string {
  const fields = COLUMNS.map((c) => `'${c}', u.${c}${TIME_COLUMNS.has(c) ? '::text' : ''}`).join(', ');
  return `(SELECT coalesce(json_agg(json_build_object(${fields})), '[]')
    FROM (SELECT DISTINCT x.id FROM unnest(ARRAY(${idsSql})) AS x(id) WHERE x.id IS NOT NULL) AS ids
    CROSS JOIN LATERAL ${userByKey('ids.id')} AS u)`;
}

export function usersFromJson(rows: UserJson[]): User[] {
  return rows.map((r) => toUser({ ...r, disabled_at: timestampOf(r.disabled_at), created_at: timestampOf(r.created_at), updated_at: timestampOf(r.updated_at) }));
}

/** Users named by id or by username (any case), in one query: what a page's text and timeline name. */
export async function findUsersByIdsOrNames(db: Knex, ids: Iterable<number>, names: Iterable<string>): Promise<User[]> {
  const idList = [...new Set(ids)];
  const nameList = [...new Set([...names].map((n) => n.toLowerCase()))];
  if (!idList.length && !nameList.length) return [];
  // One text per combination of lists given, so one prepared name each.
  const name = `users_matching${idList.length ? '_ids' : ''}${nameList.length ? '_names' : ''}`;
  const rows = (await prepared(
    name,
    db('users')
      .select(COLUMNS)
      .where((w) => {
        if (idList.length) whereAny(w, 'id', idList, 'bigint');
        if (nameList.length) orWhereAny(w, 'lower(username)', nameList, 'text', true);
      }),
  )) as UserRow[];
  return rows.map(toUser);
}

export async function findPasswordHash(db: Knex, username: string): Promise<{ user: User; hash: string } | null> {
  const row = (await db('users')
    .select([...COLUMNS, 'password_hash'])
    .whereRaw('lower(username) = lower(?)', [username])
    .first()) as (UserRow & { password_hash: string }) | undefined;
  return row ? { user: toUser(row), hash: row.password_hash } : null;
}

export async function listUsers(db: Knex): Promise<User[]> {
  const rows = (await db('users').select(COLUMNS).orderByRaw('lower(username)')) as UserRow[];
  return rows.map(toUser);
}

export interface UserInsert {
  username: string;
  realname: string;
  email: string | null;
  role: Role;
  passwordHash: string;
}

export async function insertUser(db: Knex, u: UserInsert): Promise<User> {
  const [row] = await db('users')
    .insert({ username: u.username, realname: u.realname, email: u.email, role: u.role, password_hash: u.passwordHash })
    .returning(COLUMNS);
  return toUser(row as UserRow);
}

/** Serialises account changes that depend on a count: first-run setup, and keeping one active administrator. */
export async function lockUsersTable(trx: Knex.Transaction): Promise<void> {
  await trx.raw('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
}

export async function updateRole(db: Knex, id: number, role: Role): Promise<void> {
  await db('users').where({ id }).update({ role, updated_at: db.fn.now() });
}

export async function setDisabled(db: Knex, id: number, disabled: boolean): Promise<void> {
  await db('users')
    .where({ id })
    .update({ disabled_at: disabled ? db.fn.now() : null, updated_at: db.fn.now() });
}

export async function countActiveAdmins(db: Knex): Promise<number> {
  const row = await db('users').where({ role: 'admin' }).whereNull('disabled_at').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** People named by PHID, for the Conduit API; unknown PHIDs are simply absent. */
export async function findUsersByPhids(db: Knex, phids: Iterable<string>): Promise<User[]> {
  const unique = [...new Set(phids)];
  if (!unique.length) return [];
  const rows = (await whereAny(db('users').select(COLUMNS), 'phid', unique, 'text')) as UserRow[];
  return rows.map(toUser);
}

/** Accounts whose address is this one, compared without case (addresses are not unique). */
export async function findUsersByEmail(db: Knex, email: string): Promise<User[]> {
  const rows = (await db('users').select(COLUMNS).whereRaw('lower(email) = lower(?)', [email]).orderBy('id')) as UserRow[];
  return rows.map(toUser);
}

export interface UserSearch {
  ids?: number[];
  phids?: string[];
  usernames?: string[];
  /** Only accounts that are not disabled. */
  active?: boolean;
  limit: number;
  /** Keyset on id, newest first: continue below `after` or above `before`. */
  after?: number;
  before?: number;
}

/** Accounts newest first, one page and one row more (which tells whether another page exists). */
export async function searchUsers(db: Knex, q: UserSearch): Promise<User[]> {
  const query = db('users').select(COLUMNS);
  if (q.ids) whereAny(query, 'id', q.ids, 'bigint');
  if (q.phids) whereAny(query, 'phid', q.phids, 'text');
  if (q.usernames) whereAny(query, 'lower(username)', q.usernames.map((n) => n.toLowerCase()), 'text', true);
  if (q.active) query.whereNull('disabled_at');
  if (q.after !== undefined) query.where('id', '<', q.after);
  if (q.before !== undefined) query.where('id', '>', q.before);
  const rows = (await query.orderBy('id', q.before !== undefined ? 'asc' : 'desc').limit(q.limit + 1)) as UserRow[];
  if (q.before !== undefined) rows.reverse();
  return rows.map(toUser);
}

export interface ApiTokenRow {
  id: number;
  userId: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const TOKEN_COLUMNS = ['id', 'user_id', 'name', 'created_at', 'last_used_at', 'revoked_at'];

function toToken(r: TokenRow): ApiTokenRow {
  return { id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

export async function insertApiToken(db: Knex, userId: number, name: string, tokenHash: string): Promise<ApiTokenRow> {
  const [row] = await db('api_tokens').insert({ user_id: userId, name, token_hash: tokenHash }).returning(TOKEN_COLUMNS);
  return toToken(row as TokenRow);
}

export async function listApiTokens(db: Knex, userId: number): Promise<ApiTokenRow[]> {
  const rows = (await db('api_tokens').select(TOKEN_COLUMNS).where({ user_id: userId }).orderBy('id', 'desc')) as TokenRow[];
  return rows.map(toToken);
}

/** A token by its hash, with its owner. */
export async function findApiToken(db: Knex, tokenHash: string): Promise<{ token: ApiTokenRow; user: User } | null> {
  const row = await prepared(
    'api_token',
    db('api_tokens as t')
      .join('users as u', 'u.id', 't.user_id')
      .select(COLUMNS.map((c) => `u.${c}`))
      .select(TOKEN_COLUMNS.map((c) => `t.${c} as token_${c}`))
      .where('t.token_hash', tokenHash)
      .first(),
  );
  if (!row) return null;
  const token: Record<string, unknown> = {};
  for (const c of TOKEN_COLUMNS) token[c] = row[`token_${c}`];
  return { token: toToken(token as unknown as TokenRow), user: toUser(row as UserRow) };
}

/** Records use at most once a minute: enough to answer "is this token still used?" without a write per call. */
export async function touchApiToken(db: Knex, id: number): Promise<void> {
  await db('api_tokens')
    .where({ id })
    .where((w) => w.whereNull('last_used_at').orWhere('last_used_at', '<', db.raw(`now() - interval '1 minute'`)))
    .update({ last_used_at: db.fn.now() });
}

/** Revokes one of the user's own tokens; false when they have no such live token. */
export async function revokeApiToken(db: Knex, userId: number, id: number): Promise<boolean> {
  const n = await db('api_tokens').where({ id, user_id: userId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  return n > 0;
}

export async function updatePasswordHash(db: Knex, id: number, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
}

export async function updateRealname(db: Knex, id: number, realname: string): Promise<void> {
  await db('users').where({ id }).update({ realname, updated_at: db.fn.now() });
}

export async function updateEmail(db: Knex, id: number, email: string): Promise<void> {
  await db('users').where({ id }).update({ email, updated_at: db.fn.now() });
}

/** Enabled accounts whose address is this one, in any case. */
export async function findActiveUsersByEmail(db: Knex, email: string): Promise<User[]> {
  const rows = (await db('users').select(COLUMNS).whereRaw('lower(email) = lower(?)', [email]).whereNull('disabled_at')) as UserRow[];
  return rows.map(toUser);
}

export async function findPasswordHashById(db: Knex, id: number): Promise<string | null> {
  const row = (await db('users').select('password_hash').where({ id }).first()) as { password_hash: string } | undefined;
  return row?.password_hash ?? null;
}

/** Active accounts whose username starts with `prefix` or whose real name holds it, for typeahead. */
export async function suggestUsers(db: Knex, prefix: string, limit: number): Promise<User[]> {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = (await db('users')
    .select(COLUMNS)
    .whereNull('disabled_at')
    .where((w) => w.whereILike('username', `${escaped}%`).orWhereILike('realname', `%${escaped}%`))
    .orderByRaw('lower(username)')
    .limit(limit)) as UserRow[];
  return rows.map(toUser);
}
