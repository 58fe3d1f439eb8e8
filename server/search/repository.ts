import type { Knex } from 'knex';
import { VIEW_POLICIES } from '../config';
import { visiblePolicies } from '../tasks/policy';
import { TASK_COLUMNS, toTask, type TaskRow } from '../tasks/repository';
import type { Task } from '../tasks/task';
import type { Actor } from '../users/roles';
import { paramExpr, selectExpr, type SortKey } from './keyset';
import type { TaskFilter } from './query';
import type { ParsedText } from './text';

/** Title highlight markers: control characters, which titles never contain. */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

function tsquery(text: ParsedText): { sql: string; bindings: string[] } {
  const parts: string[] = [];
  const bindings: string[] = [];
  // Text with no terms at all ("title:&") is an empty query, which matches nothing, like a search for "the".
  if (text.web || !text.titleWords.length) {
    parts.push(`websearch_to_tsquery('english'::regconfig, ?)`);
    bindings.push(text.web);
  }
  if (text.titleWords.length) {
    // Weight A marks title words: "word:A" matches only in titles.
    parts.push(`to_tsquery('english'::regconfig, ?)`);
    bindings.push(text.titleWords.map((w) => `${w}:A`).join(' & '));
  }
  return { sql: parts.join(' && '), bindings };
}

/** Every filter, visibility included: the one WHERE clause of lists, counts, exports and the API. */
function filtered(db: Knex, viewer: Actor | null, f: TaskFilter, text: ParsedText | null): Knex.QueryBuilder {
  const qb = db('tasks');
  if (text) {
    const q = tsquery(text);
    qb.joinRaw(`CROSS JOIN (SELECT ${q.sql} AS q) AS search`, q.bindings).whereRaw('tasks.search_vector @@ search.q');
  }
  const policies = visiblePolicies(viewer);
  // Seeing every visibility level is no condition at all (a CHECK allows no other value); leaving it out lets
  // counts be answered from an index alone instead of reading every row.
  if (!VIEW_POLICIES.every((p) => policies.includes(p))) {
    qb.where((w) => {
      w.whereIn('tasks.view_policy', policies);
      if (viewer) w.orWhere('tasks.owner_id', viewer.id);
    });
  }
  if (f.ids) qb.whereIn('tasks.id', f.ids);
  if (f.owners) {
    const ids = f.owners.filter((o): o is number => o !== null);
    const nobody = f.owners.includes(null);
    qb.where((w) => {
      if (ids.length) w.whereIn('tasks.owner_id', ids);
      if (nobody) w.orWhereNull('tasks.owner_id');
      if (!ids.length && !nobody) w.whereRaw('false');
    });
  }
  if (f.authors) qb.whereIn('tasks.author_id', f.authors);
  if (f.closers) qb.whereIn('tasks.closer_id', f.closers);
  if (f.subscribers) {
    const ids = f.subscribers;
    qb.whereExists((sub) => sub.select(db.raw('1')).from('task_subscribers as s').whereRaw('s.task_id = tasks.id').whereIn('s.user_id', ids));
  }
  if (f.statuses) qb.whereIn('tasks.status', f.statuses);
  if (f.priorities) qb.whereIn('tasks.priority', f.priorities);
  for (const [column, range] of [
    ['tasks.created_at', f.created],
    ['tasks.updated_at', f.updated],
    ['tasks.closed_at', f.closed],
  ] as const) {
    if (range?.from) qb.where(column, '>=', range.from);
    if (range?.to) qb.where(column, '<', range.to);
  }
  return qb;
}

/** (k1, k2, …) beyond the cursor, in each key's own direction; a row comparison when they agree, which an index serves. */
function keysetCondition(keys: SortKey[], values: unknown[], forward: boolean): { sql: string; bindings: unknown[] } {
  const dirs = keys.map((k) => (k.dir === 'desc') === forward);
  if (dirs.every((d) => d === dirs[0])) {
    return {
      sql: `(${keys.map((k) => k.expr).join(', ')}) ${dirs[0] ? '<' : '>'} (${keys.map(paramExpr).join(', ')})`,
      bindings: values,
    };
  }
  const ors: string[] = [];
  const bindings: unknown[] = [];
  keys.forEach((k, i) => {
    const ands = keys.slice(0, i).map((p) => `${p.expr} = ${paramExpr(p)}`);
    bindings.push(...values.slice(0, i));
    ands.push(`${k.expr} ${dirs[i] ? '<' : '>'} ${paramExpr(k)}`);
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
}

export async function findTaskPage(db: Knex, r: PageRequest): Promise<{ tasks: FoundTask[]; more: boolean }> {
  const qb = filtered(db, r.viewer, r.filter, r.text).select(TASK_COLUMNS);
  r.keys.forEach((k, i) => qb.select(db.raw(`${selectExpr(k)} AS k${i}`)));
  if (r.text) {
    qb.select(db.raw(`ts_headline('english'::regconfig, tasks.title, search.q, ?) AS marked_title`, [`StartSel=${MARK_START},StopSel=${MARK_END},HighlightAll=true`]));
  }
  const forward = !r.before;
  const cursor = r.after ?? r.before;
  if (cursor) {
    const c = keysetCondition(r.keys, cursor, forward);
    qb.whereRaw(c.sql, c.bindings as Knex.Value[]);
  }
  for (const k of r.keys) {
    const dir = (k.dir === 'desc') === forward ? 'DESC' : 'ASC';
    qb.orderByRaw(`${k.expr} ${dir}`);
  }
  const rows = (await qb.limit(r.limit + 1)) as (TaskRow & Record<string, unknown>)[];
  const more = rows.length > r.limit;
  const page = rows.slice(0, r.limit);
  if (!forward) page.reverse();
  return {
    more,
    tasks: page.map((row) => ({
      ...toTask(row),
      keys: r.keys.map((k, i) => (k.kind === 'int' || k.kind === 'ts' || k.kind === 'float' ? Number(row[`k${i}`]) : row[`k${i}`])),
      markedTitle: typeof row.marked_title === 'string' ? row.marked_title : null,
    })),
  };
}

/** How many results each group has, or null past `cap` results, where counting would cost more than the page. */
export async function countGroups(db: Knex, viewer: Actor | null, f: TaskFilter, text: ParsedText | null, group: SortKey, cap: number): Promise<Map<unknown, number> | null> {
  const inner = filtered(db, viewer, f, text).select(db.raw(`${group.expr} AS g`)).limit(cap + 1);
  const rows = (await db.select('g').count({ n: '*' }).from(inner.as('found')).groupBy('g')) as { g: unknown; n: number | string }[];
  const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
  if (total > cap) return null;
  return new Map(rows.map((r) => [typeof r.g === 'string' ? r.g : Number(r.g), Number(r.n)]));
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
