import type { Knex } from 'knex';
import { readAll } from '../db/reads';
import { canSeeFile, type StoredFile } from '../files/files';
import { findFiles } from '../files/repository';
import type { ReferenceLookup, TaskTarget } from '../markup/references';
import { parseMarkup, renderMarkup } from '../markup/render';
import { findProjectsByHashtags } from '../projects/repository';
import { findUsersByIdsOrNames } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import type { TaskRef } from './events/sentence';
import { canView } from './policy';
import { findTasksByIds } from './repository';
import type { Task, Tracker } from './task';

export interface ReferenceRequest {
  taskIds: Iterable<number>;
  usernames: Iterable<string>;
  userIds: Iterable<number>;
  hashtags?: Iterable<string>;
  fileIds?: Iterable<number>;
  /** People already read with the page: only those named beyond them are looked up. */
  knownUsers?: User[];
}

/** Everything a page's text and timeline name, resolved for one viewer. */
export interface ResolvedReferences {
  markup: ReferenceLookup;
  task(id: number): TaskRef | undefined;
  tasks: Map<number, Task>;
  users: Map<number, User>;
}

function taskTarget(task: Task, tracker: Tracker): TaskTarget {
  return {
    id: task.id,
    title: task.title,
    closed: tracker.isClosed(task.status),
    stateText: tracker.stateText(task),
    priorityColor: tracker.priorityColor(task.priority),
  };
}

/** What a set of texts names, loaded for any viewer: `referencesFor` then keeps what one viewer may see. */
export interface LoadedReferences {
  tasks: Task[];
  users: User[];
  projects: Awaited<ReturnType<typeof findProjectsByHashtags>>;
  files: StoredFile[];
}

/** Phase two of rendering, the part that does not depend on the viewer: one query each for tasks, users and projects, two for files when a text names some. */
export async function loadReferences(db: Knex, req: ReferenceRequest): Promise<LoadedReferences> {
  const fileIds = [...(req.fileIds ?? [])];
  const known = req.knownUsers ?? [];
  const knownIds = new Set(known.map((u) => u.id));
  const knownNames = new Set(known.map((u) => u.username.toLowerCase()));
  const userIds = [...req.userIds].filter((id) => !knownIds.has(id));
  const usernames = [...req.usernames].filter((name) => !knownNames.has(name.toLowerCase()));
  const [tasks, found, projects, files] = await readAll(db, [
    () => findTasksByIds(db, req.taskIds),
    () => findUsersByIdsOrNames(db, userIds, usernames),
    () => findProjectsByHashtags(db, req.hashtags ?? []),
    async () => (fileIds.length ? findFiles(db, fileIds) : []),
  ]);
  return { tasks, users: [...known, ...found], projects, files };
}

/**
 * The references as one viewer sees them. A task the viewer may not see is
 * left out, so it renders exactly like one that does not exist.
 */
export function referencesFor(viewer: Actor | null, tracker: Tracker, loaded: LoadedReferences): ResolvedReferences {
  const { projects } = loaded;
  const tasks = new Map(loaded.tasks.filter((t) => canView(viewer, t)).map((t) => [t.id, t]));
  const users = new Map(loaded.users.map((u) => [u.id, u]));
  const byName = new Map(loaded.users.map((u) => [u.username.toLowerCase(), u]));
  const files = new Map(loaded.files.filter((f) => canSeeFile(viewer, f)).map((f) => [f.id, f]));
  return {
    tasks,
    users,
    task(id) {
      const t = tasks.get(id);
      return t ? { kind: 'task', id: t.id, title: t.title, closed: tracker.isClosed(t.status) } : undefined;
    },
    markup: {
      task(id) {
        const t = tasks.get(id);
        return t ? taskTarget(t, tracker) : undefined;
      },
      user(name) {
        const u = byName.get(name.toLowerCase());
        return u ? { username: u.username } : undefined;
      },
      project(hashtag) {
        const p = projects.get(hashtag);
        return p ? { hashtag, color: p.color } : undefined;
      },
      file(id) {
        const f = files.get(id);
        return f ? { id: f.id, name: f.name, size: f.size, image: f.kind !== null } : undefined;
      },
    },
  };
}

/** Phase two of rendering for one viewer: one query for every task and one for every user a page names. */
export async function resolveReferences(db: Knex, viewer: Actor | null, tracker: Tracker, req: ReferenceRequest): Promise<ResolvedReferences> {
  return referencesFor(viewer, tracker, await loadReferences(db, req));
}

/** Renders one text for a viewer, references resolved: the comment and description preview. */
export async function renderForViewer(db: Knex, viewer: Actor | null, tracker: Tracker, text: string): Promise<string> {
  const doc = parseMarkup(text);
  const taskIds = doc.references.flatMap((r) => (r.kind === 'task' ? [r.id] : []));
  const usernames = doc.references.flatMap((r) => (r.kind === 'user' ? [r.username] : []));
  const hashtags = doc.references.flatMap((r) => (r.kind === 'project' ? [r.hashtag] : []));
  const fileIds = doc.references.flatMap((r) => (r.kind === 'file' ? [r.id] : []));
  const refs = await resolveReferences(db, viewer, tracker, { taskIds, usernames, userIds: [], hashtags, fileIds });
  return renderMarkup(doc, refs.markup);
}
