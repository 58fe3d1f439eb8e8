import type { Knex } from 'knex';
import { prepared } from '../../db/prepared';
import { VIEW_POLICIES } from '../../tracker-config';
import type { Actor } from '../../users/roles';
import { visiblePolicies } from '../policy';

/**
 * SQL of the task graph: parent → subtask edges (task_subtasks) and the merge
 * records (task_edges, 'merged-into' / 'merged-from').
 */

/** A bound on any walk of the graph: the walks dedupe what they visit, this only stops a runaway. */
const WALK_LIMIT = 100000;

/**
 * Serialises edits that add edges, across every app process: two edits that would each be fine
 * but together close a cycle can not both pass their check. Readers are not blocked.
 */
export async function lockGraph(trx: Knex.Transaction): Promise<void> {
  await trx.raw('LOCK TABLE task_subtasks IN SHARE ROW EXCLUSIVE MODE');
}

export async function findRelationIds(db: Knex, taskId: number): Promise<{ parentIds: number[]; subtaskIds: number[] }> {
  const rows = (await prepared(
    'task_relations',
    db('task_subtasks').select('parent_id', 'child_id').where('parent_id', taskId).orWhere('child_id', taskId).orderBy(['parent_id', 'child_id']),
  )) as { parent_id: number; child_id: number }[];
  return {
    parentIds: rows.filter((r) => r.child_id === taskId).map((r) => r.parent_id),
    subtaskIds: rows.filter((r) => r.parent_id === taskId).map((r) => r.child_id),
  };
}

export async function findParentIds(db: Knex, taskId: number): Promise<number[]> {
  const rows = (await db('task_subtasks').select('parent_id').where('child_id', taskId).orderBy('parent_id')) as { parent_id: number }[];
  return rows.map((r) => r.parent_id);
}

export async function addSubtaskEdges(trx: Knex.Transaction, edges: { parentId: number; childId: number }[]): Promise<void> {
  if (!edges.length) return;
  await trx('task_subtasks')
    .insert(edges.map((e) => ({ parent_id: e.parentId, child_id: e.childId })))
    .onConflict(['parent_id', 'child_id'])
    .ignore();
}

export async function removeSubtaskEdges(trx: Knex.Transaction, edges: { parentId: number; childId: number }[]): Promise<void> {
  for (const e of edges) await trx('task_subtasks').where({ parent_id: e.parentId, child_id: e.childId }).del();
}

/**
 * A path down the graph from `from` to `to` (both included), or null when `to` is not below
 * `from`. The walk visits each edge once; the first query stops at the first sighting, and only a
 * found path (a refusal) pays for the second, which reads the walk's predecessors.
 */
export async function findPathDown(db: Knex, from: number, to: number): Promise<number[] | null> {
  const walk = `WITH RECURSIVE walk(id, via) AS (
      SELECT child_id, parent_id FROM task_subtasks WHERE parent_id = ?
      UNION
      SELECT e.child_id, e.parent_id FROM walk JOIN task_subtasks e ON e.parent_id = walk.id
    )`;
  const found = await db.raw(`${walk} SELECT EXISTS (SELECT 1 FROM (SELECT id FROM walk LIMIT ${WALK_LIMIT}) w WHERE w.id = ?) AS found`, [from, to]);
  if (!(found.rows as { found: boolean }[])[0]?.found) return null;
  const rows = (await db.raw(`${walk} SELECT id, via FROM walk LIMIT ${WALK_LIMIT}`, [from])).rows as { id: number; via: number }[];
  const via = new Map<number, number>();
  // The walk is breadth first: the first predecessor seen lies on a shortest path.
  for (const r of rows) if (!via.has(r.id)) via.set(r.id, r.via);
  const path = [to];
  while (path[0] !== from) path.unshift(via.get(path[0]!)!);
  return path;
}

/**
 * The visibility condition on the tasks alias `t`, as the lists apply it; empty for a viewer who sees
 * everything. `shape` tells its texts apart, to name a statement that holds one.
 */
