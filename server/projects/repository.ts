import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { whereAny } from '../db/lists';
import { timestampOf } from '../db/json';
import { tagOf, type Project, type ProjectColor, type ProjectIcon, type ProjectTag } from './project';

/** SQL of projects: the rows, their hashtags, members, watchers, and the tags on tasks. */

interface ProjectRow {
  id: number;
  phid: string;
  name: string;
  description: string;
  color: ProjectColor;
  icon: ProjectIcon;
  parent_id: number | null;
  milestone_number: number | null;
  author_id: number;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ['id', 'phid', 'name', 'description', 'color', 'icon', 'parent_id', 'milestone_number', 'author_id', 'closed_at', 'created_at', 'updated_at'].map(
  (c) => `projects.${c}`,
);

function toProject(r: ProjectRow, hashtags: string[]): Project {
  return {
    id: r.id,
    phid: r.phid,
    name: r.name,
    description: r.description,
    color: r.color,
    icon: r.icon,
    parentId: r.parent_id,
    milestoneNumber: r.milestone_number,
    authorId: r.author_id,
    closedAt: r.closed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    hashtags,
  };
}

async function withHashtags(db: Knex, rows: ProjectRow[]): Promise<Project[]> {
  if (!rows.length) return [];
  const tags = (await db('project_hashtags')
    .whereIn(
      'project_id',
      rows.map((r) => r.id),
    )
    .orderBy(['project_id', 'position'])
    .select('project_id', 'hashtag')) as { project_id: number; hashtag: string }[];
  const byProject = new Map<number, string[]>();
  for (const t of tags) byProject.set(t.project_id, [...(byProject.get(t.project_id) ?? []), t.hashtag]);
  return rows.map((r) => toProject(r, byProject.get(r.id) ?? []));
}

/** A project `p` with its hashtags in their order, as one JSON value for `projectFromJson`: for statements that read projects beside other rows. */
export const PROJECT_JSON = `json_build_object('id', p.id, 'phid', p.phid, 'name', p.name, 'description', p.description, 'color', p.color, 'icon', p.icon,
    'parent_id', p.parent_id, 'milestone_number', p.milestone_number, 'author_id', p.author_id,
    'closed_at', p.closed_at::text, 'created_at', p.created_at::text, 'updated_at', p.updated_at::text,
    'hashtags', ARRAY(SELECT h.hashtag FROM project_hashtags h WHERE h.project_id = p.id ORDER BY h.position))`;

export type ProjectJson = Omit<ProjectRow, 'closed_at' | 'created_at' | 'updated_at'> & { closed_at: string | null; created_at: string; updated_at: string; hashtags: string[] };

export function projectFromJson(r: ProjectJson): Project {
  return toProject({ ...r, closed_at: timestampOf(r.closed_at), created_at: timestampOf(r.created_at), updated_at: timestampOf(r.updated_at) }, r.hashtags);
}

export async function findProject(db: Knex, id: number): Promise<Project | null> {
  const rows = (await db('projects').select(COLUMNS).where({ id })) as ProjectRow[];
  return (await withHashtags(db, rows))[0] ?? null;
}

/** Locks the project row: edits of one project, and of its board, run one after another. */
export async function lockProject(trx: Knex.Transaction, id: number): Promise<Project | null> {
  const rows = (await trx('projects').select(COLUMNS).where({ id }).forUpdate()) as ProjectRow[];
  return (await withHashtags(trx, rows))[0] ?? null;
}

export async function findProjectsByIds(db: Knex, ids: Iterable<number>): Promise<Project[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  return withHashtags(db, (await db('projects').select(COLUMNS).whereIn('id', unique)) as ProjectRow[]);
}

export async function findProjectsByPhids(db: Knex, phids: Iterable<string>): Promise<Project[]> {
  const unique = [...new Set(phids)];
  if (!unique.length) return [];
  return withHashtags(db, (await db('projects').select(COLUMNS).whereIn('phid', unique)) as ProjectRow[]);
}

/** Projects by any of their hashtags (lowercase, without "#"). */
export async function findProjectsByHashtags(db: Knex, hashtags: Iterable<string>): Promise<Map<string, Project>> {
  const unique = [...new Set(hashtags)];
  if (!unique.length) return new Map();
  const rows = (await db('project_hashtags').whereIn('hashtag', unique).select('hashtag', 'project_id')) as { hashtag: string; project_id: number }[];
  const projects = new Map((await findProjectsByIds(db, rows.map((r) => r.project_id))).map((p) => [p.id, p]));
  return new Map(rows.map((r) => [r.hashtag, projects.get(r.project_id)!]));
}

export interface ProjectListing {
  text?: string;
  /** Include closed (archived) projects and milestones. */
  closed?: boolean;
  memberId?: number;
  memberIds?: number[];
  parentId?: number;
  parentIds?: number[];
  ids?: number[];
  phids?: string[];
  afterId?: number;
  limit: number;
}

/** Projects by name, milestones after their parent. */
export async function listProjects(db: Knex, q: ProjectListing): Promise<Project[]> {
  const qb = db('projects').select(COLUMNS);
  if (q.text?.trim()) {
    const like = `%${q.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb.where((w) =>
      w
        .whereILike('projects.name', like)
        .orWhereExists((s) => s.select(db.raw('1')).from('project_hashtags as h').whereRaw('h.project_id = projects.id').whereILike('h.hashtag', like)),
    );
  }
  if (!q.closed) qb.whereNull('projects.closed_at');
  if (q.memberId !== undefined) {
    qb.whereExists((s) => s.select(db.raw('1')).from('project_members as m').whereRaw('m.project_id = projects.id').where('m.user_id', q.memberId));
  }
  if (q.memberIds) {
    const ids = q.memberIds;
    qb.whereExists((s) => whereAny(s.select(db.raw('1')).from('project_members as pm').whereRaw('pm.project_id = coalesce(projects.parent_id, projects.id)'), 'pm.user_id', ids, 'bigint'));
  }
  if (q.parentId !== undefined) qb.where('projects.parent_id', q.parentId);
  if (q.parentIds) whereAny(qb, 'projects.parent_id', q.parentIds, 'bigint');
  if (q.ids) whereAny(qb, 'projects.id', q.ids, 'bigint');
  if (q.phids) whereAny(qb, 'projects.phid', q.phids, 'text');
  if (q.afterId !== undefined) qb.where('projects.id', '>', q.afterId);
  const rows = (await qb.orderBy('projects.id').limit(q.limit)) as ProjectRow[];
  return withHashtags(db, rows);
}

export interface ProjectWrite {
  name: string;
  description: string;
  color: ProjectColor;
  icon: ProjectIcon;
}

export async function insertProject(
  trx: Knex.Transaction,
  w: ProjectWrite & { authorId: number; parentId: number | null; milestoneNumber: number | null },
): Promise<number> {
  const [row] = await trx('projects')
    .insert({
      name: w.name,
      description: w.description,
      color: w.color,
      icon: w.icon,
      author_id: w.authorId,
      parent_id: w.parentId,
      milestone_number: w.milestoneNumber,
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function updateProject(trx: Knex.Transaction, id: number, w: Partial<ProjectWrite> & { closedAt?: Date | null }): Promise<void> {
  const { closedAt, ...fields } = w;
  await trx('projects')
    .where({ id })
    .update({ ...fields, ...(closedAt !== undefined ? { closed_at: closedAt } : {}), updated_at: trx.fn.now() });
}

export async function nextMilestoneNumber(trx: Knex.Transaction, parentId: number): Promise<number> {
  const row = await trx('projects').where({ parent_id: parentId }).max<{ n: number | null }>('milestone_number as n').first();
  return Number(row?.n ?? 0) + 1;
}

/** Which of these hashtags belong to a project other than `exceptId`. */
export async function takenHashtags(trx: Knex.Transaction, hashtags: string[], exceptId: number | null): Promise<string[]> {
  if (!hashtags.length) return [];
  const qb = trx('project_hashtags').whereIn('hashtag', hashtags);
  if (exceptId !== null) qb.whereNot('project_id', exceptId);
  return ((await qb.select('hashtag')) as { hashtag: string }[]).map((r) => r.hashtag);
}

export async function setHashtags(trx: Knex.Transaction, projectId: number, hashtags: string[]): Promise<void> {
  await trx('project_hashtags').where({ project_id: projectId }).del();
  await trx('project_hashtags').insert(hashtags.map((hashtag, position) => ({ project_id: projectId, hashtag, position })));
}

export type PeopleTable = 'project_members' | 'project_watchers';

export async function findPeople(db: Knex, table: PeopleTable, projectId: number): Promise<number[]> {
  const rows = (await db(table).where({ project_id: projectId }).orderBy('user_id').select('user_id')) as { user_id: number }[];
  return rows.map((r) => r.user_id);
}

export async function setPeople(trx: Knex.Transaction, table: PeopleTable, projectId: number, userIds: number[]): Promise<void> {
  await trx(table).where({ project_id: projectId }).del();
  if (userIds.length) await trx.raw(`INSERT INTO ?? (project_id, user_id) SELECT ?, unnest(?::int[])`, [table, projectId, [...new Set(userIds)]]);
}

export async function isMember(db: Knex, projectId: number, userId: number): Promise<boolean> {
  return Boolean(await db('project_members').where({ project_id: projectId, user_id: userId }).first());
}

/**
 * The people watching any project a task is tagged with (or a milestone's parent), as SQL of one
 * column, user_id: they receive all its tasks' mail. `taskIdSql` (a parameter or an expression) is
 * written in twice.
 */
export function taskWatcherIdsSql(taskIdSql: string): string {
  return `SELECT DISTINCT w.user_id FROM project_watchers w WHERE w.project_id IN (
      SELECT tp.project_id FROM task_projects tp WHERE tp.task_id = ${taskIdSql}
      UNION SELECT p.parent_id FROM task_projects tp2 JOIN projects p ON p.id = tp2.project_id WHERE tp2.task_id = ${taskIdSql} AND p.parent_id IS NOT NULL)`;
}

/** Projects that tag at least one task, with their primary hashtags: the groups of a list grouped by project. */
export async function findTaggingProjects(db: Knex): Promise<{ id: number; hashtag: string }[]> {
  return (await db('project_hashtags as h')
    .where('h.position', 0)
    .whereExists((s) => s.select(db.raw('1')).from('task_projects as tp').whereRaw('tp.project_id = h.project_id'))
    .select('h.project_id as id', 'h.hashtag')) as { id: number; hashtag: string }[];
}

/** The version of the projects' tags (`cache_versions`), as SQL of its digits: a trigger moves it on every write to projects or hashtags. */
export const PROJECT_TAGS_VERSION_SQL = "(SELECT v.version::text FROM cache_versions v WHERE v.name = 'project_tags')";

/** The project ids of the task in `taskColumn`, ascending, as SQL of an `int[]`: a list row's tags, shown through projects/tag-cache.ts. */
export function taskTagIdsExpr(taskColumn: string): string {
  return `ARRAY(SELECT tp.project_id FROM task_projects tp WHERE tp.task_id = ${taskColumn} ORDER BY tp.project_id)`;
}

/** Projects as tags show them (`tagOf`), by id, with the version of the tags they were read at, in the same statement. */
export async function findProjectTags(db: Knex, ids: number[]): Promise<{ version: string; tags: ProjectTag[] }> {
  const sql = `SELECT ${PROJECT_TAGS_VERSION_SQL} AS version, coalesce(json_agg(${PROJECT_JSON}), '[]') AS projects FROM projects p WHERE p.id = ANY(?::int[])`;
  const row = ((await prepared('project_tags', db.raw(sql, [ids]))).rows as { version: string; projects: ProjectJson[] }[])[0]!;
  return { version: row.version, tags: row.projects.map((p) => tagOf(projectFromJson(p))) };
}

/** The project ids of many tasks at once, by task. */
export async function findProjectIdsOfTasks(db: Knex, taskIds: number[]): Promise<Map<number, number[]>> {
  const byTask = new Map<number, number[]>();
  if (!taskIds.length) return byTask;
  const rows = (await prepared('tags_of_tasks', whereAny(db('task_projects'), 'task_id', taskIds, 'bigint').orderBy(['task_id', 'project_id']).select('task_id', 'project_id'))) as {
    task_id: number;
    project_id: number;
  }[];
  for (const r of rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r.project_id]);
  return byTask;
}

export async function addTaskProjects(trx: Knex.Transaction, taskId: number, projectIds: number[]): Promise<void> {
  if (!projectIds.length) return;
  await trx('task_projects')
    .insert(projectIds.map((project_id) => ({ task_id: taskId, project_id })))
    .onConflict(['task_id', 'project_id'])
    .ignore();
}

export async function removeTaskProjects(trx: Knex.Transaction, taskId: number, projectIds: number[]): Promise<void> {
  if (!projectIds.length) return;
  await trx('task_projects').where({ task_id: taskId }).whereIn('project_id', projectIds).del();
}

/** Each task's project PHIDs, for the API's "projects" attachment. */
export async function findProjectPhidsOfTasks(db: Knex, taskIds: number[]): Promise<Map<number, string[]>> {
  const byTask = new Map<number, string[]>();
  if (!taskIds.length) return byTask;
  const rows = (await db('task_projects as tp')
    .join('projects as p', 'p.id', 'tp.project_id')
    .whereIn('tp.task_id', taskIds)
    .orderBy(['tp.task_id', 'tp.project_id'])
    .select('tp.task_id', 'p.phid')) as { task_id: number; phid: string }[];
  for (const r of rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r.phid]);
  return byTask;
}
