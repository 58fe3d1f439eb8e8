import type { Knex } from 'knex';
import { z } from 'zod';
import { withoutNul } from '../db/text';
import { ValidationError } from '../errors';
import type { Tracker } from '../tasks/task';
import { fieldOfGroup, groupableFields } from '../fields/groups';
import { parseFieldParams } from '../fields/params';
import { parseProjectFilter } from '../projects/filter';
import { findUsersByUsernames } from '../users/repository';
import type { Actor } from '../users/roles';
import { dayRange } from './days';
import { dueFilter, takeDueTerms } from './due';
import { pointsRange, POINTS_OFF } from './points';
import { DEFAULT_LIMIT, GROUPS, MAX_LIMIT, ordersOf, type TaskFilter, type TaskQuery } from './query';

/**
 * The filter form's fields, as they appear in a shareable URL. People are
 * comma-separated usernames ("me" is the viewer, "nobody" no owner); statuses
 * are keys plus "any-open" and "any-closed"; priorities are keywords.
 */
/** The longest value of one search parameter, the full-text query included. */
export const MAX_PARAM_LENGTH = 1000;
const text = z.string({ error: 'Send this field once.' }).max(MAX_PARAM_LENGTH, 'This is too long.').optional();
export const QueryParams = z.object({
  text,
  assigned: text,
  authors: text,
  subscribers: text,
  closers: text,
  projects: text,
  statuses: text,
  priorities: text,
  createdStart: text,
  createdEnd: text,
  updatedStart: text,
  updatedEnd: text,
  closedStart: text,
  closedEnd: text,
  parents: text,
  subtasks: text,
  hasParents: text,
  hasSubtasks: text,
  pointsMin: text,
  pointsMax: text,
  due: text,
  dueStart: text,
  dueEnd: text,
  order: text,
  group: text,
  limit: text,
})
  // Custom fields' conditions, named custom.KEY (fields/params.ts); others are left out.
  .catchall(text);
export type QueryParams = z.infer<typeof QueryParams>;

export const PARAM_NAMES = Object.keys(QueryParams.shape) as (keyof typeof QueryParams.shape)[];

/** The list-valued parameters, which may repeat (checkboxes do) and join with commas; the others are sent once. */
export const LIST_PARAMS: ReadonlySet<keyof QueryParams> = new Set(['assigned', 'authors', 'subscribers', 'closers', 'projects', 'statuses', 'priorities']);

/** A list typed into one box: names or keywords separated by commas and spaces, as the filter and bulk forms take them. */
export const splitList = (v: string | undefined): string[] => (v ?? '').split(/[\s,]+/).filter(Boolean);

/** The most tasks a parents or subtasks filter may name. */
const MAX_RELATED_IDS = 100;

/** Task numbers, "T12" or "12", comma-separated. */
function taskIds(v: string | undefined, field: string, problems: Record<string, string>): number[] | undefined {
  const given = splitList(v);
  if (!given.length) return undefined;
  if (given.length > MAX_RELATED_IDS) problems[field] = `Name at most ${MAX_RELATED_IDS} tasks.`;
  const ids: number[] = [];
  for (const item of given) {
    const m = /^[Tt]?([1-9][0-9]{0,9})$/.exec(item);
    if (m && Number(m[1]) <= 2147483647) ids.push(Number(m[1]));
    else problems[field] = `"${item}" is not a task: use T-numbers such as T12.`;
  }
  return ids;
}

/** "yes" or "no"; empty (or "any") is no condition. */
function yesNo(v: string | undefined, field: string, problems: Record<string, string>): boolean | undefined {
  const value = v?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'any') return undefined;
  if (value === 'yes' || value === 'no') return value === 'yes';
  problems[field] = `"${v}" is not a choice here: use yes, no or any.`;
  return undefined;
}

/**
 * Turns form parameters into a query, resolving usernames in one query; every problem is reported at once.
 * Dates are days in `timeZone`, the install's.
 */
