import type { Knex } from 'knex';
import { NotFoundError } from '../errors';
import { findUsersByIds } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import type { StoredEvent } from './events/types';
import { canView, visiblePolicies } from './policy';
import * as repo from './repository';
import type { Task, Tracker } from './task';
import { timelineUserIds } from './timeline';

export interface TaskDetail {
  task: Task;
  subscriberIds: number[];
  events: StoredEvent[];
  /** Every user the page names, loaded in one query. */
  users: Map<number, User>;
  version: number;
}

/** A task as the viewer may see it, or NotFound exactly as if it did not exist. */
export async function viewTask(db: Knex, viewer: Actor | null, id: number): Promise<Task> {
  const task = await repo.findTask(db, id);
  if (!task || !canView(viewer, task)) throw new NotFoundError();
  return task;
}

export async function loadTaskDetail(db: Knex, viewer: Actor | null, id: number): Promise<TaskDetail> {
  const task = await viewTask(db, viewer, id);
  const [subscriberIds, events] = await Promise.all([repo.findSubscriberIds(db, id), repo.listEvents(db, id)]);
  const ids = [task.authorId, ...subscriberIds, ...timelineUserIds(events)];
  if (task.ownerId) ids.push(task.ownerId);
  if (task.closerId) ids.push(task.closerId);
  const users = await findUsersByIds(db, ids);
  const version = events.length ? events[events.length - 1]!.id : 0;
  return { task, subscriberIds, events, users, version };
}

export const PAGE_SIZE = 100;

export interface OpenTaskPage {
  tasks: repo.ListedTask[];
  users: Map<number, User>;
  next: repo.SortKey | null;
  prev: repo.SortKey | null;
}

/** Open tasks the viewer may see, highest priority first, then most recently updated. */
export async function listOpenTasks(
  db: Knex,
  tracker: Tracker,
  viewer: Actor | null,
  cursor: { after?: repo.SortKey; before?: repo.SortKey },
  filter: { ownerId?: number } = {},
  limit = PAGE_SIZE,
): Promise<OpenTaskPage> {
  const rows = await repo.listTasks(db, {
    ...filter,
    statuses: tracker.openStatusKeys,
    policies: visiblePolicies(viewer),
    viewerId: viewer?.id ?? null,
    limit: limit + 1,
    ...cursor,
  });
  const more = rows.length > limit;
  // One extra row tells whether another page exists in the direction of travel.
  const tasks = cursor.before ? rows.slice(more ? 1 : 0) : rows.slice(0, limit);
  const users = await findUsersByIds(db, tasks.flatMap((t) => (t.ownerId ? [t.ownerId] : [])));
  const hasNext = cursor.before ? true : more;
  const hasPrev = cursor.before ? more : Boolean(cursor.after);
  return {
    tasks,
    users,
    next: hasNext && tasks.length ? tasks[tasks.length - 1]!.sortKey : null,
    prev: hasPrev && tasks.length ? tasks[0]!.sortKey : null,
  };
}
