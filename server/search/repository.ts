import type { Knex } from 'knex';
import { TASK_COLUMNS, toTask, type TaskRow } from '../tasks/repository';
import type { Task } from '../tasks/task';
import type { Actor } from '../users/roles';
import { preparedByText } from '../db/prepared';
import { filtered } from './filter';
import type { GroupPart, GroupWalk } from './groups';
import { groupTotalsOf, LIST_COLUMNS, listedRows, toListedTask, toRowExtras, type ListedRow, type ListedRowsOptions, type ListedTask, type ListShape, type RowExtras } from './list-rows';
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

/**
 * How a page's statement is finished before it is sent: as is for whole tasks, or wrapped to carry what a
 * list row shows. `group` is the group a walk reads, when its totals are wanted with its rows.
 */
type Finish = (page: Knex.QueryBuilder, keep: string[], group?: GroupPart) => Knex.QueryBuilder;

const asIs: Finish = (page) => page;

export async function findTaskPage(db: Knex, r: PageRequest): Promise<TaskPage> {
  const rows = await readPage(db, r, TASK_COLUMNS, asIs);
  const { more, page } = cut(r, rows);
  return {
    more,
    groupCounts: r.countBy ? countsOf(page) : null,
    tasks: page.map((row) => ({ ...toTask(row as unknown as TaskRow), keys: keysOf(r, row), markedTitle: typeof row.marked_title === 'string' ? row.marked_title : null })),
  };
}

async function readPage(db: Knex, r: PageRequest, columns: string[], finish: Finish): Promise<PageRow[]> {
  const forward = !r.before;
  const cursor = r.after ?? r.before;
  const keyColumns = r.keys.map((k, i) => db.raw(`${selectExpr(k)} AS k${i}`));
  const marked = r.text ? ['marked_title'] : [];
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
    cut.limit(r.limit + 1, { skipBinding: true });
    qb = db
      .select(columns)
      .select([...r.keys.map((_k, i) => `page.k${i}`), 'page.group_value', 'page.group_count'])
      .from(cut.as('page'))
      .join('tasks', 'tasks.id', 'page.id');
    if (r.text) qb.select(highlight(db, 'tasks.title', 'page.q'));
    r.keys.forEach((k, i) => qb.orderByRaw(`page.k${i} ${direction(k, forward)}`));
    return (await finish(qb, [...marked, 'group_value', 'group_count'])) as PageRow[];
  }
  if (r.groups) return readByGroup(db, r, r.groups, keyColumns, columns, finish);
  qb = filtered(db, r.viewer, r.filter, r.text).select(columns).select(keyColumns);
  if (r.text) qb.select(highlight(db, 'tasks.title', 'search.q'));
  if (cursor) {
    const c = keysetCondition(r.keys, cursor, forward, (i) => r.keys[i]!.expr, paramExpr);
    qb.whereRaw(c.sql, c.bindings as Knex.Value[]);
  }
  r.keys.forEach((k) => qb.orderByRaw(`${k.expr} ${direction(k, forward)}`));
  qb.limit(r.limit + 1, { skipBinding: true });
  return (await finish(qb, marked)) as PageRow[];
}

type PageRow = Record<string, unknown>;

/** Rows in page order, one more than the page when there is more: the page, its direction undone. */
function cut<R>(r: PageRequest, rows: R[]): { more: boolean; page: R[] } {
  const page = rows.slice(0, r.limit);
  if (r.before) page.reverse();
  return { more: rows.length > r.limit, page };
}

const keysOf = (r: PageRequest, row: PageRow) => r.keys.map((k, i) => (k.kind === 'int' || k.kind === 'ts' || k.kind === 'float' ? Number(row[`k${i}`]) : row[`k${i}`]));

const countsOf = (page: PageRow[]) => new Map(page.map((row) => [groupValue(row.group_value), Number(row.group_count)]));

/**
 * A grouped page, group by group: from the cursor's group on (or the first), each group's rows by the
 * order's own keys, until the page is full. The cursor keeps its form (group value first), so pages
 * link the same way as with one query.
 */
