import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { filtered } from '../search/filter';
import type { TaskFilter } from '../search/query';
import type { ParsedText } from '../search/text';
import type { Task } from '../tasks/task';
import type { Actor } from '../users/roles';

/** SQL of workboards' cards: where each tagged task sits on each board, in what order, and how many a column holds. */

/** Where a task's cards are: board (project) id to column id. */
export async function findTaskColumns(db: Knex, taskId: number): Promise<Record<string, number>> {
  const rows = (await prepared('task_cards', db('board_cards').where({ task_id: taskId }).select('project_id', 'column_id'))) as { project_id: number; column_id: number }[];
  return Object.fromEntries(rows.map((r) => [String(r.project_id), r.column_id]));
}

export async function findRank(db: Knex, projectId: number, taskId: number, columnId: number): Promise<string | null> {
  const row = (await db('board_cards').where({ project_id: projectId, task_id: taskId, column_id: columnId }).first('rank')) as { rank: string } | undefined;
  return row?.rank ?? null;
}

/** The rank next to `rank` in a column (the first or last one when rank is null), leaving out one task. */
export async function neighbourRank(db: Knex, columnId: number, rank: string | null, direction: 'after' | 'before', exceptTaskId: number): Promise<string | null> {
  const qb = db('board_cards').where({ column_id: columnId }).whereNot('task_id', exceptTaskId);
  if (rank !== null) qb.where('rank', direction === 'after' ? '>' : '<', rank);
  const row = (await qb
    .orderBy('rank', direction === 'after' ? 'asc' : 'desc')
    .first('rank')) as { rank: string } | undefined;
  return row?.rank ?? null;
}

export async function upsertCard(trx: Knex.Transaction, projectId: number, taskId: number, columnId: number, rank: string): Promise<void> {
  await trx('board_cards')
    .insert({ project_id: projectId, task_id: taskId, column_id: columnId, rank })
    .onConflict(['project_id', 'task_id'])
    .merge(['column_id', 'rank']);
}

export async function deleteCards(trx: Knex.Transaction, taskId: number, projectIds: number[]): Promise<void> {
  if (!projectIds.length) return;
  await trx('board_cards').where({ task_id: taskId }).whereIn('project_id', projectIds).del();
}

/** Cards in each column, counted whoever may see them: what card limits count. */
export async function countCards(db: Knex, columnIds: number[]): Promise<Map<number, number>> {
  if (!columnIds.length) return new Map();
  const rows = (await db('board_cards').whereIn('column_id', columnIds).groupBy('column_id').select('column_id').count({ n: '*' })) as {
    column_id: number;
    n: string | number;
  }[];
  return new Map(rows.map((r) => [r.column_id, Number(r.n)]));
}

/**
 * Cards in each column that the viewer may see: what a board's column header
 * shows, so that a task hidden from them counts exactly like one that does not exist.
 */
export async function countVisibleCards(db: Knex, viewer: Actor | null, columnIds: number[]): Promise<Map<number, number>> {
  if (!columnIds.length) return new Map();
  const rows = (await filtered(db, viewer, {}, null)
    .join('board_cards as bc', 'bc.task_id', 'tasks.id')
    .whereIn('bc.column_id', columnIds)
    .groupBy('bc.column_id')
    .select('bc.column_id')
    .count({ n: '*' })) as { column_id: number; n: string | number }[];
  return new Map(rows.map((r) => [r.column_id, Number(r.n)]));
}

export async function taskIdsInColumn(db: Knex, columnId: number): Promise<number[]> {
  const rows = (await db('board_cards').where({ column_id: columnId }).orderBy('rank').select('task_id')) as { task_id: number }[];
  return rows.map((r) => r.task_id);
}

