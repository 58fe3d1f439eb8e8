import type { Request } from 'express';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { readScopedVersions, readTasksVersion, readTrackerVersion } from '../db/tracker-version';
import { csrfTokenReturns } from './middleware/csrf';

/** HTML rendered from the tracker's data, with what the page around it needs to know of it. */
export interface Rendered<T> {
  html: string;
  /** What the page needs besides the HTML (say, whether a list came back empty). */
  facts: T;
  /**
   * When time alone changes the HTML (a date loses its weekday, a due date turns red), in ms since
   * the epoch; Infinity for never, 0 for HTML never to be kept (a refused query's).
   */
  staleAt: number;
  /**
   * The tasks whose rows the HTML shows, when that is all it shows of any task: it is then kept
   * while those tasks and what is no task's (people, projects, files) are unchanged, not only
   * while the whole tracker is. Absent for HTML that may show any task (a list).
   */
  tasks?: readonly number[];
}

interface Kept {
  /** The tracker's version it was rendered at. */
  version: string;
  /** The version of its tasks (readScopedVersions) at that time, when it names them. */
  scoped: string | null;
  rendered: Rendered<unknown>;
}

/** A page being rendered for a version of the tracker, which requests that read the same version wait for. */
interface Rendering {
  version: string;
  rendered: Promise<Rendered<unknown>>;
}

interface Store {
  kept: LRUCache<string, Kept>;
  rendering: Map<string, Rendering>;
}

/** One store per database a process reads, so that a replica's versions are never set against the primary's. */
const stores = new WeakMap<Knex, Store>();

function storeOf(db: Knex, maxBytes: number): Store {
  let store = stores.get(db);
  if (!store) {
    // A JavaScript string holds two bytes a character at most.
    store = {
      kept: new LRUCache<string, Kept>({ maxSize: maxBytes, sizeCalculation: (k, key) => 2 * (key.length + k.rendered.html.length + (k.scoped?.length ?? 0)) + 8 * (k.rendered.tasks?.length ?? 0) + 200 }),
      rendering: new Map(),
    };
    stores.set(db, store);
  }
  return store;
}

/**
 * The key under which keptHtml keeps a page shown to `req`: `parts` name the page, to which the
 * viewer and the CSRF token its forms carry are added. Null, for nothing to be kept, when that
 * token is new to the client: a page kept for a client that keeps no cookies (a crawler) would
 * never be asked for again, and would only push out pages that are.
 */
export function pageKey(req: Request, ...parts: unknown[]): string | null {
  return csrfTokenReturns(req) ? JSON.stringify([req.viewer?.id ?? null, req.csrfToken, ...parts]) : null;
}

/**
 * The HTML `render` makes, kept in this process while the tracker's version (readTrackerVersion)
 * stays what it was when it was rendered, or, for HTML that names its tasks (`Rendered.tasks`),
 * while their version (readTasksVersion) does. `key` (pageKey) must name everything else the HTML
 * depends on: the viewer, the query, the page; null keeps nothing. The tracker's version is read
 * before and after rendering, and the HTML kept only when both readings agree, so that what is
 * kept is exactly what that version shows: a write committed while it was rendering leaves nothing
 * behind. The tasks' version is read with the second reading, so it is theirs at that version; a
 * kept page is shown while either the tracker's version or its tasks' holds.
 */
export async function keptHtml<T>(db: Knex, maxBytes: number, key: string | null, render: () => Promise<Rendered<T>>): Promise<Rendered<T>> {
  if (maxBytes <= 0 || key === null) return render();
  const store = storeOf(db, maxBytes);
  const kept = store.kept.get(key);
  const fresh = kept !== undefined && Date.now() < kept.rendered.staleAt;
  // A page kept against its tasks' version needs no other reading to be shown: the tracker's is
  // read only to render it again.
  if (fresh && kept.rendered.tasks && kept.scoped === (await readTasksVersion(db, kept.rendered.tasks))) return kept.rendered as Rendered<T>;
  const version = await readTrackerVersion(db);
  if (fresh && kept.version === version) return kept.rendered as Rendered<T>;
  // Requests that miss together (after a write, every reader of a busy page) share one rendering
  // rather than each render the same page: one that read the same version began after that
  // rendering read it, with nothing committed in between, so it shows what they would render,
  // unless time alone changed that meanwhile.
  const underway = store.rendering.get(key);
  if (underway && underway.version === version) {
    const shared = (await underway.rendered) as Rendered<T>;
    if (Date.now() < shared.staleAt) return shared;
  }
  const rendered = renderAndKeep(db, store, key, version, render);
  store.rendering.set(key, { version, rendered });
  try {
    return await rendered;
  } finally {
    if (store.rendering.get(key)?.rendered === rendered) store.rendering.delete(key);
  }
}

async function renderAndKeep<T>(db: Knex, store: Store, key: string, version: string, render: () => Promise<Rendered<T>>): Promise<Rendered<T>> {
  const rendered = await render();
  if (Date.now() >= rendered.staleAt) return rendered;
  if (rendered.tasks) {
    const after = await readScopedVersions(db, rendered.tasks);
    if (after.tracker === version) store.kept.set(key, { version, scoped: after.scoped, rendered });
  } else if ((await readTrackerVersion(db)) === version) {
    store.kept.set(key, { version, scoped: null, rendered });
  }
  return rendered;
}