function visibleCondition(viewer: Actor | null): { sql: string; bindings: (string | number)[]; shape: string } {
  const policies = visiblePolicies(viewer);
  if (VIEW_POLICIES.every((p) => policies.includes(p))) return { sql: 'true', bindings: [], shape: 'all' };
  const list = policies.map(() => '?').join(', ');
  if (!viewer) return { sql: `t.view_policy IN (${list})`, bindings: policies, shape: `visitor${policies.length}` };
  return { sql: `(t.view_policy IN (${list}) OR t.owner_id = ?)`, bindings: [...policies, viewer.id], shape: `viewer${policies.length}` };
}

/**
 * The join an edge's walk needs to apply `visibleCondition` to the task at `e.<column>` (as `t`): none for a
 * viewer who sees every task, since the foreign keys say the task exists. Joined all the same, PostgreSQL
 * may merge-join every edge with the tasks' key to find a few.
 */
function visibleJoin(vis: ReturnType<typeof visibleCondition>, column: 'parent_id' | 'child_id'): string {
  return vis.shape === 'all' ? '' : `JOIN tasks t ON t.id = e.${column}`;
}

/**
 * Whether the task in `taskColumn` has a parent or a subtask, visible or not, as an SQL expression: the task
 * page reads it with the task and asks for the graph only when it is true, since most tasks have neither and
 * the graph's statement costs more to plan than the rest of the page does to read.
 */
export function inGraphExpr(taskColumn: string): string {
  return `(EXISTS (SELECT 1 FROM task_subtasks e WHERE e.parent_id = ${taskColumn}) OR EXISTS (SELECT 1 FROM task_subtasks e WHERE e.child_id = ${taskColumn}))`;
}

export interface GraphTaskRow {
  id: number;
  title: string;
  status: string;
  priority: number;
  owner_id: number | null;
  owner_username: string | null;
  view_policy: string;
  parent_ids: number[];
}

/**
 * The tasks a task's graph draws, with each one's parents among them, in one statement: every task
 * the viewer may see above and below it, walking only through tasks they may see; or, when more
 * than `cap` are, only its direct parents and subtasks (at most `cap` each), and `truncated`. The
 * task itself comes with them, and nothing comes when nothing is connected.
 */
export async function findGraph(db: Knex, viewer: Actor | null, taskId: number, cap: number): Promise<{ rows: GraphTaskRow[]; truncated: boolean }> {
  const vis = visibleCondition(viewer);
  const ends = (dir: 'up' | 'down') => (dir === 'up' ? (['parent_id', 'child_id'] as const) : (['child_id', 'parent_id'] as const));
  const step = (dir: 'up' | 'down') => {
    const [next, near] = ends(dir);
    // Each step probes the edges of the tasks reached by key (LATERAL): as a join, PostgreSQL guesses the
    // walk's size and may hash every edge of the table at each step.
    return `${dir}(id) AS (
        SELECT e.${next} FROM task_subtasks e ${visibleJoin(vis, next)} WHERE e.${near} = ? AND ${vis.sql}
        UNION
        SELECT x.id FROM ${dir} CROSS JOIN LATERAL (SELECT e.${next} AS id FROM task_subtasks e ${visibleJoin(vis, next)} WHERE e.${near} = ${dir}.id AND ${vis.sql} OFFSET 0) AS x
      )`;
  };
  const direct = (dir: 'up' | 'down') => {
    const [next, near] = ends(dir);
    return `(SELECT e.${next} AS id FROM task_subtasks e ${visibleJoin(vis, next)}
        WHERE e.${near} = ? AND ${vis.sql} ORDER BY e.${next} LIMIT ${cap})`;
  };
  // The ids go to the last step as one array, read first, and each owner by its key: PostgreSQL then reads
  // only those rows, even without statistics. A task's parents are its edges by key, kept when the parent is
  // among the ids: checked against the array, read once, not by a join with the ids for every task.
  const sql = `WITH RECURSIVE ${step('up')}, ${step('down')},
      reach AS (SELECT id FROM (SELECT id FROM up UNION ALL SELECT id FROM down) AS r LIMIT ${cap + 1}),
      direct AS (${direct('up')} UNION ALL ${direct('down')}),
      chosen AS (SELECT id FROM reach WHERE (SELECT count(*) FROM reach) <= ${cap} UNION SELECT id FROM direct WHERE (SELECT count(*) FROM reach) > ${cap}),
      ids AS (SELECT id FROM chosen UNION SELECT ?::integer WHERE EXISTS (SELECT 1 FROM chosen))
    SELECT t.id, t.title, t.status, t.priority, t.owner_id, (SELECT u.username FROM users u WHERE u.id = t.owner_id) AS owner_username, t.view_policy,
        ARRAY(SELECT e.parent_id FROM task_subtasks e WHERE e.child_id = t.id AND e.parent_id = ANY(ARRAY(SELECT id FROM ids)) ORDER BY e.parent_id) AS parent_ids,
        (SELECT count(*) FROM reach) > ${cap} AS truncated
      FROM tasks t
     WHERE t.id = ANY(ARRAY(SELECT id FROM ids))`;
  const b = vis.bindings;
  const result = await prepared(`task_graph_${vis.shape}`, db.raw(sql, [taskId, ...b, ...b, taskId, ...b, ...b, taskId, ...b, taskId, ...b, taskId]));
  const rows = result.rows as (GraphTaskRow & { truncated: boolean })[];
  return {
    rows: rows.map((r) => ({ ...r, parent_ids: (r.parent_ids ?? []).map(Number) })),
    truncated: rows[0]?.truncated ?? false,
  };
}

