import type { Knex } from 'knex';
import { TASK_COLUMNS, TASK_LIST_COLUMNS, toTask, type TaskRow } from '../tasks/repository';
import type { Task } from '../tasks/task';
import type { Actor } from '../users/roles';
import { filtered } from './filter';
import type { GroupPart, GroupWalk } from './groups';
import { paramExpr, selectedParam, selectExpr, type SortKey } from './keyset';
import type { TaskFilter } from './query';
import type { ParsedText } from './text';

/** Title highlight markers: control characters, which titles never contain. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

/**
 * (k1, k2, …) beyond the cursor, in each key's own direction; a row comparison when they agree, which an index serves.
 * `exprOf` names where a key is read: the expression itself, or a column of a wrapping query.
 */
function keysetCondition(keys: SortKey[], values: unknown[], forward: boolean, exprOf: (i: number) => string, param: (k: SortKey) => string): { sql: string; bindings: unknown[] } {
  const dirs = keys.map((k) => (k.dir === 'desc') === forward);
  if (dirs.every((d) => d === dirs[0])) {
    return {
      sql: `(${keys.map((_k, i) => exprOf(i)).join(', ')}) ${dirs[0] ? '<' : '>'} (${keys.map(param).join(', ')})`,
      bindings: values,
    };
  }
  const ors: string[] = [];
  const bindings: unknown[] = [];
  keys.forEach((k, i) => {
    const ands = keys.slice(0, i).map((p, j) => `${exprOf(j)} = ${param(p)}`);
    bindings.push(...values.slice(0, i));
    ands.push(`${exprOf(i)} ${dirs[i] ? '<' : '>'} ${param(k)}`);
    bindings.push(values[i]);
    ors.push(`(${ands.join(' AND ')})`);
  });
  return { sql: `(${ors.join(' OR ')})`, bindings };
}

export interface FoundTask extends Task {
  /** The row's sort key values, for cursors. */
  keys: unknown[];
  /** The title with MARK_START/MARK_END around matching words, when searching text. */
  markedTitle: string | null;
}

export interface PageRequest {
  viewer: Actor | null;
  filter: TaskFilter;
  text: ParsedText | null;
  keys: SortKey[];
  limit: number;
  after?: unknown[];
  before?: unknown[];
  /**
   * Counts every result's group in the same scan, for orders that read every
   * result anyway (relevance): the counts cost nothing more than the page.
   */
  countBy?: SortKey;
  /**
   * The first key is a grouping read one group at a time, in key order, each group by its own query,
   * which an index on the order's keys can serve whatever the grouping.
   */
  groups?: GroupWalk;
  /** Rows as a list shows them: without the description (read as ''). */
  brief?: boolean;
}

export interface TaskPage {
  tasks: FoundTask[];
  more: boolean;
  /** With `countBy`: how many results each group on the page has, all pages included. */
  groupCounts: Map<unknown, number> | null;
}

const highlight = (db: Knex, title: string, q: string) =>
  db.raw(`ts_headline('english'::regconfig, ${title}, ${q}, ?) AS marked_title`, [`StartSel=${MARK_START},StopSel=${MARK_END},HighlightAll=true`]);

const groupValue = (v: unknown) => (typeof v === 'string' ? v : Number(v));

const direction = (k: SortKey, forward: boolean) => ((k.dir === 'desc') === forward ? 'DESC' : 'ASC');

export async function findTaskPage(db: Knex, r: PageRequest): Promise<TaskPage> {
  const columns = r.brief ? TASK_LIST_COLUMNS : TASK_COLUMNS;
  const forward = !r.before;
  const cursor = r.after ?? r.before;
  const keyColumns = r.keys.map((k, i) => db.raw(`${selectExpr(k)} AS k${i}`));
  let qb: Knex.QueryBuilder;
  if (r.countBy) {
    // The window counts before the cursor and the limit cut the results, so it sees them all. It runs over
    // narrow rows; the page's own rows are read after the cut, and only they are highlighted.
    const found = filtered(db, r.viewer, r.filter, r.text).select('tasks.id', ...keyColumns);
    found.select(db.raw(`${r.countBy.expr} AS group_value`), db.raw(`count(*) OVER (PARTITION BY ${r.countBy.expr}) AS group_count`));
    if (r.text) found.select(db.raw('search.q AS q'));
    const cut = db.select('*').from(found.as('found'));
    const column = (i: number) => `found.k${i}`;
    if (cursor) {
      const c = keysetCondition(r.keys, cursor, forward, column, selectedParam);
      cut.whereRaw(c.sql, c.bindings as Knex.Value[]);
    }
    r.keys.forEach((k, i) => cut.orderByRaw(`${column(i)} ${direction(k, forward)}`));
    cut.limit(r.limit + 1);
    qb = db
      .select(columns)
      .select([...r.keys.map((_k, i) => `page.k${i}`), 'page.group_value', 'page.group_count'])
      .from(cut.as('page'))
      .join('tasks', 'tasks.id', 'page.id');
    if (r.text) qb.select(highlight(db, 'tasks.title', 'page.q'));
    r.keys.forEach((k, i) => qb.orderByRaw(`page.k${i} ${direction(k, forward)}`));
  } else if (r.groups) {
    return toPage(r, await readByGroup(db, r, r.groups, keyColumns, columns));
  } else {
    qb = filtered(db, r.viewer, r.filter, r.text).select(columns).select(keyColumns);
    if (r.text) qb.select(highlight(db, 'tasks.title', 'search.q'));
    if (cursor) {
      const c = keysetCondition(r.keys, cursor, forward, (i) => r.keys[i]!.expr, paramExpr);
      qb.whereRaw(c.sql, c.bindings as Knex.Value[]);
    }
    r.keys.forEach((k) => qb.orderByRaw(`${k.expr} ${direction(k, forward)}`));
    qb.limit(r.limit + 1);
  }
  return toPage(r, (await qb) as PageRow[]);
}

