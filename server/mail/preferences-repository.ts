import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { taskWatchersQuery } from '../projects/repository';
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

/**
 * The people, their choices (the defaults for those who made none) and whether
 * they muted the task, in one query; with `watchers`, also every watcher of
 * the task's projects, found by the same query.
 */
export async function recipientsFor(db: Knex | Knex.Transaction, userIds: number[], taskId: number, opts: { watchers?: boolean } = {}): Promise<Map<number, Recipient>> {
  const result = new Map<number, Recipient>();
  if (!userIds.length && !opts.watchers) return result;
  const unique = [...new Set(userIds)];
  // The ids first, then each account probed by its key: joined the other way, PostgreSQL may read every
  // account on every write. The array is read through a subquery so that no plan knows its length: a plan
  // made for the actual few ids looks cheaper than the reusable one made for any, and PostgreSQL would
  // otherwise plan the statement afresh on every write (0.45 ms of its 0.5 ms at 1M tasks).
  const given = db.select(db.raw('unnest((SELECT ?::bigint[])) AS user_id', [unique]));
  const ids = opts.watchers ? taskWatchersQuery(db, taskId).union(given) : given;
  const people = db
    .from(ids.as('ids'))
    .joinRaw(`CROSS JOIN LATERAL ${userByKey('ids.user_id', ['id', 'username', 'role', 'email', 'disabled_at'])} AS u`)
    .leftJoin('mail_preferences as p', 'p.user_id', 'u.id')
    .leftJoin('task_mutes as m', (j) => j.on('m.user_id', 'u.id').andOn('m.task_id', db.raw('?', [taskId])));
  const rows = (await prepared(
    // Two texts, with the watchers and without: a name for each.
    opts.watchers ? 'recipients_and_watchers' : 'recipients',
    people.orderBy('u.id').select(
      'u.id as user_id',
      'u.username',
      'u.role',
      'u.email',
      db.raw('u.disabled_at IS NOT NULL AS disabled'),
      'p.enabled',
      'p.self_actions',
      'p.digest_minutes',
      'p.ignored_tags',
      db.raw('m.user_id IS NOT NULL AS muted'),
    ),
  )) as (Partial<PreferenceRow> & { user_id: number; username: string; role: Role; email: string | null; disabled: boolean; muted: boolean })[];
  for (const r of rows) {
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
