import type { Knex } from 'knex';
import { fieldValuesExpr, readFieldValuesJson, type FieldValueJson } from '../fields/repository';
import type { FieldValues } from '../fields/values';
import { PROJECT_TAGS_VERSION_SQL, taskTagIdsExpr } from '../projects/repository';
import { hasSubtasksExpr } from '../tasks/graph/repository';
import { userByKey } from '../users/repository';
import type { Task } from '../tasks/task';
import type { Actor } from '../users/roles';

/**
 * A list row's statement: the page, then for its rows only (never for every match before the
 * cut) the owner's name, the tags' project ids, the listed field values, the subtasks marker and the totals of
 * its groups, each a column, so that a page costs one round trip however much a row shows.
 */

/** The task columns a list row shows; its timestamps are read as milliseconds (`millis`). */
export const LIST_COLUMNS = ['tasks.id', 'tasks.title', 'tasks.status', 'tasks.priority', 'tasks.owner_id', 'tasks.points', 'tasks.due', 'tasks.updated_at', 'tasks.closed_at'];

/** A timestamp as a Date holds it, milliseconds since the epoch: pg parses a number far faster than a date's text. */
const millis = (column: string) => `floor(extract(epoch from ${column}) * 1000)::float8`;

/** A task as a list row shows it. */
export interface ListedTask extends Pick<Task, 'id' | 'title' | 'status' | 'priority' | 'ownerId' | 'updatedAt' | 'closedAt' | 'points' | 'due'> {
  /** The row's sort key values, for cursors. */
  keys: unknown[];
  /** The title with MARK_START/MARK_END around matching words, when searching text. */
  markedTitle: string | null;
}

/** What else a row carries, beside the task. */
export interface RowExtras {
  owner: { id: number; username: string; realname: string } | null;
  /** The ids of its tags' projects, ascending: the projects are read apart (projects/tag-cache.ts). */
  tagIds: number[];
  /** Null when no field is listed. */
  fields: FieldValues | null;
  /** Names of the people the field values name. */
  fieldUsers: [number, string][];
  hasSubtasks: boolean;
  /** The row's group's count and points sum, when the row's statement counted its group. */
  totals: { count: number; points: number } | null;
}

export interface ListShape {
  viewer: Actor | null;
  /** Keys of the custom fields rows show. */
  fieldKeys: string[];
}

export interface ListedRowsOptions {
  /** How many keys the page's rows carry, as k0, k1, …. */
  keys: number;
  /** More columns of the page to pass on. */
  keep: string[];
  /** The page's own order, over the wrapped rows (`listed`). */
  order: string[];
  /** The totals of the page's groups, by group value (v), read from the wrapped rows: one row each. */
  totals?: (listed: string) => Knex.QueryBuilder;
  /** The totals of the one group a walk's statement reads. */
  groupTotals?: Knex.QueryBuilder;
}

/** Wraps a page's statement so that each of its rows also carries what a list row shows beside the task. */
export function listedRows(db: Knex, shape: ListShape, page: Knex.QueryBuilder, o: ListedRowsOptions): Knex.QueryBuilder {
  const subtasks = hasSubtasksExpr(shape.viewer, 'listed.id');
  const qb = db
    .select(['listed.id', 'listed.title', 'listed.status', 'listed.priority', 'listed.owner_id', 'listed.points', 'listed.due'])
    .select(db.raw(`${millis('listed.updated_at')} AS updated_ms`), db.raw(`${millis('listed.closed_at')} AS closed_ms`))
    .select([...Array.from({ length: o.keys }, (_k, i) => `listed.k${i}`), ...o.keep.map((c) => `listed.${c}`)])
    .select('owner.username as owner_username', 'owner.realname as owner_realname')
    .select(db.raw(`${taskTagIdsExpr('listed.id')} AS tag_ids`), db.raw(`${PROJECT_TAGS_VERSION_SQL} AS tags_version`))
    .select(db.raw(`${subtasks.sql} AS has_subtasks`, subtasks.bindings));
  if (shape.fieldKeys.length) {
    const fields = fieldValuesExpr('listed.id', shape.fieldKeys);
    qb.select(db.raw(`${fields.sql} AS field_values`, fields.bindings));
  }
  qb.joinRaw(`LEFT JOIN LATERAL ${userByKey('listed.owner_id', ['username', 'realname'])} AS owner ON true`);
  if (o.groupTotals) {
    // Uncorrelated, so run once, and only when the page has a row of the group.
    qb.select(db.raw('(?) AS group_totals', [o.groupTotals]));
  }
  if (o.totals) {
    qb.with('listed', page).from('listed').leftJoin(o.totals('listed').as('totals'), 'totals.v', 'listed.k0').select('totals.totals as group_totals');
  } else {
    qb.from(page.as('listed'));
  }
  for (const order of o.order) qb.orderByRaw(order);
  return qb;
}

/**
 * One count of a group's results, at most `cap + 1` of them, and with `points` the sum of their points,
 * as JSON [count, sum]: `rows` selects the group's rows.
 */
export function groupTotalsOf(db: Knex, rows: Knex.QueryBuilder, cap: number, points: boolean): Knex.QueryBuilder {
  rows.select(points ? 'tasks.points' : db.raw('1')).limit(cap + 1, { skipBinding: true });
  return db.select(db.raw(points ? 'json_build_array(count(*), sum(capped.points)) AS totals' : 'json_build_array(count(*)) AS totals')).from(rows.as('capped'));
}

export type ListedRow = Record<string, unknown> & {
  id: number;
  title: string;
  status: string;
  priority: number;
  owner_id: number | null;
  points: number | null;
  due: string | null;
  updated_ms: number;
  closed_ms: number | null;
  owner_username: string | null;
  owner_realname: string | null;
  tag_ids: number[];
  tags_version: string;
  has_subtasks: boolean;
  field_values?: FieldValueJson[] | null;
  group_totals?: [number, number | null] | [number] | null;
};

export function toListedTask(row: ListedRow, keys: unknown[]): ListedTask {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    priority: row.priority,
    ownerId: row.owner_id,
    updatedAt: new Date(row.updated_ms),
    closedAt: row.closed_ms === null ? null : new Date(row.closed_ms),
    points: row.points === null ? null : Number(row.points),
    due: row.due ?? null,
    keys,
    markedTitle: typeof row.marked_title === 'string' ? row.marked_title : null,
  };
}

export function toRowExtras(row: ListedRow, shape: ListShape): RowExtras {
  const fields = shape.fieldKeys.length ? readFieldValuesJson(row.field_values ?? null) : null;
  const totals = row.group_totals;
  return {
    owner: row.owner_id !== null && row.owner_username !== null ? { id: row.owner_id, username: row.owner_username, realname: row.owner_realname ?? '' } : null,
    tagIds: row.tag_ids,
    fields: fields?.values ?? null,
    fieldUsers: fields?.users ?? [],
    hasSubtasks: row.has_subtasks,
    totals: totals ? { count: Number(totals[0]), points: Number(totals[1] ?? 0) } : null,
  };
}
