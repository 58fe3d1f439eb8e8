import type { Tracker } from '../tasks/task';
import type { Group, Order } from './query';

export type KeyKind = 'int' | 'text' | 'ts' | 'float';

/** One column of an order: an SQL expression over `tasks` (and `search` when searching text). */
export interface SortKey {
  expr: string;
  dir: 'asc' | 'desc';
  kind: KeyKind;
}

const key = (expr: string, dir: 'asc' | 'desc', kind: KeyKind): SortKey => ({ expr, dir, kind });

/**
 * Relevance: how often the words occur, weighted by field (title highest). Plain
 * ts_rank rather than cover density (ts_rank_cd): every match is ranked before
 * the first page is cut, and at a million tasks cover density cost four times as much.
 */
const RANK = 'ts_rank(tasks.search_vector, search.q)::float8';

/** A task's points as ordered and filtered: none reads as -1, below every value. */
export const POINTS = 'coalesce(tasks.points, -1)';
/**
 * A task's due date as lists order and filter by it, served by one index: tasks without one sort
 * last, at a day no due date reaches.
 */
export const NO_DUE = `timestamptz '2200-01-01 00:00:00+00'`;
export const DUE_KEY = `coalesce(tasks.due_at, ${NO_DUE})`;

const ORDER_KEYS: Record<Order, SortKey[]> = {
  priority: [key('tasks.priority', 'desc', 'int'), key('tasks.updated_at', 'desc', 'ts'), key('tasks.id', 'desc', 'int')],
  updated: [key('tasks.updated_at', 'desc', 'ts'), key('tasks.id', 'desc', 'int')],
  outdated: [key('tasks.updated_at', 'asc', 'ts'), key('tasks.id', 'asc', 'int')],
  newest: [key('tasks.id', 'desc', 'int')],
  oldest: [key('tasks.id', 'asc', 'int')],
  closed: [key(`coalesce(tasks.closed_at, timestamptz 'epoch')`, 'desc', 'ts'), key('tasks.id', 'desc', 'int')],
  title: [key('tasks.title', 'asc', 'text'), key('tasks.id', 'asc', 'int')],
  // No points sorts below zero; the expression is the one the points index is on.
  points: [key(POINTS, 'desc', 'float'), key('tasks.id', 'desc', 'int')],
  relevance: [key(RANK, 'desc', 'float'), key('tasks.id', 'desc', 'int')],
  due: [key(DUE_KEY, 'asc', 'ts'), key('tasks.id', 'asc', 'int')],
};

/** The expression a group is keyed on, placed before the order's own keys. */
export function groupKey(group: Group, tracker: Tracker): SortKey | null {
  switch (group) {
    case 'priority':
      return key('tasks.priority', 'desc', 'int');
    case 'status': {
      // Status keys are validated as [a-z0-9]+ at boot, so they can be written into SQL as is.
      const keys = tracker.statuses.map((s) => `'${s.key}'`).join(',');
      return key(`coalesce(array_position(ARRAY[${keys}]::text[], tasks.status::text), 1000)`, 'asc', 'int');
    }
    case 'owner':
      return key('tasks.owner_ordering', 'asc', 'text');
    case 'project':
      // A task falls in one group per tag, so no expression over its row names its group: lists grouped by
      // project are always read group by group (groups.ts), each group's rows keyed by the group's value.
      // The text here is no SQL, so that any other use fails loudly.
      return key('<the project group>', 'asc', 'text');
    case 'none':
      return null;
    default:
      // A custom field's group is read group by group as projects are (fields/groups.ts).
      return key('<the custom field group>', 'asc', 'text');
  }
}

export function sortKeys(order: Order, group: Group, tracker: Tracker): SortKey[] {
  const keys = ORDER_KEYS[order];
  const g = groupKey(group, tracker);
  if (!g || keys[0]!.expr === g.expr) return keys;
  return [g, ...keys];
}

/** Reads a key in the row: timestamps as exact microseconds, not as a millisecond Date. */
export function selectExpr(k: SortKey): string {
  return k.kind === 'ts' ? `(extract(epoch from ${k.expr}) * 1000000)::bigint` : k.expr;
}

export function paramExpr(k: SortKey): string {
  switch (k.kind) {
    case 'ts':
      return `(timestamptz 'epoch' + ?::bigint * interval '1 microsecond')`;
    case 'int':
      return '?::int';
    case 'float':
      return '?::float8';
    case 'text':
      return '?::text';
  }
}

/** A cursor value compared with a key as selected (selectExpr): timestamps are microseconds there. */
export function selectedParam(k: SortKey): string {
  return k.kind === 'ts' ? '?::bigint' : paramExpr(k);
}

export class CursorError extends Error {}

/** A cursor names its order, so one from another order is refused rather than misread. */
export function encodeCursor(order: Order, group: Group, values: unknown[]): string {
  return Buffer.from(JSON.stringify([order, group, ...values])).toString('base64url');
}

export function decodeCursor(raw: string, order: Order, group: Group, keys: SortKey[]): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('That page link is malformed. Start again from the first page.');
  }
  if (!Array.isArray(parsed)) throw new CursorError('That page link is malformed. Start again from the first page.');
  // Orders have different numbers of keys: name the real problem before counting them.
  const [o, g, ...values] = parsed;
  if (o !== order || g !== group) throw new CursorError('That page link belongs to another order or grouping. Start again from the first page.');
  if (values.length !== keys.length) throw new CursorError('That page link is malformed. Start again from the first page.');
  keys.forEach((k, i) => {
    const v = values[i];
    const ok =
      k.kind === 'text'
        ? typeof v === 'string' && v.length <= 1000 && !v.includes('\u0000')
        : k.kind === 'float'
          ? typeof v === 'number' && Number.isFinite(v)
          : typeof v === 'number' && Number.isSafeInteger(v) && (k.kind === 'ts' || Math.abs(v) <= 2147483647);
    if (!ok) throw new CursorError('That page link is malformed. Start again from the first page.');
  });
  return values;
}
