import type { Knex } from 'knex';
import type { TaskFieldValues } from '../fields/read';
import { fieldUserIds } from '../fields/show';
import type { TaskFile } from '../files/repository';
import { NotFoundError } from '../errors';
import { findUserById } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import type { StoredEvent } from './events/types';
import { canView } from './policy';
import * as repo from './repository';
import type { Task, Tracker } from './task';
import { timelineTaskIds, timelineUserIds } from './timeline';
import { resolveReferences, type ResolvedReferences } from './references';
import { namedIn, parseMarkup, type MarkupDoc } from '../markup/render';
import { loadTaskTags } from '../projects/tags';
import { loadTaskBoards, type TaskBoards } from '../projects/task-boards';
import { findTaskPage } from './page-repository';
import { loadTaskGraph, NO_GRAPH, type TaskGraph } from './graph/graph';
import { findEvent, latestEvents } from './event-repository';

export interface TaskDetail {
  task: Task;
  subscriberIds: number[];
  events: StoredEvent[];
  /** The description and each comment (by event id), parsed once for the whole page. */
  description: MarkupDoc;
  comments: Map<number, MarkupDoc>;
  /** Tasks whose text mentions this one, and tasks this one's text mentions. */
  mentionedIn: number[];
  mentionsHere: number[];
  /** Parents above, subtasks below; and the duplicates merged into this task, or the task it was merged into. */
  graph: TaskGraph;
  mergedFrom: number[];
  mergedInto: number[];
  /** Every task and user the page names, each kind loaded in one query. */
  refs: ResolvedReferences;
  users: Map<number, User>;
  version: number;
  /** Tags, cards, and the projects and columns the timeline names. */
  boards: TaskBoards;
  /** The files the task's text names: its side panel's list. */
  files: TaskFile[];
  /** Whether the viewer muted the task's mail; false for a visitor. */
  muted: boolean;
  /** The custom field values the page shows, with the names of the people they name. */
  fields: TaskFieldValues;
  /**
   * Every task whose rows the page shows (this one and each it names, seen or not), or null when
   * what it shows may change with other tasks too: a graph is walked through tasks it does not
   * show, and whether a named file may be seen depends on every task it is attached to.
   */
  shownTasks: number[] | null;
}

/** The ids among `ids` of tasks the viewer may see, in one query. */
export async function visibleTaskIds(db: Knex, viewer: Actor | null, ids: Iterable<number>): Promise<Set<number>> {
  return new Set((await repo.findTasksByIds(db, ids)).filter((t) => canView(viewer, t)).map((t) => t.id));
}

/**
 * Which of a task's events the viewer may see: an event that names a task they
 * may not see (a back-link from it, "mentioned this in T9") is hidden, exactly
 * as if it did not exist, and so must count for nothing: not in the timeline,
 * nor in a version, a cursor or a count.
 */
export async function eventVisibility(db: Knex, viewer: Actor | null, events: StoredEvent[]): Promise<(e: StoredEvent) => boolean> {
  const visible = await visibleTaskIds(db, viewer, timelineTaskIds(events));
  return (e) => timelineTaskIds([e]).every((id) => visible.has(id));
}

/**
 * The id of the newest event the viewer may see: the version an edit form
 * carries. Only back-links can be hidden and they never conflict with an edit,
 * so the lost-edit check (which looks for fields changed after the version)
 * finds every change it would find from the newest event of all.
 */
export async function visibleVersion(db: Knex, viewer: Actor | null, taskId: number): Promise<number> {
  for (let before: number | undefined; ; ) {
    const events = await latestEvents(db, taskId, 100, before);
    if (!events.length) return 0;
    const shown = await eventVisibility(db, viewer, events);
    const newest = events.find(shown);
    if (newest) return newest.id;
    before = events[events.length - 1]!.id;
  }
}

/** A task as the viewer may see it, or NotFound exactly as if it did not exist. */
export async function viewTask(db: Knex, viewer: Actor | null, id: number): Promise<Task> {
  const task = await repo.findTask(db, id);
  if (!task || !canView(viewer, task)) throw new NotFoundError();
  return task;
}

