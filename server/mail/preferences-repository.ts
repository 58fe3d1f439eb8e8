import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { taskWatcherIdsSql } from '../projects/repository';
import { userByKey } from '../users/repository';
import type { Actor, Role } from '../users/roles';
import { DEFAULT_PREFERENCES, type MailPreferences, type MailTag } from './preferences';

interface PreferenceRow {
  user_id: number;
  enabled: boolean;
  self_actions: boolean;
  digest_minutes: number | null;
  ignored_tags: MailTag[] | string;
}

const toPreferences = (r: PreferenceRow): MailPreferences => ({
  enabled: r.enabled,
  selfActions: r.self_actions,
  digestMinutes: r.digest_minutes,
  ignored: typeof r.ignored_tags === 'string' ? (JSON.parse(r.ignored_tags) as MailTag[]) : r.ignored_tags,
});

/** A possible recipient: what decides whether, where and how they are told. */
export interface Recipient extends MailPreferences, Actor {
  email: string | null;
  disabled: boolean;
  muted: boolean;
}

const GIVEN_IDS = 'SELECT unnest((SELECT ?::bigint[])) AS user_id';

// The ids first, then each account probed by its key: joined the other way, PostgreSQL may read every
// account on every write. The array is read through a subquery so that no plan knows its length: a plan
// made for the actual few ids looks cheaper than the reusable one made for any, and PostgreSQL would
// otherwise plan the statement afresh on every write (0.45 ms of its 0.5 ms at 1M tasks). Written out
// once rather than built per call, which took the query builder 47 µs of every edit.
const recipientsSql = (ids: string) => `SELECT u.id AS user_id, u.username, u.role, u.email, u.disabled_at IS NOT NULL AS disabled,
    p.enabled, p.self_actions, p.digest_minutes, p.ignored_tags, m.user_id IS NOT NULL AS muted
  FROM (${ids}) AS ids
  CROSS JOIN LATERAL ${userByKey('ids.user_id', ['id', 'username', 'role', 'email', 'disabled_at'])} AS u
  LEFT JOIN mail_preferences p ON p.user_id = u.id
  LEFT JOIN task_mutes m ON m.user_id = u.id AND m.task_id = ?
  ORDER BY u.id`;
const RECIPIENTS = recipientsSql(GIVEN_IDS);
const RECIPIENTS_AND_WATCHERS = recipientsSql(`${taskWatcherIdsSql('?')} UNION ${GIVEN_IDS}`);

type RecipientRow = Partial<PreferenceRow> & { user_id: number; username: string; role: Role; email: string | null; disabled: boolean; muted: boolean };

/**
 * The people, their choices (the defaults for those who made none) and whether
 * they muted the task, in one query; with `watchers`, also every watcher of
 * the task's projects, found by the same query.
 */
export async function recipientsFor(db: Knex | Knex.Transaction, userIds: number[], taskId: number, opts: { watchers?: boolean } = {}): Promise<Map<number, Recipient>> {
  const result = new Map<number, Recipient>();
  if (!userIds.length && !opts.watchers) return result;
  const unique = [...new Set(userIds)];
  const query = opts.watchers
    ? prepared('recipients_and_watchers', db.raw(RECIPIENTS_AND_WATCHERS, [taskId, taskId, unique, taskId]))
    : prepared('recipients', db.raw(RECIPIENTS, [unique, taskId]));
  for (const r of (await query).rows as RecipientRow[]) {
    const prefs = r.enabled === null || r.enabled === undefined ? { ...DEFAULT_PREFERENCES } : toPreferences(r as PreferenceRow);
    result.set(r.user_id, { ...prefs, id: r.user_id, username: r.username, role: r.role, email: r.email, disabled: r.disabled, muted: r.muted });
  }
  return result;
}

export async function findPreferences(db: Knex, userId: number): Promise<MailPreferences> {
  const row = (await db('mail_preferences').where({ user_id: userId }).first()) as PreferenceRow | undefined;
  return row ? toPreferences(row) : { ...DEFAULT_PREFERENCES };
}

export async function savePreferences(db: Knex, userId: number, p: MailPreferences): Promise<void> {
  await db('mail_preferences')
    .insert({ user_id: userId, enabled: p.enabled, self_actions: p.selfActions, digest_minutes: p.digestMinutes, ignored_tags: JSON.stringify(p.ignored), updated_at: db.fn.now() })
    .onConflict('user_id')
    .merge();
}

/** Whether one person (bound: their id, null for nobody) muted the row of `tasks`: a column for the statement that reads a task with what hangs off it. */
export const TASK_MUTED_SQL = 'EXISTS (SELECT 1 FROM task_mutes m WHERE m.task_id = tasks.id AND m.user_id = ?)';

export async function setMuted(db: Knex, userId: number, taskId: number, muted: boolean): Promise<void> {
  if (muted) await db('task_mutes').insert({ user_id: userId, task_id: taskId }).onConflict(['task_id', 'user_id']).ignore();
  else await db('task_mutes').where({ user_id: userId, task_id: taskId }).del();
}
