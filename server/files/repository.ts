import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { whereAny } from '../db/lists';
import type { ViewPolicy } from '../config';
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

/** The files a task's text names, oldest first: its side panel's list. */
export async function listTaskFiles(db: Knex, taskId: number): Promise<{ id: number; name: string; size: number; kind: ImageKind | null }[]> {
  const rows = (await prepared('task_files', db('task_files as tf').join('files as f', 'f.id', 'tf.file_id').where('tf.task_id', taskId).orderBy('f.id').select('f.id', 'f.name', 'f.size', 'f.kind'))) as {
    id: number;
    name: string;
    size: number;
    kind: ImageKind | null;
  }[];
  return rows;
}
