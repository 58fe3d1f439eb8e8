import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { whereAny } from '../db/lists';
import type { ViewPolicy } from '../tracker-config';
import type { Markup } from '../markup/render';
import { type EventInsert, type EventRow, type EventsMeta, type EventWithPhid, eventsBindings, insertedEvents, insertEventsSql } from './event-repository';
import type { Task, TaskState } from './task';

export interface TaskRow {
  id: number;
  phid: string;
  title: string;
  description: string;
  status: string;
  priority: number;
  owner_id: number | null;
  author_id: number;
  view_policy: ViewPolicy;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  closer_id: number | null;
  points: number | null;
  markup: Markup;
  due: string | null;
}

/** The task row without its search vectors, which are for the database only. */
export const TASK_COLUMNS = [
  'tasks.id',
  'tasks.phid',
  'tasks.title',
  'tasks.description',
  'tasks.status',
  'tasks.priority',
  'tasks.owner_id',
  'tasks.author_id',
  'tasks.view_policy',
  'tasks.created_at',
  'tasks.updated_at',
  'tasks.closed_at',
  'tasks.closer_id',
  'tasks.points',
  'tasks.markup',
  'tasks.due',
];

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    phid: r.phid,
    title: r.title,
    description: r.description,
    status: r.status,
    priority: r.priority,
    ownerId: r.owner_id,
    authorId: r.author_id,
    view: r.view_policy,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    closerId: r.closer_id,
    points: r.points === null ? null : Number(r.points),
    markup: r.markup,
    due: r.due ?? null,
  };
}

