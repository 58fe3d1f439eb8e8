import type { Knex } from 'knex';
import { notifyAfterCommit } from '../db/after-commit';
import { whereAny } from '../db/lists';
import { timestampOf } from '../db/json';
import { prepared } from '../db/prepared';
import type { Markup } from '../markup/render';
import type { StoredEvent } from './events/types';

/** SQL of a task's timeline: its events (changes and comments) and the revisions of its comments. */

export interface EventInsert {
  type: string;
  old: unknown;
  new: unknown;
}

export interface EventRow {
  id: number;
  task_id: number;
  group_id: string;
  actor_id: number;
  type: string;
  old_value: unknown;
  new_value: unknown;
  source: string;
  created_at: Date;
  /** Absent from rows read without it: those are Markdown. */
  markup?: Markup;
}

/** What an event is read as (toEvent), named so that a statement reading events can be prepared. */
const EVENT_COLUMNS = ['id', 'task_id', 'group_id', 'actor_id', 'type', 'old_value', 'new_value', 'source', 'created_at', 'markup'];

/** An event as another statement's JSON: its time as text, read back by `eventFromJson`. */
export type EventJson = Omit<EventRow, 'created_at'> & { created_at: string };

/**
 * A task's events (`e`, of the row of `tasks` the statement reads) as a JSON array, oldest first;
 * `also` narrows them further (SQL on `e`).
 */
export function eventsJsonExpr(also = ''): string {
  return `(SELECT coalesce(json_agg(json_build_object('id', e.id, 'task_id', e.task_id, 'group_id', e.group_id, 'actor_id', e.actor_id,
      'type', e.type, 'old_value', e.old_value, 'new_value', e.new_value, 'source', e.source, 'created_at', e.created_at::text, 'markup', e.markup) ORDER BY e.id), '[]')
    FROM task_events e WHERE e.task_id = tasks.id${also ? ` AND ${also}` : ''})`;
}

export const eventFromJson = (e: EventJson): StoredEvent => toEvent({ ...e, created_at: timestampOf(e.created_at) });

export function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    taskId: r.task_id,
    groupId: r.group_id,
    actorId: r.actor_id,
    type: r.type,
    old: r.old_value,
    new: r.new_value,
    source: r.source,
    createdAt: r.created_at,
    markup: r.markup ?? 'markdown',
  };
}

export interface EventsMeta {
  taskId: number;
  groupId: string;
  actorId: number;
  source: string;
  at: Date;
}

/** An event with the PHID the database gave it (what the API answers with). */
export interface EventWithPhid extends StoredEvent {
  phid: string;
}

/**
 * The INSERT of a group of events of one task, in order, returning them with their PHIDs: a
 * data-modifying WITH query of the edit's statement, so that the task row, its subscribers and its
 * events are one round trip. `taskIdSql` is a parameter, or SQL that gives the id (of a task the
 * same statement inserts); the rest is bound with eventsBindings.
 */
export const insertEventsSql = (taskIdSql: string) => `INSERT INTO task_events (task_id, group_id, actor_id, type, old_value, new_value, source, created_at)
  SELECT ${taskIdSql}::integer, ?::uuid, ?::integer, e.v->>'type', e.v->'old', e.v->'new', ?::text, ?::timestamptz
  FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(v, n)
  ORDER BY e.n
  RETURNING ${EVENT_COLUMNS.join(', ')}, phid`;

export function eventsBindings(meta: Omit<EventsMeta, 'taskId'>, events: EventInsert[]): Knex.RawBinding[] {
  if (!events.length) throw new Error('An edit is written with its events: a statement without any would drop the writes beside them.');
  // One JSON array for all of them; a value left undefined has no key, and is stored as NULL.
  const values = JSON.stringify(events.map((e) => ({ type: e.type, old: e.old, new: e.new })));
  return [meta.groupId, meta.actorId, meta.source, meta.at, values];
}

const INSERT_EVENTS = `WITH inserted AS (${insertEventsSql('?')}) SELECT inserted.* FROM inserted ORDER BY inserted.id`;

/**
 * The events an edit's statement returned, in order. Once the transaction has committed, every
 * process listening hears that their task changed (open pages of the task, and lists).
 */
export function insertedEvents(trx: Knex.Transaction, rows: (EventRow & { phid: string })[]): EventWithPhid[] {
  const first = rows[0];
  if (first) notifyAfterCommit(trx, JSON.stringify({ task: first.task_id, group: first.group_id }));
  return rows.map((r) => ({ ...toEvent(r), phid: r.phid }));
}

/** Stores a group of events of one task, alone in its statement. */
export async function insertEvents(trx: Knex.Transaction, meta: EventsMeta, events: EventInsert[]): Promise<EventWithPhid[]> {
  if (!events.length) return [];
  const result = await prepared('insert_events', trx.raw(INSERT_EVENTS, [meta.taskId, ...eventsBindings(meta, events)]));
  return insertedEvents(trx, result.rows as (EventRow & { phid: string })[]);
}

