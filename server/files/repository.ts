import type { Knex } from 'knex';
import { whereAny } from '../db/lists';
import type { ViewPolicy } from '../tracker-config';
import type { ImageKind } from './content';

export interface StoredFile {
  id: number;
  authorId: number;
  name: string;
  kind: ImageKind | null;
  size: number;
  createdAt: Date;
  /** Visibility of every task whose text names the file. */
  tasks: { id: number; view: ViewPolicy; ownerId: number | null }[];
}

const META = ['f.id', 'f.author_id', 'f.name', 'f.kind', 'f.size', 'f.created_at'];

interface MetaRow {
  id: number;
  author_id: number;
  name: string;
  kind: ImageKind | null;
  size: number;
  created_at: Date;
}

export async function insertFile(db: Knex, f: { authorId: number; name: string; kind: ImageKind | null; data: Buffer }): Promise<number> {
  const [row] = (await db('files').insert({ author_id: f.authorId, name: f.name, kind: f.kind, size: f.data.length, data: f.data }).returning('id')) as { id: number }[];
  return row!.id;
}

/** Files by id with the tasks that name them: what deciding who may see them needs, in two queries however many. */
export async function findFiles(db: Knex, ids: Iterable<number>): Promise<StoredFile[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const [rows, links] = await Promise.all([
    whereAny(db('files as f').select(META), 'f.id', unique, 'bigint') as Promise<MetaRow[]>,
    whereAny(db('task_files as tf').join('tasks as t', 't.id', 'tf.task_id').select('tf.file_id', 't.id', 't.view_policy as view', 't.owner_id'), 'tf.file_id', unique, 'bigint') as Promise<
      { file_id: number; id: number; view: ViewPolicy; owner_id: number | null }[]
    >,
  ]);
  return rows.map((r) => ({
    id: r.id,
    authorId: r.author_id,
    name: r.name,
    kind: r.kind,
    size: r.size,
    createdAt: r.created_at,
    tasks: links.filter((l) => l.file_id === r.id).map((l) => ({ id: l.id, view: l.view, ownerId: l.owner_id })),
  }));
}

export async function readFileData(db: Knex, id: number): Promise<Buffer | null> {
  const row = (await db('files').where({ id }).first('data')) as { data: Buffer } | undefined;
  return row ? Buffer.from(row.data) : null;
}

/** Records that a task's text names these files (once each). */
export async function attachFiles(trx: Knex.Transaction, taskId: number, fileIds: number[]): Promise<void> {
  if (!fileIds.length) return;
  await trx.raw(
    `INSERT INTO task_files (task_id, file_id) SELECT ?, file_id FROM unnest(?::int[]) AS file_id ON CONFLICT (task_id, file_id) DO NOTHING`,
    [taskId, [...new Set(fileIds)]],
  );
}

/** A file a task's text names, as its side panel lists it. */
export interface TaskFile {
  id: number;
  name: string;
  size: number;
  kind: ImageKind | null;
}

/**
 * The files the text of the row of `tasks` names, oldest first, as a JSON list of TaskFile: a
 * scalar subquery for the statement that reads a task with what hangs off it.
 */
export const TASK_FILES_JSON = `(SELECT coalesce(json_agg(json_build_object('id', f.id, 'name', f.name, 'size', f.size, 'kind', f.kind) ORDER BY f.id), '[]')
    FROM task_files tf JOIN files f ON f.id = tf.file_id WHERE tf.task_id = tasks.id)`;