export async function countTasks(db: Knex): Promise<number> {
  const row = await db('tasks').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function findTask(db: Knex, id: number): Promise<Task | null> {
  const row = (await prepared('task', db('tasks').select(TASK_COLUMNS).where({ id }).first())) as TaskRow | undefined;
  return row ? toTask(row) : null;
}

export interface TaskWrite {
  state: TaskState;
  closedAt: Date | null;
  closerId: number | null;
  /** The owner's lowercased username ('' for none), when the owner changed. */
  ownerOrdering?: string;
  /** When the due date begins, in the install's time zone (null without one). */
  dueAt: Date | null;
  /** The text of a comment the edit adds: its words join the task's, for search. */
  comment: string | null;
}

/** The columns an edit writes from its end state, each with its value. */
const WRITTEN: [string, (w: TaskWrite) => Knex.Value][] = [
  ['title', (w) => w.state.title],
  ['description', (w) => w.state.description],
  ['status', (w) => w.state.status],
  ['priority', (w) => w.state.priority],
  ['owner_id', (w) => w.state.ownerId],
  ['view_policy', (w) => w.state.view],
  ['points', (w) => w.state.points],
  ['closed_at', (w) => w.closedAt],
  ['closer_id', (w) => w.closerId],
  ['due', (w) => w.state.due],
  ['due_at', (w) => w.dueAt],
];

/** Search words of the comments so far (`words`, SQL) and one more comment's (one parameter). */
function withCommentSql(words: string): string {
  // A gap of positions between comments, so no quoted phrase matches across two of them.
  return `ts_delete(${words} || 'trellisgap:100'::tsvector || setweight(to_tsvector('english'::regconfig, ?), 'C'), 'trellisgap')`;
}

/** Subscribes people (bound: their ids) to a task: `taskSql` is a parameter, or SQL that gives the id. */
const addSubscribersSql = (taskSql: string) => `INSERT INTO task_subscribers (task_id, user_id)
  SELECT ${taskSql}, user_id FROM unnest(?::int[]) AS user_id
  ON CONFLICT (task_id, user_id) DO NOTHING`;

const ADD_SUBSCRIBERS_SQL = addSubscribersSql('?');

const REMOVE_SUBSCRIBERS_SQL = 'DELETE FROM task_subscribers WHERE task_id = ? AND user_id = ANY(?::bigint[])';

const subscriberIdsOf = (userIds: number[]) => [...new Set(userIds)];
const subscriberBindings = (taskId: number, userIds: number[]): Knex.RawBinding[] => [taskId, subscriberIdsOf(userIds)];

/** Who an edit subscribes and unsubscribes: written with the task row, in its statement. */
export interface SubscriberChange {
  add: number[];
  remove: number[];
}

/** What an edit writes beside the task row: its events, and who made them when. */
export interface EditEvents {
  meta: Omit<EventsMeta, 'taskId'>;
  inserts: EventInsert[];
}

type EventRowWithPhid = EventRow & { phid: string };

/**
 * The statement that inserts a task, its subscribers and its first events; one text for each of
 * four: with an owner's sort key or without, with a comment's words or without.
 */
function insertSql(owner: boolean, comment: boolean): string {
  const values: [string, string][] = [
    ...WRITTEN.map(([column]): [string, string] => [column, '?']),
    ...(owner ? [['owner_ordering', '?'] as [string, string]] : []),
    ...(comment ? [['comments_vector', withCommentSql(`''::tsvector`)] as [string, string]] : []),
    ['author_id', '?'],
    ['created_at', '?'],
    ['updated_at', '?'],
  ];
  return `WITH task AS (
      INSERT INTO tasks (${values.map(([column]) => column).join(', ')}) VALUES (${values.map(([, value]) => value).join(', ')})
      RETURNING id, phid
    ),
    subscribed AS (${addSubscribersSql('(SELECT id FROM task)')}),
    inserted AS (${insertEventsSql('(SELECT id FROM task)')})
    SELECT inserted.*, (SELECT phid FROM task) AS task_phid FROM inserted ORDER BY inserted.id`;
}

const insertName = (owner: boolean, comment: boolean) => `task_insert${owner ? '_owner' : ''}${comment ? '_comment' : ''}`;

/** Each insert's text by its statement's name. */
const INSERTS = new Map([false, true].flatMap((owner) => [false, true].map((comment) => [insertName(owner, comment), insertSql(owner, comment)])));

/** Inserts a task with its subscribers and its first events, in one statement; returns its id, PHID and the events. */
export async function insertTask(
  trx: Knex.Transaction,
  authorId: number,
  w: TaskWrite,
  subscriberIds: number[],
  events: EditEvents,
): Promise<{ id: number; phid: string; events: EventWithPhid[] }> {
  const owner = w.ownerOrdering !== undefined;
  const comment = w.comment !== null;
  const bindings: Knex.RawBinding[] = [
    ...WRITTEN.map(([, value]) => value(w)),
    ...(owner ? [w.ownerOrdering!] : []),
    ...(comment ? [w.comment!] : []),
    authorId,
    events.meta.at,
    events.meta.at,
    subscriberIdsOf(subscriberIds),
    ...eventsBindings(events.meta, events.inserts),
  ];
  const name = insertName(owner, comment);
  const rows = (await prepared(name, trx.raw(INSERTS.get(name)!, bindings))).rows as (EventRowWithPhid & { task_phid: string })[];
  return { id: rows[0]!.task_id, phid: rows[0]!.task_phid, events: insertedEvents(trx, rows) };
}

// Written out once, not built per call: the query builder took 80 µs of every edit's CPU to make it.
const updateSql = (comment: boolean) => `WITH subscribed AS (${ADD_SUBSCRIBERS_SQL}),
  unsubscribed AS (${REMOVE_SUBSCRIBERS_SQL}),
  updated AS (
    UPDATE tasks SET ${WRITTEN.map(([column]) => `${column} = ?`).join(', ')},
      owner_ordering = coalesce(?::text, owner_ordering), updated_at = ?${comment ? `, comments_vector = ${withCommentSql('comments_vector')}` : ''}
    WHERE id = ?
  ),
  inserted AS (${insertEventsSql('?')})
  SELECT inserted.* FROM inserted ORDER BY inserted.id`;
const UPDATE = updateSql(false);
const UPDATE_COMMENT = updateSql(true);

/**
 * Writes the row's end state, its subscribers and the edit's events in one statement, a comment's
 * search words included. Every column is written, changed or not, so that the statement's text is
 * always one of two and can be named.
 */
export async function updateTask(trx: Knex.Transaction, id: number, w: TaskWrite, subscribers: SubscriberChange, events: EditEvents): Promise<EventWithPhid[]> {
  const bindings: Knex.RawBinding[] = [
    ...subscriberBindings(id, subscribers.add),
    ...subscriberBindings(id, subscribers.remove),
    ...WRITTEN.map(([, value]) => value(w)),
    // Null keeps the sort key: the owner did not change.
    w.ownerOrdering ?? null,
    events.meta.at,
    ...(w.comment !== null ? [w.comment] : []),
    id,
    id,
    ...eventsBindings(events.meta, events.inserts),
  ];
  const query = w.comment !== null ? prepared('task_update_comment', trx.raw(UPDATE_COMMENT, bindings)) : prepared('task_update', trx.raw(UPDATE, bindings));
  return insertedEvents(trx, (await query).rows as EventRowWithPhid[]);
}

export async function findTasksByIds(db: Knex, ids: Iterable<number>): Promise<Task[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const rows = (await prepared('tasks_by_ids', whereAny(db('tasks').select(TASK_COLUMNS), 'id', unique, 'bigint'))) as TaskRow[];
  return rows.map(toTask);
}

export type EdgeType = 'mentions' | 'mentioned-in' | 'merged-into' | 'merged-from';

/**
 * Adds mention edges from one task to others, both directions at once.
 * Returns the targets that were not mentioned by this task before.
 */
export async function addMentionEdges(trx: Knex.Transaction, srcId: number, dstIds: number[]): Promise<number[]> {
  if (!dstIds.length) return [];
  const added = await trx.raw(
    `INSERT INTO task_edges (src_task_id, type, dst_task_id)
     SELECT ?, 'mentions', dst FROM unnest(?::int[]) AS dst
     ON CONFLICT (src_task_id, type, dst_task_id) DO NOTHING
     RETURNING dst_task_id`,
    [srcId, [...new Set(dstIds)]],
  );
  const fresh = (added.rows as { dst_task_id: number }[]).map((r) => r.dst_task_id);
  if (fresh.length) {
    await trx.raw(
      `INSERT INTO task_edges (src_task_id, type, dst_task_id)
       SELECT src, 'mentioned-in', ? FROM unnest(?::int[]) AS src
       ON CONFLICT (src_task_id, type, dst_task_id) DO NOTHING`,
      [srcId, fresh],
    );
  }
  return fresh;
}

export async function findEdges(db: Knex, taskId: number): Promise<{ type: EdgeType; dstId: number }[]> {
  const rows = (await prepared('task_edges', db('task_edges').where({ src_task_id: taskId }).orderBy('created_at').select('type', 'dst_task_id'))) as {
    type: EdgeType;
    dst_task_id: number;
  }[];
  return rows.map((r) => ({ type: r.type, dstId: r.dst_task_id }));
}

/** The subscribers of the row of `tasks`, ascending: a scalar subquery for a statement that reads a task with what hangs off it. */
export const TASK_SUBSCRIBER_IDS_SQL = 'ARRAY(SELECT s.user_id FROM task_subscribers s WHERE s.task_id = tasks.id ORDER BY s.user_id)';

export async function findSubscriberIds(db: Knex, taskId: number): Promise<number[]> {
  const rows = await prepared('task_subscribers', db('task_subscribers').where({ task_id: taskId }).orderBy('user_id').select('user_id'));
  return rows.map((r: { user_id: number }) => r.user_id);
}

/** Fresh planner statistics after a large load (the demo data): some installs run without autovacuum. */
export async function analyzeTasks(db: Knex): Promise<void> {
  await db.raw('ANALYZE tasks');
  await db.raw('ANALYZE task_events');
}