export async function parseQueryParams(db: Knex, tracker: Tracker, viewer: Actor | null, raw: unknown, timeZone: string): Promise<TaskQuery> {
  const parsed = QueryParams.safeParse(withoutNul(raw ?? {}));
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
    throw new ValidationError(fields, 400, 'bad-query');
  }
  const problems: Record<string, string> = {};
  const p = { ...parsed.data, ...takeDueTerms(parsed.data, problems) };

  const people = { assigned: splitList(p.assigned), authors: splitList(p.authors), subscribers: splitList(p.subscribers), closers: splitList(p.closers) };
  const names = Object.values(people)
    .flat()
    .filter((n) => n !== 'me' && n !== 'nobody');
  const found = new Map((await findUsersByUsernames(db, names)).map((u) => [u.username.toLowerCase(), u.id]));
  const resolve = (field: keyof typeof people, allowNobody: boolean): (number | null)[] | undefined => {
    const given = people[field];
    if (!given.length) return undefined;
    const ids: (number | null)[] = [];
    for (const name of given) {
      if (name === 'me') {
        if (viewer) ids.push(viewer.id);
        else problems[field] = 'Log in to search for your own tasks ("me").';
      } else if (name === 'nobody' && allowNobody) ids.push(null);
      else if (found.has(name.toLowerCase())) ids.push(found.get(name.toLowerCase())!);
      // A visitor may not learn which usernames exist: to them an unknown name is one that matches no task.
      else if (viewer) problems[field] = `There is no user named "${name}".`;
    }
    return ids;
  };

  const filter: TaskFilter = {};
  if (p.text?.trim()) filter.text = p.text.trim();
  filter.owners = resolve('assigned', true);
  filter.authors = resolve('authors', false) as number[] | undefined;
  filter.subscribers = resolve('subscribers', false) as number[] | undefined;
  filter.closers = resolve('closers', false) as number[] | undefined;

  if (p.projects?.trim()) {
    const tags = await parseProjectFilter(db, p.projects);
    if (tags.problem) problems.projects = tags.problem;
    else if (tags.filter) filter.projects = tags.filter;
  }
  const statuses = splitList(p.statuses);
  if (statuses.length) {
    const keys = new Set<string>();
    for (const s of statuses) {
      if (s === 'any-open') tracker.statuses.filter((x) => !x.closed).forEach((x) => keys.add(x.key));
      else if (s === 'any-closed') tracker.statuses.filter((x) => x.closed).forEach((x) => keys.add(x.key));
      else if (tracker.status(s)) keys.add(s);
      else problems.statuses = `"${s}" is not a status. Use ${tracker.statuses.map((x) => x.key).join(', ')}, any-open or any-closed.`;
    }
    filter.statuses = [...keys];
  }
  const priorities = splitList(p.priorities);
  if (priorities.length) {
    filter.priorities = [];
    for (const k of priorities) {
      const found = tracker.priorityByKey(k.toLowerCase());
      if (found) filter.priorities.push(found.value);
      else problems.priorities = `"${k}" is not a priority. Use ${tracker.priorities.map((x) => x.keyword).join(', ')}.`;
    }
  }
  filter.created = dayRange(p.createdStart, p.createdEnd, 'created', timeZone, problems);
  filter.updated = dayRange(p.updatedStart, p.updatedEnd, 'updated', timeZone, problems);
  filter.closed = dayRange(p.closedStart, p.closedEnd, 'closed', timeZone, problems);
  filter.parentIds = taskIds(p.parents, 'parents', problems);
  filter.subtaskIds = taskIds(p.subtasks, 'subtasks', problems);
  filter.hasOpenParents = yesNo(p.hasParents, 'hasParents', problems);
  filter.hasOpenSubtasks = yesNo(p.hasSubtasks, 'hasSubtasks', problems);
  if (filter.hasOpenParents !== undefined || filter.hasOpenSubtasks !== undefined) filter.openStatuses = tracker.openStatusKeys;
  filter.due = dueFilter(p, tracker, new Date(), timeZone, problems);

  filter.points = pointsRange(p.pointsMin, p.pointsMax, tracker, problems);
  const custom = await parseFieldParams(db, tracker, viewer, p, problems);
  if (custom.length) filter.custom = custom;

  const order = p.order?.trim() || (filter.text ? 'relevance' : 'priority');
  const orders = ordersOf(tracker.points.enabled);
  if (order === 'points' && !tracker.points.enabled) problems.order = POINTS_OFF;
  else if (!(orders as readonly string[]).includes(order)) problems.order = `"${order}" is not an order. Use ${orders.join(', ')}.`;
  const group = p.group?.trim() || 'priority';
  if (!(GROUPS as readonly string[]).includes(group) && !fieldOfGroup(tracker, group)) {
    problems.group = `"${group}" is not a grouping. Use ${[...GROUPS, ...groupableFields(tracker).map((f) => `custom.${f.key}`)].join(', ')}.`;
  }
  let limit = DEFAULT_LIMIT;
  if (p.limit?.trim()) {
    limit = /^[0-9]{1,7}$/.test(p.limit.trim()) ? Number(p.limit.trim()) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) problems.limit = `The page size must be a number from 1 to ${MAX_LIMIT}.`;
  }
  if (Object.keys(problems).length) throw new ValidationError(problems, 400, 'bad-query');

  for (const key of Object.keys(filter) as (keyof TaskFilter)[]) if (filter[key] === undefined) delete filter[key];
  return { filter, order: order as TaskQuery['order'], group: group as TaskQuery['group'], limit };
}