export async function findEvent(db: Knex, taskId: number, eventId: number): Promise<StoredEvent | null> {
  const row = (await db('task_events').where({ task_id: taskId, id: eventId }).first()) as EventRow | undefined;
  return row ? toEvent(row) : null;
}

export async function listEvents(db: Knex, taskId: number): Promise<StoredEvent[]> {
  const rows = (await prepared('task_events', db('task_events').select(EVENT_COLUMNS).where({ task_id: taskId }).orderBy('id'))) as EventRow[];
  return rows.map(toEvent);
}

/** Events of the given types written after an event id: what others changed since a form was loaded. */
export async function eventsSince(db: Knex, taskId: number, types: string[], afterId: number): Promise<StoredEvent[]> {
  if (!types.length) return [];
  const rows = await db<EventRow>('task_events')
    .where({ task_id: taskId })
    .whereIn('type', types)
    .where('id', '>', afterId)
    .orderBy('id');
  return rows.map(toEvent);
}

/** A task's newest events, newest first, below `beforeId` when given. */
export async function latestEvents(db: Knex, taskId: number, limit: number, beforeId?: number): Promise<StoredEvent[]> {
  const query = db<EventRow>('task_events').where({ task_id: taskId });
  if (beforeId !== undefined) query.where('id', '<', beforeId);
  const rows = await query.orderBy('id', 'desc').limit(limit);
  return rows.map(toEvent);
}

/** The events of some groups of one task, in order: what a mail reports. */
export async function listEventsInGroups(db: Knex, taskId: number, groupIds: string[]): Promise<StoredEvent[]> {
  if (!groupIds.length) return [];
  // Named: every app process with a live page open reads these for every edit.
  const rows = (await prepared('events_in_groups', whereAny(db('task_events').select(EVENT_COLUMNS).where({ task_id: taskId }), 'group_id', groupIds, 'uuid').orderBy('id'))) as EventRow[];
  return rows.map(toEvent);
}

/** A comment of a task by its event id, with whether it was removed: what an edit or a removal starts from. */
export async function findComment(db: Knex, taskId: number, eventId: number): Promise<{ id: number; authorId: number; text: string; removed: boolean } | null> {
  const row = (await db('task_events as e')
    .where({ 'e.task_id': taskId, 'e.id': eventId, 'e.type': 'comment' })
    .select(
      'e.id',
      'e.actor_id',
      'e.new_value',
      db.raw(`EXISTS (SELECT 1 FROM task_events r WHERE r.task_id = e.task_id AND r.type = 'comment.remove' AND r.new_value->>'comment' = e.id::text) AS removed`),
    )
    .first()) as { id: number; actor_id: number; new_value: unknown; removed: boolean } | undefined;
  return row ? { id: row.id, authorId: row.actor_id, text: String(row.new_value ?? ''), removed: row.removed } : null;
}

/**
 * Puts a comment's new text (empty once removed) on its event, which keeps the
 * text shown, and rebuilds the task's comment words for search from every
 * comment as it now reads, in the transaction of the revision.
 */
export async function reviseComment(trx: Knex.Transaction, taskId: number, eventId: number, text: string): Promise<void> {
  await trx('task_events').where({ task_id: taskId, id: eventId, type: 'comment' }).update({ new_value: JSON.stringify(text) });
  await trx.raw(
    `UPDATE tasks SET comments_vector = COALESCE((
       SELECT ts_delete(setweight(to_tsvector('english'::regconfig,
         string_agg(new_value #>> '{}', ' trellisgap trellisgap trellisgap ' ORDER BY id)), 'C'), 'trellisgap')
       FROM task_events WHERE task_id = ? AND type = 'comment'), ''::tsvector)
     WHERE id = ?`,
    [taskId, taskId],
  );
}

/** The edits and the removal of one comment, oldest first: its history. */
export async function listCommentRevisions(db: Knex, taskId: number, eventId: number): Promise<StoredEvent[]> {
  const rows = (await db('task_events')
    .where({ task_id: taskId })
    .whereIn('type', ['comment.edit', 'comment.remove'])
    .whereRaw(`new_value->>'comment' = ?`, [String(eventId)])
    .orderBy('id')) as EventRow[];
  return rows.map(toEvent);
}

/** How many times each of a task's comments was revised, when last, and whether it is removed. */
export async function summariseCommentRevisions(db: Knex, taskId: number): Promise<Map<number, { revisions: number; lastAt: Date; removed: boolean }>> {
  const rows = (await db('task_events')
    .where({ task_id: taskId })
    .whereIn('type', ['comment.edit', 'comment.remove'])
    .groupByRaw(`new_value->>'comment'`)
    .select(
      db.raw(`new_value->>'comment' AS comment`),
      db.raw('count(*)::integer AS revisions'),
      db.raw('max(created_at) AS last_at'),
      db.raw(`bool_or(type = 'comment.remove') AS removed`),
    )) as { comment: string; revisions: number; last_at: Date; removed: boolean }[];
  return new Map(rows.map((r) => [Number(r.comment), { revisions: Number(r.revisions), lastAt: new Date(r.last_at), removed: r.removed }]));
}
