import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { Tracker } from '../tasks/task';
import type { ProjectTag } from '../projects/project';
import { projectTags } from '../projects/tag-cache';
import type { Actor } from '../users/roles';
import { CursorError, decodeCursor, encodeCursor, groupKey, sortKeys, type SortKey } from './keyset';
import type { TaskQuery } from './query';
import { listedGroups, ownerGroups, priorityGroups, projectGroups, statusGroups, type GroupPart, type GroupWalk } from './groups';
import type { ListedFields } from '../fields/read';
import { fieldGroups, fieldOfGroup } from '../fields/groups';
import type { ListedTask } from './list-rows';
import { eachTask, findListPage, findTaskPage, type FoundTask } from './repository';
import { parseSearchText, type ParsedText } from './text';

/** A group header counts up to this many results, then says "10,000+": counting further would cost more than the page. */
export const GROUP_COUNT_CAP = 10000;

/** A page of whole tasks, for the API and the pages that list a few. */
export interface TaskResults {
  tasks: FoundTask[];
  next: string | null;
  prev: string | null;
}

/** A page of a list, with what its rows show. */
export interface SearchPage {
  tasks: ListedTask[];
  /** Owners of the tasks on the page. */
  owners: Map<number, { id: number; username: string; realname: string }>;
  /** Tags of the tasks on the page. */
  tags: Map<number, ProjectTag[]>;
  /** The tasks on the page that have subtasks the viewer may see. */
  withSubtasks: Set<number>;
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

/** The query's text and keys, and the cursor's key values. */
function start(q: TaskQuery, tracker: Tracker, cursor: { after?: string; before?: string }) {
  const { text, keys } = prepare(q, tracker);
  if (cursor.after && cursor.before) throw new QueryError('A page link has either "after" or "before", not both.');
  try {
    const after = cursor.after ? decodeCursor(cursor.after, q.order, q.group, keys) : undefined;
    const before = cursor.before ? decodeCursor(cursor.before, q.order, q.group, keys) : undefined;
    return { text, keys, after, before };
  } catch (err) {
    if (err instanceof CursorError) throw new QueryError(err.message);
    throw err;
  }
}

/** Links to the pages beside one: a page read backwards always has a next one. */
function links(q: TaskQuery, page: { more: boolean; tasks: { keys: unknown[] }[] }, after: unknown[] | undefined, before: unknown[] | undefined) {
  const hasNext = before ? true : page.more;
  const hasPrev = before ? page.more : Boolean(after);
  const encode = (t: { keys: unknown[] } | undefined) => (t ? encodeCursor(q.order, q.group, t.keys) : null);
  return { next: hasNext ? encode(page.tasks[page.tasks.length - 1]) : null, prev: hasPrev ? encode(page.tasks[0]) : null };
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

/**
 * The one query engine: web lists, exports and the API all page through it.
 * Paging is by keyset, never OFFSET, so a page stays right while tasks change.
 */
export async function searchTasks(db: Knex, tracker: Tracker, viewer: Actor | null, q: TaskQuery, cursor: { after?: string; before?: string } = {}): Promise<TaskResults> {
  const { text, keys, after, before } = start(q, tracker, cursor);
  const projects = await listedGroupParts(db, tracker, q.group);
  const group = groupKey(q.group, tracker);
  const countBy = group && q.order === 'relevance' && !projects ? group : undefined;
  const groups = await groupWalk(db, tracker, viewer, q, projects);
  const page = await findTaskPage(db, { viewer, filter: q.filter, text, keys, limit: q.limit, after, before, countBy, groups });
  return { tasks: page.tasks, ...links(q, page, after, before) };
}

/**
 * A page of a list as the web shows it: each row with its owner, tags, listed fields and subtasks marker,
 * and each group on the page with its totals, read by the page's own statement.
 */
export async function listTasks(db: Knex, tracker: Tracker, viewer: Actor | null, q: TaskQuery, cursor: { after?: string; before?: string } = {}): Promise<SearchPage> {
  const { text, keys, after, before } = start(q, tracker, cursor);
  const group = groupKey(q.group, tracker);
  const projects = await listedGroupParts(db, tracker, q.group);
  // Ranking reads every match before the first page is cut, so that one scan counts the groups too.
  const countBy = group && q.order === 'relevance' && !projects ? group : undefined;
  const groups = await groupWalk(db, tracker, viewer, q, projects);
  const points = tracker.points.enabled;
  // Counts ranked with the page need no reading of their own, unless points are summed beside them.
  const totals = group && (!countBy || points) ? { cap: GROUP_COUNT_CAP, points } : undefined;
  const fieldKeys = tracker.fields.filter((f) => f.list).map((f) => f.key);
  const page = await findListPage(db, { viewer, filter: q.filter, text, keys, limit: q.limit, after, before, countBy, groups, fieldKeys, ...(totals ? { totals } : {}) });
  const owners: SearchPage['owners'] = new Map();
  const tags: SearchPage['tags'] = new Map();
  const values: ListedFields['values'] = new Map();
  const names = new Map<number, string>();
  const withSubtasks = new Set<number>();
  const counts = new Map<unknown, number>();
  const sums = new Map<unknown, number>();
  const tagIds = page.extras.flatMap((x) => x.tagIds);
  const tagged = page.tagsVersion !== null && tagIds.length ? await projectTags(db, page.tagsVersion, tagIds) : new Map<number, ProjectTag>();
  page.tasks.forEach((t, i) => {
    const x = page.extras[i]!;
    if (x.owner) owners.set(x.owner.id, x.owner);
    const rowTags = x.tagIds.flatMap((id) => tagged.get(id) ?? []);
    if (rowTags.length) tags.set(t.id, rowTags);
    if (x.fields) values.set(t.id, x.fields);
    for (const [id, name] of x.fieldUsers) names.set(id, name);
    if (x.hasSubtasks) withSubtasks.add(t.id);
    if (x.totals) {
      counts.set(t.keys[0], x.totals.count);
      sums.set(t.keys[0], x.totals.points);
    }
  });
  return {
    tasks: page.tasks,
    owners,
    tags,
    withSubtasks,
    ...links(q, page, after, before),
    groupCounts: page.groupCounts ?? (totals ? counts : null),
    groupPoints: totals?.points ? sums : null,
    fields: { values, userName: (id) => names.get(id) ?? 'unknown user' },
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
