import type { Knex } from 'knex';
import { cursorAtTask, QueryError, searchTasks } from '../search/engine';
import type { Order, TaskFilter } from '../search/query';
import type { Task, Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import { callError } from './errors';

/**
 * The one seam between maniphest.search and the shared task query engine
 * (server/search): a filter, an order and a page in, visible tasks and opaque
 * cursors out. The engine applies visibility exactly as the web lists do.
 */
export interface TaskPageRequest {
  filter: TaskFilter;
  order: Order;
  limit: number;
  after?: string;
  before?: string;
}

export interface TaskPageResult {
  tasks: Task[];
  after: string | null;
  before: string | null;
}

const TASK_ID = /^[1-9][0-9]{0,9}$/;

/**
 * Phabricator's cursors are the id of the task a page ended (or began) with; Trellis's own are
 * opaque strings, which never consist of digits only. An id is read as the cursor at that task; one
 * the caller may not see is refused like a malformed cursor.
 */
async function idCursor(db: Knex, tracker: Tracker, viewer: Actor, r: TaskPageRequest, cursor: string | undefined): Promise<string | undefined> {
  if (cursor === undefined || !TASK_ID.test(cursor) || Number(cursor) > 2147483647) return cursor;
  const at = await cursorAtTask(db, tracker, viewer, { filter: r.filter, order: r.order, group: 'none' }, Number(cursor));
  if (at === null) throw new QueryError('No task with that id to page from.');
  return at;
}

export async function findTaskPage(db: Knex, tracker: Tracker, viewer: Actor, r: TaskPageRequest): Promise<TaskPageResult> {
  if (r.order === 'relevance' && !r.filter.text?.trim()) {
    throw callError('Parameter "order" is "relevance", which needs a "query" constraint: the words to rank tasks by.');
  }
  try {
    const [after, before] = await Promise.all([r.after, r.before].map((c) => idCursor(db, tracker, viewer, r, c)));
    const page = await searchTasks(db, tracker, viewer, { filter: r.filter, order: r.order, group: 'none', limit: r.limit }, { after, before });
    return { tasks: page.tasks, after: page.next, before: page.prev };
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    const which = r.after !== undefined && r.before !== undefined ? null : r.after !== undefined ? 'after' : r.before !== undefined ? 'before' : null;
    if (r.after !== undefined && r.before !== undefined) throw callError('Give either "after" or "before", not both.');
    if (which) throw callError(`Parameter "${which}" must be a cursor from a previous page of this search, with the same order.`);
    throw callError(err.message);
  }
}