async function readByGroup(db: Knex, r: PageRequest, groups: GroupWalk, keyColumns: Knex.Raw[], columns: string[], finish: Finish): Promise<PageRow[]> {
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
    const wanted = r.limit + 1 - rows.length;
    // A group that can only give the row telling whether there is more is not on the page: its totals are not shown.
    rows.push(...((await finish(qb.limit(wanted), r.text ? ['marked_title'] : [], wanted > 1 ? part : undefined)) as PageRow[]));
    if (rows.length > r.limit) break;
  }
  return rows;
}

export interface ListRequest extends PageRequest, ListShape {
  /** Count each group on the page, at most `cap + 1` results a group, and with `points` sum their points. */
  totals?: { cap: number; points: boolean };
}

export interface ListPage {
  tasks: ListedTask[];
  /** What each row carries beside its task, in the same order. */
  extras: RowExtras[];
  more: boolean;
  /** With `countBy`: how many results each group on the page has, all pages included. */
  groupCounts: Map<unknown, number> | null;
  /** The version of the projects' tags the rows were read at (the newest, when a walk's statements span a write); null without rows. */
  tagsVersion: string | null;
}

/** The newest version of the projects' tags among rows that a walk's statements may have read on either side of a write. */
function newestTagsVersion(rows: ListedRow[]): string | null {
  if (!rows.length) return null;
  return rows.map((row) => BigInt(row.tags_version)).reduce((a, b) => (b > a ? b : a)).toString();
}

/**
 * A page of a list, in one statement per group read (one when not walking groups): the rows with what
 * each shows, read for the page's rows only, and with `totals` the totals of the page's groups.
 */
export async function findListPage(db: Knex, r: ListRequest): Promise<ListPage> {
  const forward = !r.before;
  const order = r.keys.map((k, i) => `listed.k${i} ${direction(k, forward)}`);
  const t = r.totals;
  const finish: Finish = (page, keep, group) => {
    const o: ListedRowsOptions = { keys: r.keys.length, keep, order };
    if (t && r.groups && group) {
      const rows = filtered(db, r.viewer, r.filter, r.text);
      (group.countWhere ?? group.where)(rows);
      o.groupTotals = groupTotalsOf(db, rows, t.cap, t.points);
    }
    if (t && !r.groups) o.totals = (listed) => pageGroupTotals(db, r, listed, t);
    // A walk's statements differ in how many rows each group may still give, so each is one of many texts.
    return r.groups ? listedRows(db, r, page, o) : preparedByText(listedRows(db, r, page, o));
  };
  const rows = (await readPage(db, r, LIST_COLUMNS, finish)) as ListedRow[];
  const { more, page } = cut(r, rows);
  return {
    more,
    groupCounts: r.countBy ? countsOf(page) : null,
    tasks: page.map((row) => toListedTask(row, keysOf(r, row))),
    extras: page.map((row) => toRowExtras(row, r)),
    tagsVersion: newestTagsVersion(page),
  };
}

/**
 * The totals of each group of a page read in one statement, keyed by the group's value (v): the groups of
 * the rows shown (not of the row telling whether there is more), each counted by its own index range.
 */
function pageGroupTotals(db: Knex, r: ListRequest, listed: string, t: { cap: number; points: boolean }): Knex.QueryBuilder {
  const forward = !r.before;
  const shown = db.select(`${listed}.k0`).from(listed).limit(r.limit, { skipBinding: true });
  r.keys.forEach((k, i) => shown.orderByRaw(`${listed}.k${i} ${direction(k, forward)}`));
  const groups = db.distinct('shown.k0').from(shown.as('shown'));
  const rows = filtered(db, r.viewer, r.filter, r.text).whereRaw(`${r.keys[0]!.expr} = g.v`);
  // As an array, the groups are estimated at a few rather than one per row: the counts' estimated cost stays
  // far below what would have PostgreSQL compile the statement (JIT), which would cost more than it runs.
  return db
    .select('g.v', 't.totals')
    .from(db.raw('unnest(ARRAY(?)) AS g(v)', [groups]))
    .crossJoin(db.raw('LATERAL (?) AS t', [groupTotalsOf(db, rows, t.cap, t.points)]));
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
