import type { Knex } from 'knex';
import type { ProjectTag } from './project';
import { findProjectTags } from './repository';

/**
 * Projects as tags show them, kept by each process for the database it reads, so that a list row
 * reads only its project ids. A kept copy is used only while the version the database keeps for
 * project tags (moved by a trigger on every write to projects and hashtags) is the one the list's
 * own statement read: a renamed, recolored or closed project is shown as it is from the next
 * statement on, in every process.
 */
interface Kept {
  version: string;
  tags: Map<number, ProjectTag>;
}

/** Past this many projects the copy starts again empty: it never grows past what a few pages show. */
const KEPT_MAX = 10_000;

const kept = new WeakMap<Knex, Kept>();

/** The tags of `ids` (ids of no project left out), as of `version`, the version a list's statement read, or later. */
export async function projectTags(db: Knex, version: string, ids: Iterable<number>): Promise<Map<number, ProjectTag>> {
  let copy = kept.get(db);
  if (!copy || copy.version !== version) copy = { version, tags: new Map() };
  const found = new Map<number, ProjectTag>();
  const missing: number[] = [];
  for (const id of new Set(ids)) {
    const tag = copy.tags.get(id);
    if (tag) found.set(id, tag);
    else missing.push(id);
  }
  if (missing.length) {
    const read = await findProjectTags(db, missing);
    for (const tag of read.tags) found.set(tag.id, tag);
    // Written to since the list's statement: what is kept is of the older version, and goes.
    if (read.version !== copy.version || copy.tags.size + read.tags.length > KEPT_MAX) copy = { version: read.version, tags: new Map() };
    for (const tag of read.tags) copy.tags.set(tag.id, tag);
  }
  kept.set(db, copy);
  return found;
}