/** Direct subtasks of a task that the viewer may see and that are open. */
export async function findOpenSubtaskIds(db: Knex, viewer: Actor | null, taskId: number, openStatuses: string[]): Promise<number[]> {
  const vis = visibleCondition(viewer);
  const rows = await db.raw(
    `SELECT t.id FROM task_subtasks e JOIN tasks t ON t.id = e.child_id
      WHERE e.parent_id = ? AND t.status = ANY(?::text[]) AND ${vis.sql} ORDER BY t.id`,
    [taskId, openStatuses, ...vis.bindings],
  );
  return (rows.rows as { id: number }[]).map((r) => Number(r.id));
}

/**
 * Whether the task in `taskColumn` has subtasks the viewer may see, as an SQL expression: list rows
 * carry it as a column of their page's statement, so the marker costs no statement of its own.
 */
export function hasSubtasksExpr(viewer: Actor | null, taskColumn: string): { sql: string; bindings: (string | number)[] } {
  const vis = visibleCondition(viewer);
  return { sql: `EXISTS (SELECT 1 FROM task_subtasks e ${visibleJoin(vis, 'child_id')} WHERE e.parent_id = ${taskColumn} AND ${vis.sql})`, bindings: vis.bindings };
}

/** Records a merge in both directions. */
export async function addMergeEdges(trx: Knex.Transaction, duplicateId: number, survivorId: number): Promise<void> {
  await trx('task_edges')
    .insert([
      { src_task_id: duplicateId, type: 'merged-into', dst_task_id: survivorId },
      { src_task_id: survivorId, type: 'merged-from', dst_task_id: duplicateId },
    ])
    .onConflict(['src_task_id', 'type', 'dst_task_id'])
    .ignore();
}

export interface PickerTaskRow {
  id: number;
  title: string;
  status: string;
  priority: number;
}

/**
 * Tasks for a picker: the one numbered `id`, or those whose titles have words starting with each
 * of `words`, newest first, among tasks the viewer may see. Words are letters and digits only.
 */
export async function searchPickerTasks(
  db: Knex,
  viewer: Actor | null,
  q: { id: number | null; words: string[]; exclude: number[]; statuses: string[] | null; limit: number },
): Promise<PickerTaskRow[]> {
  const match: string[] = [];
  const bindings: unknown[] = [];
  if (q.id !== null) {
    match.push('t.id = ?');
    bindings.push(q.id);
  }
  if (q.words.length) {
    match.push(`t.search_vector @@ to_tsquery('english'::regconfig, ?)`);
    bindings.push(q.words.map((w) => `${w}:*A`).join(' & '));
  }
  if (!match.length) return [];
  const vis = visibleCondition(viewer);
  const statuses = q.statuses ? 'AND t.status = ANY(?::text[])' : '';
  const rows = await db.raw(
    `SELECT t.id, t.title, t.status, t.priority FROM tasks t
      WHERE (${match.join(' OR ')}) AND ${vis.sql} AND NOT (t.id = ANY(?::int[])) ${statuses}
      ORDER BY t.id DESC LIMIT ?`,
    [...bindings, ...vis.bindings, q.exclude, ...(q.statuses ? [q.statuses] : []), q.limit] as Knex.RawBinding[],
  );
  return rows.rows as PickerTaskRow[];
}
