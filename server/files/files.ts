import type { Knex } from 'knex';
import { NotFoundError } from '../errors';
import { namedIn, parseMarkup } from '../markup/render';
import { canView } from '../tasks/policy';
import type { Actor } from '../users/roles';
import { cleanFileName, imageKind } from './content';
import * as repo from './repository';

export type { StoredFile } from './repository';

/** Its uploader sees a file, and so does whoever may see a task whose text names it. */
export function canSeeFile(viewer: Actor | null, file: repo.StoredFile): boolean {
  return (viewer !== null && viewer.id === file.authorId) || file.tasks.some((t) => canView(viewer, t));
}

/** Files among `ids` the viewer may see, by id. */
export async function visibleFiles(db: Knex, viewer: Actor | null, ids: Iterable<number>): Promise<Map<number, repo.StoredFile>> {
  return new Map((await repo.findFiles(db, ids)).filter((f) => canSeeFile(viewer, f)).map((f) => [f.id, f]));
}

/** Stores an upload: its name cleaned, its kind read from its content. */
export async function storeFile(db: Knex, uploader: Actor, rawName: string, data: Buffer): Promise<{ id: number; name: string }> {
  const name = cleanFileName(rawName);
  const id = await repo.insertFile(db, { authorId: uploader.id, name, kind: imageKind(data), data });
  return { id, name };
}

/** A file and its bytes for the viewer, or NotFound exactly as a file that does not exist. */
export async function openFile(db: Knex, viewer: Actor | null, id: number): Promise<{ file: repo.StoredFile; data: Buffer }> {
  const file = (await visibleFiles(db, viewer, [id])).get(id);
  const data = file ? await repo.readFileData(db, id) : null;
  if (!file || !data) throw new NotFoundError();
  return { file, data };
}

/**
 * Attaches to a task the files its new text names as `{F12}` (by the
 * renderer's rules: not inside code), of those the actor may see: naming a
 * file shows it to the task's readers, so no one can show a file they can not
 * see themselves.
 */
export async function attachNamedFiles(trx: Knex.Transaction, actor: Actor, taskId: number, texts: string[]): Promise<void> {
  const ids = namedIn(texts.map((text) => parseMarkup(text))).fileIds;
  if (!ids.size) return;
  await repo.attachFiles(trx, taskId, [...(await visibleFiles(trx, actor, ids)).keys()]);
}