type PageRow = TaskRow & Record<string, unknown>;

/** Rows in page order, one more than the page when there is more: the page, its direction undone. */
function toPage(r: PageRequest, rows: PageRow[]): TaskPage {
  const more = rows.length > r.limit;
  const page = rows.slice(0, r.limit);
  if (r.before) page.reverse();
  return {
    more,
    groupCounts: r.countBy ? new Map(page.map((row) => [groupValue(row.group_value), Number(row.group_count)])) : null,
    tasks: page.map((row) => ({
      ...toTask(row),
      keys: r.keys.map((k, i) => (k.kind === 'int' || k.kind === 'ts' || k.kind === 'float' ? Number(row[`k${i}`]) : row[`k${i}`])),
      markedTitle: typeof row.marked_title === 'string' ? row.marked_title : null,
    })),
  };
}

/**
 * A grouped page, group by group: from the cursor's group on (or the first), each group's rows by the
 * order's own keys, until the page is full. The cursor keeps its form (group value first), so pages
 * link the same way as with one query.
 */
async function readByGroup(db: Knex, r: PageRequest, groups: GroupWalk, keyColumns: Knex.Raw[], columns: string[]): Promise<PageRow[]> {
  const forward = !r.before;
  const cursor = r.after ?? r.before;
  const [group, ...rest] = r.keys as [SortKey, ...SortKey[]];
  const rows: PageRow[] = [];
  for await (const part of groups(cursor?.[0] as number | string | undefined, (group.dir === 'asc') === forward)) {
    // Every row of a group has the group's value as its first key; a project group has no expression for it.
    const groupColumn = db.raw(`${paramExpr(group)} AS k0`, [part.value]);
    const qb = filtered(db, r.viewer, r.filter, r.text).select(columns).select([groupColumn, ...keyColumns.slice(1)]);
    part.where(qb);
    if (r.text) qb.select(highlight(db, 'tasks.title', 'search.q'));
    if (cursor && part.value === cursor[0] && rest.length) {
      const c = keysetCondition(rest, cursor.slice(1), forward, (i) => rest[i]!.expr, paramExpr);
      qb.whereRaw(c.sql, c.bindings as Knex.Value[]);
    }
    rest.forEach((k) => qb.orderByRaw(`${k.expr} ${direction(k, forward)}`));
    rows.push(...((await qb.limit(r.limit + 1 - rows.length)) as PageRow[]));
    if (rows.length > r.limit) break;
  }
  return rows;
}

/**
 * How many results each group has, counting at most `cap + 1` a group, each by its own condition
 * (an index range), in one statement; with `points`, also the sum of the points of the rows
 * counted, read by the same scan (a group past the cap sums only those).
 */
export async function groupTotals(
  db: Knex,
  viewer: Actor | null,
  f: TaskFilter,
  text: ParsedText | null,
  parts: GroupPart[],
  cap: number,
  points: boolean,
): Promise<{ counts: Map<unknown, number>; points: Map<unknown, number> | null }> {
  if (!parts.length) return { counts: new Map(), points: points ? new Map() : null };
  const totals = parts.map((part, i) => {
    const rows = filtered(db, viewer, f, text).select(points ? 'tasks.points' : db.raw('1')).limit(cap + 1);
    (part.countWhere ?? part.where)(rows);
    const total = db.select(db.raw('?::int AS i', [i])).count({ n: '*' }).from(rows.as('capped'));
    return points ? total.sum({ points: 'capped.points' }) : total;
  });
  const result = (await db.unionAll(totals, true)) as { i: number; n: number | string; points?: number | string | null }[];
  return {
    counts: new Map(result.map((r) => [parts[r.i]!.value, Number(r.n)])),
    points: points ? new Map(result.map((r) => [parts[r.i]!.value, Number(r.points ?? 0)])) : null,
  };
}

/** All results, in batches by keyset: an export of any size in constant memory. */
export async function* eachTask(db: Knex, r: Omit<PageRequest, 'after' | 'before' | 'limit'>, batch = 1000): AsyncGenerator<FoundTask> {
  let after: unknown[] | undefined;
  for (;;) {
    const page = await findTaskPage(db, { ...r, limit: batch, after });
    yield* page.tasks;
    if (!page.more || !page.tasks.length) return;
    after = page.tasks[page.tasks.length - 1]!.keys;
  }
}
