import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { Tracker } from '../tasks/task';
import { loadTaskTags } from '../projects/tags';
import type { ProjectTag } from '../projects/project';
import { findUsersByIds } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import { CursorError, decodeCursor, encodeCursor, groupKey, sortKeys, type SortKey } from './keyset';
import type { TaskQuery } from './query';
import { groupPart, listedGroups, ownerGroups, priorityGroups, projectGroups, statusGroups, type GroupPart, type GroupWalk } from './groups';
import { loadListedFields, type ListedFields } from '../fields/read';
import { fieldGroups, fieldOfGroup } from '../fields/groups';
import { eachTask, findTaskPage, groupTotals, type FoundTask } from './repository';
import { parseSearchText, type ParsedText } from './text';

/** A group header counts up to this many results, then says "10,000+": counting further would cost more than the page. */
export const GROUP_COUNT_CAP = 10000;

export interface SearchPage {
  tasks: FoundTask[];
  /** Owners of the tasks on the page, in one query. */
  owners: Map<number, User>;
  /** Tags of the tasks on the page, in two queries. */
  tags: Map<number, ProjectTag[]>;
  next: string | null;
  prev: string | null;
  /** Results per group key, of the groups on the page; past GROUP_COUNT_CAP a count reads GROUP_COUNT_CAP + 1. */
  groupCounts: Map<unknown, number> | null;
  /** Points per group key, of the groups on the page, over the rows counted; null when not grouped or points are off. */
  groupPoints: Map<unknown, number> | null;
  /** Values of the custom fields shown in list rows, with the names of the people they name. */
  fields: ListedFields;
}

export class QueryError extends AppError {
  constructor(message: string, field = 'form') {
    super(400, 'bad-query', message, field);
  }
}

function textOf(q: TaskQuery): ParsedText | null {
  return q.filter.text?.trim() ? parseSearchText(q.filter.text) : null;
}

function prepare(q: TaskQuery, tracker: Tracker) {
  const text = textOf(q);
  if (q.order === 'relevance' && !text) throw new QueryError('Ordering by relevance needs search words.', 'order');
  return { text, keys: sortKeys(q.order, q.group, tracker) };
}

/**
 * A grouping placed before an order of other keys is read group by group, each by an index on the
 * order's keys, rather than by sorting every result: priorities and statuses are a handful of values,
 * owners are found one at a time. Where one index already serves the grouping and the order together
 * (owners by priority or by update), or every match is ranked anyway (full text), one query stays best.
 */
async function groupWalk(db: Knex, tracker: Tracker, viewer: Actor | null, q: TaskQuery, projects: GroupPart[] | null): Promise<GroupWalk | undefined> {
  // A task is in as many project groups as it has tags: only group by group can list it in each.
  if (projects) return listedGroups(projects);
  // Ranking reads every match anyway; one query ranks, counts and cuts the page.
  if (q.order === 'relevance') return undefined;
  const f = q.filter;
  const sameKeys = (a: SortKey[], b: SortKey[]) => a.length === b.length && a.every((k, i) => k.expr === b[i]!.expr && k.dir === b[i]!.dir);
  // Grouped by priority, the priority order and the updated one are the same keys, which the list indexes serve.
  if (q.group === 'priority' && !sameKeys(sortKeys(q.order, q.group, tracker), sortKeys('priority', 'none', tracker))) return priorityGroups(db, f.priorities);
  if (q.group === 'status') return statusGroups(tracker.statuses.map((s) => s.key), f.statuses);
  if (q.group === 'owner' && !f.text && !['priority', 'updated'].includes(q.order)) return ownerGroups(db, viewer, f);
  return undefined;
}

/** Groupings whose values are listed in advance, a task in as many groups as it has values: projects, select and users fields. */
async function listedGroupParts(db: Knex, tracker: Tracker, group: TaskQuery['group']): Promise<GroupPart[] | null> {
  if (group === 'project') return projectGroups(db);
  const field = fieldOfGroup(tracker, group);
  return field ? fieldGroups(db, field) : null;
}

/** The groups of the headers on the page, each with its own condition: an index range. */
function pageGroups(tracker: Tracker, q: TaskQuery, tasks: FoundTask[], projects: GroupPart[] | null): GroupPart[] | null {
  const grouping = q.group;
  if (grouping === 'none') return null;
  const statuses = tracker.statuses.map((s) => s.key);
  const values = new Set(tasks.map((t) => t.keys[0] as number | string));
  return projects ? projects.filter((p) => values.has(p.value)) : [...values].map((v) => groupPart(grouping as 'priority' | 'owner' | 'status', v, statuses));
}