export async function loadTaskDetail(db: Knex, tracker: Tracker, viewer: Actor | null, id: number): Promise<TaskDetail> {
  const page = await findTaskPage(db, id, viewer?.id ?? null);
  if (!page || !canView(viewer, page.task)) throw new NotFoundError();
  const { task, subscriberIds, events: allEvents, edges } = page;
  const description = parseMarkup(task.description, task.markup);
  const comments = new Map(allEvents.filter((e) => e.type === 'comment').map((e) => [e.id, parseMarkup(String(e.new ?? ''), e.markup)]));
  const { taskIds, usernames, hashtags, fileIds } = namedIn([description, ...comments.values()]);
  for (const id of timelineTaskIds(allEvents)) taskIds.add(id);
  for (const edge of edges) taskIds.add(edge.dstId);
  // Values show when fields are configured, or for a task whose history has some (fields since removed).
  const fieldValues = tracker.fields.length > 0 || allEvents.some((e) => e.type === 'custom') ? page.fieldValues : {};
  const userIds = [task.authorId, ...subscriberIds, ...timelineUserIds(allEvents), ...fieldUserIds([fieldValues])];
  if (task.ownerId) userIds.push(task.ownerId);
  if (task.closerId) userIds.push(task.closerId);
  const [refs, boards, graph] = await Promise.all([
    resolveReferences(db, viewer, tracker, { taskIds, usernames, userIds, hashtags, fileIds, knownUsers: page.users }),
    loadTaskBoards(db, allEvents, page.tagIds, page.cards, page.boardNames),
    page.inGraph ? loadTaskGraph(db, viewer, id) : NO_GRAPH,
  ]);
  const events = allEvents.filter((e) => timelineTaskIds([e]).every((t) => refs.tasks.has(t)));
  const shownTasks = page.inGraph || fileIds.size > 0 ? null : [id, ...taskIds];
  const version = events.length ? events[events.length - 1]!.id : 0;
  const edgeIds = (type: repo.EdgeType) => edges.filter((e) => e.type === type && refs.tasks.has(e.dstId)).map((e) => e.dstId);
  return {
    task,
    subscriberIds,
    events,
    description,
    comments,
    mentionedIn: edgeIds('mentioned-in'),
    mentionsHere: edgeIds('mentions'),
    graph,
    mergedFrom: edgeIds('merged-from'),
    mergedInto: edgeIds('merged-into'),
    refs,
    users: refs.users,
    version,
    boards,
    files: page.files,
    muted: page.muted,
    fields: { values: fieldValues, userName: (id) => refs.users.get(id)?.username ?? 'unknown user' },
    shownTasks,
  };
}

/**
 * A comment as a quote for a reply: "In T12#34, @alice wrote:" and the text
 * behind "> ". Null when the task has no such comment.
 */
export async function quoteComment(db: Knex, viewer: Actor | null, taskId: number, eventId: number): Promise<string | null> {
  await viewTask(db, viewer, taskId);
  const event = await findEvent(db, taskId, eventId);
  // A removed comment keeps no text to quote.
  if (!event || event.type !== 'comment' || String(event.new ?? '') === '') return null;
  const author = await findUserById(db, event.actorId);
  const quoted = String(event.new ?? '')
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  return `In T${taskId}#${eventId}, @${author?.username ?? 'unknown'} wrote:\n\n${quoted}\n\n`;
}

export interface Hovercard {
  task: Task;
  owner: User | null;
}

export async function loadHovercard(db: Knex, viewer: Actor | null, id: number): Promise<Hovercard> {
  const task = await viewTask(db, viewer, id);
  const owner = task.ownerId ? await findUserById(db, task.ownerId) : null;
  return { task, owner };
}

export interface TaskForEdit {
  task: Task;
  owner: User | null;
  /** The last event id: the version the edit form carries, for the lost-edit check. */
  version: number;
  /** The task's tags as the form shows them: "#backend, #api". */
  hashtags: string;
}

export async function loadTaskForEdit(db: Knex, viewer: Actor | null, id: number): Promise<TaskForEdit> {
  const task = await viewTask(db, viewer, id);
  const [owner, version, tags] = await Promise.all([
    task.ownerId ? findUserById(db, task.ownerId) : null,
    visibleVersion(db, viewer, id),
    loadTaskTags(db, [id]),
  ]);
  return { task, owner, version, hashtags: (tags.get(id) ?? []).map((t) => `#${t.hashtag}`).join(', ') };
}