/** A task's tags and its cards in one round trip: what its page shows. */
export async function findTaskTagsAndCards(db: Knex, taskId: number): Promise<{ projectIds: number[]; columns: Record<string, number> }> {
  const rows = (await prepared(
    'task_tags_and_cards',
    db
      .select('project_id', db.raw('NULL::integer AS column_id'))
      .from('task_projects')
      .where({ task_id: taskId })
      .unionAll((u) => u.select('project_id', 'column_id').from('board_cards').where({ task_id: taskId })),
  )) as { project_id: number; column_id: number | null }[];
  const projectIds = rows.filter((r) => r.column_id === null).map((r) => r.project_id).sort((a, b) => a - b);
  const columns = Object.fromEntries(rows.filter((r) => r.column_id !== null).map((r) => [String(r.project_id), r.column_id!]));
  return { projectIds, columns };
}

/**
 * The tags (project ids, ascending) and the cards (board id to column id, as JSON) of the row of
 * `tasks`: columns for the statement that reads a task with what hangs off it.
 */
export const TASK_TAG_IDS_SQL = 'ARRAY(SELECT tp.project_id FROM task_projects tp WHERE tp.task_id = tasks.id ORDER BY tp.project_id)';
export const TASK_CARDS_JSON = `(SELECT coalesce(json_object_agg(bc.project_id, bc.column_id), '{}') FROM board_cards bc WHERE bc.task_id = tasks.id)`;

/** What a card shows of its task: no description, which a board of thousands of cards would carry for nothing. */
export type CardTask = Pick<Task, 'id' | 'title' | 'status' | 'priority' | 'ownerId' | 'createdAt' | 'points'> & {
  /** The owner's username, read with the card: a board names hundreds of owners. */
  ownerName: string | null;
};

export interface BoardCardRow {
  task: CardTask;
  columnId: number;
  rank: string;
  /** The task's other tags (not the board's own project), by id. */
  otherProjectIds: number[];
}

interface CardRow {
  id: number;
  title: string;
  status: string;
  priority: number;
  owner_id: number | null;
  owner_name: string | null;
  points: number | null;
  created_ms: number;
  column_id: number;
  rank: string;
  other_projects: number[];
}

/**
 * The cards of a board the viewer may see, filtered like a task list, in
 * natural order (column by column, rank within). At most `limit` cards. One
 * statement brings what a card shows: its task's fields, its owner's name and
 * its other tags, so a board's cost does not grow by a query per kind of thing
 * on a card with thousands of ids bound to each.
 */
export async function findBoardCards(
  db: Knex,
  viewer: Actor | null,
  projectId: number,
  filter: TaskFilter,
  text: ParsedText | null,
  limit: number,
): Promise<BoardCardRow[]> {
  const rows = (await filtered(db, viewer, filter, text)
    .join('board_cards as bc', 'bc.task_id', 'tasks.id')
    .leftJoin('users as owner', 'owner.id', 'tasks.owner_id')
    .where('bc.project_id', projectId)
    .select(['tasks.id', 'tasks.title', 'tasks.status', 'tasks.priority', 'tasks.owner_id', 'owner.username as owner_name', 'tasks.points', 'bc.column_id', 'bc.rank'])
    // A number, not a timestamp's text: parsing thousands of those was a measurable part of a board's time.
    .select(db.raw('(extract(epoch from tasks.created_at) * 1000)::float8 AS created_ms'))
    .select(db.raw('ARRAY(SELECT tp.project_id FROM task_projects tp WHERE tp.task_id = tasks.id AND tp.project_id <> ? ORDER BY tp.project_id) AS other_projects', [projectId]))
    .orderBy([{ column: 'bc.column_id' }, { column: 'bc.rank' }, { column: 'tasks.id' }])
    .limit(limit)) as CardRow[];
  return rows.map((r) => ({
    task: { id: r.id, title: r.title, status: r.status, priority: r.priority, ownerId: r.owner_id, ownerName: r.owner_name, points: r.points === null ? null : Number(r.points), createdAt: new Date(r.created_ms) },
    columnId: r.column_id,
    rank: r.rank,
    otherProjectIds: r.other_projects,
  }));
}

/** Cards in a column whose task has one of these statuses. */
export async function countMismatched(db: Knex, columnId: number, statuses: string[]): Promise<number> {
  if (!statuses.length) return 0;
  const row = await db('board_cards as bc').join('tasks', 'tasks.id', 'bc.task_id').where('bc.column_id', columnId).whereIn('tasks.status', statuses).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