/**
 * The one query engine: web lists, exports and the API all page through it.
 * Paging is by keyset, never OFFSET, so a page stays right while tasks change.
 */
export async function searchTasks(
  db: Knex,
  tracker: Tracker,
  viewer: Actor | null,
  q: TaskQuery,
  cursor: { after?: string; before?: string } = {},
  /** Rows as a list shows them, without descriptions: for pages, not for the API or exports. */
  brief = false,
): Promise<SearchPage> {
  const { text, keys } = prepare(q, tracker);
  if (cursor.after && cursor.before) throw new QueryError('A page link has either "after" or "before", not both.');
  let after: unknown[] | undefined;
  let before: unknown[] | undefined;
  try {
    if (cursor.after) after = decodeCursor(cursor.after, q.order, q.group, keys);
    if (cursor.before) before = decodeCursor(cursor.before, q.order, q.group, keys);
  } catch (err) {
    if (err instanceof CursorError) throw new QueryError(err.message);
    throw err;
  }
  const group = groupKey(q.group, tracker);
  const projects = await listedGroupParts(db, tracker, q.group);
  // Ranking reads every match before the first page is cut, so that one scan counts the groups too.
  const countBy = group && q.order === 'relevance' && !projects ? group : undefined;
  const groups = await groupWalk(db, tracker, viewer, q, projects);
  const page = await findTaskPage(db, { viewer, filter: q.filter, text, keys, limit: q.limit, after, before, countBy, groups, brief });
  const tasks = page.tasks;
  const parts = pageGroups(tracker, q, tasks, projects);
  // Counts ranked with the page need no statement of their own, unless points are summed beside them.
  const wantTotals = parts && (!page.groupCounts || tracker.points.enabled);
  const [totals, owners, tags, fields] = await Promise.all([
    wantTotals ? groupTotals(db, viewer, q.filter, text, parts, GROUP_COUNT_CAP, tracker.points.enabled) : null,
    findUsersByIds(db, tasks.flatMap((t) => (t.ownerId ? [t.ownerId] : []))),
    loadTaskTags(db, tasks.map((t) => t.id)),
    loadListedFields(db, tracker, tasks.map((t) => t.id)),
  ]);
  const groupCounts = page.groupCounts ?? totals?.counts ?? null;
  const groupPoints = totals?.points ?? null;
  const hasNext = before ? true : page.more;
  const hasPrev = before ? page.more : Boolean(after);
  const encode = (t: FoundTask | undefined) => (t ? encodeCursor(q.order, q.group, t.keys) : null);
  return {
    tasks,
    owners,
    tags,
    next: hasNext ? encode(tasks[tasks.length - 1]) : null,
    prev: hasPrev ? encode(tasks[0]) : null,
    groupCounts,
    groupPoints,
    fields,
  };
}

/**
 * The cursor that continues a query's order from one task, as if it ended a page: Phabricator's
 * clients page by the last task's id. Only a task the viewer may see has one (null otherwise, as for
 * one that does not exist), so the order of hidden tasks cannot be probed through it.
 */
export async function cursorAtTask(db: Knex, tracker: Tracker, viewer: Actor | null, q: Pick<TaskQuery, 'filter' | 'order' | 'group'>, taskId: number): Promise<string | null> {
  const { text, keys } = prepare({ ...q, limit: 1 }, tracker);
  const page = await findTaskPage(db, { viewer, filter: { ids: [taskId], ...(text ? { text: q.filter.text } : {}) }, text, keys, limit: 1 });
  const task = page.tasks[0];
  return task ? encodeCursor(q.order, q.group, task.keys) : null;
}

/**
 * Every result of a query, in its order, in batches: for exports and bulk edits. Grouped by project,
 * each task comes once, in the group of its first tag.
 */
export function allTasks(db: Knex, tracker: Tracker, viewer: Actor | null, q: TaskQuery): AsyncGenerator<FoundTask> {
  // A query that cannot run is refused here, before a download has started.
  const { text, keys } = prepare(q, tracker);
  return (async function* () {
    const projects = await listedGroupParts(db, tracker, q.group);
    const groups = await groupWalk(db, tracker, viewer, q, projects);
    const seen = projects ? new Set<number>() : null;
    for await (const task of eachTask(db, { viewer, filter: q.filter, text, keys, groups })) {
      if (seen) {
        if (seen.has(task.id)) continue;
        seen.add(task.id);
      }
      yield task;
    }
  })();
}
