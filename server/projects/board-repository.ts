import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import type { Project } from './project';
import { PROJECT_JSON, projectFromJson, type ProjectJson } from './repository';

/** SQL of workboards' columns, and the names of the projects and columns a page shows; the cards are card-repository.ts's. */

export interface BoardColumn {
  id: number;
  phid: string;
  projectId: number;
  name: string;
  sequence: number;
  isDefault: boolean;
  hidden: boolean;
  /** The status this column is bound to, in both directions; null when unbound. */
  status: string | null;
  wipLimit: number | null;
  wipStrict: boolean;
  /** The milestone this column stands for on its parent's board. */
  proxyProjectId: number | null;
}

interface ColumnRow {
  id: number;
  phid: string;
  project_id: number;
  name: string;
  sequence: number;
  is_default: boolean;
  hidden: boolean;
  status: string | null;
  wip_limit: number | null;
  wip_strict: boolean;
  proxy_project_id: number | null;
}

const COLUMN_COLUMNS = ['id', 'phid', 'project_id', 'name', 'sequence', 'is_default', 'hidden', 'status', 'wip_limit', 'wip_strict', 'proxy_project_id'];

const toColumn = (r: ColumnRow): BoardColumn => ({
  id: r.id,
  phid: r.phid,
  projectId: r.project_id,
  name: r.name,
  sequence: r.sequence,
  isDefault: r.is_default,
  hidden: r.hidden,
  status: r.status,
  wipLimit: r.wip_limit,
  wipStrict: r.wip_strict,
  proxyProjectId: r.proxy_project_id,
});

/** The columns of these boards, each board's in its order. */
export async function findColumns(db: Knex, projectIds: Iterable<number>): Promise<BoardColumn[]> {
  const ids = [...new Set(projectIds)];
  if (!ids.length) return [];
  const rows = (await db('board_columns').whereIn('project_id', ids).orderBy(['project_id', 'sequence', 'id'])) as ColumnRow[];
  return rows.map(toColumn);
}

const COLUMN_JSON = `json_build_object(${COLUMN_COLUMNS.map((c) => `'${c}', c.${c}`).join(', ')})`;

/** Projects and board columns: the names a task's tags, cards and timeline show. */
export interface BoardNames {
  projects: Project[];
  columns: BoardColumn[];
}

type BoardNamesJson = { projects: ProjectJson[]; columns: ColumnRow[] };

/** Some projects and columns as one JSON value for `boardNamesOf`, chosen by a condition on `p` and one on `c`; columns in their board's order. */
const boardNamesJson = (projectsWhere: string, columnsWhere: string) =>
  `json_build_object('projects', (SELECT coalesce(json_agg(${PROJECT_JSON}), '[]') FROM projects p WHERE ${projectsWhere}),
    'columns', (SELECT coalesce(json_agg(${COLUMN_JSON} ORDER BY c.project_id, c.sequence, c.id), '[]') FROM board_columns c WHERE ${columnsWhere}))`;

export function boardNamesOf(json: BoardNamesJson): BoardNames {
  return { projects: json.projects.map(projectFromJson), columns: json.columns.map(toColumn) };
}

/**
 * The projects the row of `tasks` is tagged with or has cards on, and every column of the boards it
 * has cards on, as JSON for `boardNamesOf`: for the statement that reads a task with what hangs off it.
 */
export const TASK_BOARD_NAMES_JSON = boardNamesJson(
  'p.id IN (SELECT tp.project_id FROM task_projects tp WHERE tp.task_id = tasks.id UNION SELECT bc.project_id FROM board_cards bc WHERE bc.task_id = tasks.id)',
  'c.project_id IN (SELECT bc.project_id FROM board_cards bc WHERE bc.task_id = tasks.id)',
);

/** Projects by id, and the columns of some boards and some columns by id: the names a timeline needs, in one statement. */
export async function findProjectsAndColumns(db: Knex, q: { projectIds: Iterable<number>; boardIds: Iterable<number>; columnIds: Iterable<number> }): Promise<BoardNames> {
  const [projectIds, boardIds, columnIds] = [q.projectIds, q.boardIds, q.columnIds].map((ids) => [...new Set(ids)]) as [number[], number[], number[]];
  if (!projectIds.length && !boardIds.length && !columnIds.length) return { projects: [], columns: [] };
  const sql = `SELECT ${boardNamesJson('p.id = ANY(?::bigint[])', 'c.project_id = ANY(?::bigint[]) OR c.id = ANY(?::bigint[])')} AS names`;
  const result = await prepared('projects_and_columns', db.raw(sql, [projectIds, boardIds, columnIds]));
  return boardNamesOf((result.rows as { names: BoardNamesJson }[])[0]!.names);
}

export async function findColumnsByIds(db: Knex, ids: Iterable<number>): Promise<BoardColumn[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  return ((await db('board_columns').whereIn('id', unique)) as ColumnRow[]).map(toColumn);
}

export async function findColumnsByPhids(db: Knex, phids: Iterable<string>): Promise<BoardColumn[]> {
  const unique = [...new Set(phids)];
  if (!unique.length) return [];
  return ((await db('board_columns').whereIn('phid', unique)) as ColumnRow[]).map(toColumn);
}

/** Locks a column: moves into a column with a card limit count its cards one after another. */
export async function lockColumn(trx: Knex.Transaction, id: number): Promise<void> {
  await trx('board_columns').where({ id }).forUpdate().select('id');
}

export interface ColumnWrite {
  name?: string;
  isDefault?: boolean;
  hidden?: boolean;
  status?: string | null;
  wipLimit?: number | null;
  wipStrict?: boolean;
  sequence?: number;
}

function columnFields(w: ColumnWrite) {
  const out: Record<string, unknown> = {};
  if (w.name !== undefined) out.name = w.name;
  if (w.isDefault !== undefined) out.is_default = w.isDefault;
  if (w.hidden !== undefined) out.hidden = w.hidden;
  if (w.status !== undefined) out.status = w.status;
  if (w.wipLimit !== undefined) out.wip_limit = w.wipLimit;
  if (w.wipStrict !== undefined) out.wip_strict = w.wipStrict;
  if (w.sequence !== undefined) out.sequence = w.sequence;
  return out;
}

export async function insertColumn(trx: Knex.Transaction, projectId: number, w: ColumnWrite & { name: string; proxyProjectId?: number }): Promise<number> {
  const row = await trx('board_columns').where({ project_id: projectId }).max<{ n: number | null }>('sequence as n').first();
  const [inserted] = await trx('board_columns')
    .insert({ project_id: projectId, sequence: Number(row?.n ?? -1) + 1, proxy_project_id: w.proxyProjectId ?? null, ...columnFields(w) })
    .returning('id');
  return (inserted as { id: number }).id;
}

export async function updateColumn(trx: Knex.Transaction, id: number, w: ColumnWrite): Promise<void> {
  const fields = columnFields(w);
  if (Object.keys(fields).length) await trx('board_columns').where({ id }).update(fields);
}

export async function deleteColumn(trx: Knex.Transaction, id: number): Promise<void> {
  await trx('board_columns').where({ id }).del();
}
