import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { whereAny } from '../db/lists';
import { type EventRow, type EventWithPhid, toEvent } from '../tasks/event-repository';

/**
 * SQL the API needs beyond the domain's: PHID lookups, pages of events and
 * the rate-limit counter.
 */

export async function findTaskIdsByPhids(db: Knex, phids: Iterable<string>): Promise<Map<string, number>> {
  const unique = [...new Set(phids)];
  if (!unique.length) return new Map();
  const rows = (await whereAny(db('tasks').select('id', 'phid'), 'phid', unique, 'text')) as { id: number; phid: string }[];
  return new Map(rows.map((r) => [r.phid, r.id]));
}

/** Subscribers of several tasks at once, as PHIDs in the order they subscribed. */
export async function findSubscriberPhids(db: Knex, taskIds: number[]): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>(taskIds.map((id) => [id, []]));
  if (!taskIds.length) return result;
  const rows = (await whereAny(db('task_subscribers as s').join('users as u', 'u.id', 's.user_id').select('s.task_id', 'u.phid'), 's.task_id', taskIds, 'bigint')
    .orderBy([{ column: 's.task_id' }, { column: 's.created_at' }, { column: 's.user_id' }])) as { task_id: number; phid: string }[];
  for (const r of rows) result.get(r.task_id)!.push(r.phid);
  return result;
}

/** An event as the API reports it: with its PHID. */
export type ApiEvent = EventWithPhid;

export interface EventPageQuery {
  taskId: number;
  limit: number;
  phids?: string[];
  actorIds?: number[];
  /** Keyset on id, newest first: continue below `after` or above `before`. */
  after?: number;
  before?: number;
}

/** A task's events newest first, one row more than the page (it tells whether another page exists). */
export async function findEventPage(db: Knex, q: EventPageQuery): Promise<ApiEvent[]> {
  const query = db('task_events').where({ task_id: q.taskId });
  if (q.phids) whereAny(query, 'phid', q.phids, 'text');
  if (q.actorIds) whereAny(query, 'actor_id', q.actorIds, 'bigint');
  if (q.after !== undefined) query.where('id', '<', q.after);
  if (q.before !== undefined) query.where('id', '>', q.before);
  const rows = (await query.orderBy('id', q.before !== undefined ? 'asc' : 'desc').limit(q.limit + 1)) as (EventRow & { phid: string })[];
  if (q.before !== undefined) rows.reverse();
  return rows.map((r) => ({ ...toEvent(r), phid: r.phid }));
}

/**
 * Counts one request against a token's window in one statement, so app
 * processes sharing the database share the count. A window opens with the
 * first request after the previous one ended.
 */
export async function countRequest(db: Knex, tokenId: number, windowSeconds: number): Promise<{ requests: number; resetsInSeconds: number }> {
  const result = await prepared(
    'api_rate_limit',
    db.raw(
      `INSERT INTO api_rate_limits (token_id, window_start, requests) VALUES (?, now(), 1)
     ON CONFLICT (token_id) DO UPDATE SET
       window_start = CASE WHEN api_rate_limits.window_start <= now() - make_interval(secs => ?) THEN now() ELSE api_rate_limits.window_start END,
       requests = CASE WHEN api_rate_limits.window_start <= now() - make_interval(secs => ?) THEN 1 ELSE api_rate_limits.requests + 1 END
     RETURNING requests, ceil(extract(epoch from (window_start + make_interval(secs => ?) - now())))::integer AS resets_in`,
      [tokenId, windowSeconds, windowSeconds, windowSeconds],
    ),
  );
  const row = (result.rows as { requests: number; resets_in: number }[])[0]!;
  return { requests: Number(row.requests), resetsInSeconds: Math.max(1, Number(row.resets_in)) };
}

/** Each task's subtasks (Phabricator's "depends on"), as task id and PHID, by parent id. */
export async function findSubtasksOf(db: Knex, taskIds: number[]): Promise<Map<number, { id: number; phid: string }[]>> {
  const result = new Map<number, { id: number; phid: string }[]>(taskIds.map((id) => [id, []]));
  if (!taskIds.length) return result;
  const rows = (await whereAny(db('task_subtasks as s').join('tasks as t', 't.id', 's.child_id').select('s.parent_id', 't.id', 't.phid'), 's.parent_id', taskIds, 'bigint').orderBy([
    { column: 's.parent_id' },
    { column: 't.id' },
  ])) as { parent_id: number; id: number; phid: string }[];
  for (const r of rows) result.get(r.parent_id)!.push({ id: r.id, phid: r.phid });
  return result;
}

/** Every event of several tasks, oldest first, task by task. */
export async function findEventsOfTasks(db: Knex, taskIds: number[]): Promise<ApiEvent[]> {
  if (!taskIds.length) return [];
  const rows = (await whereAny(db('task_events'), 'task_id', taskIds, 'bigint').orderBy([{ column: 'task_id' }, { column: 'id' }])) as (EventRow & { phid: string })[];
  return rows.map((r) => ({ ...toEvent(r), phid: r.phid }));
}
