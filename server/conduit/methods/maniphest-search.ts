import type { Knex } from 'knex';
import { z } from 'zod';
import { BUILTIN_QUERIES } from '../../search/builtin';
import { findNamedQuery } from '../../search/saved/queries';
import { MAX_PARAM_LENGTH, parseQueryParams } from '../../search/params';
import { ORDERS, ordersOf, type Order, type TaskFilter } from '../../search/query';
import type { Tracker } from '../../tasks/task';
import { findUsersByIds, findUsersByPhids, findUsersByUsernames } from '../../users/repository';
import type { User } from '../../users/user';
import { ConduitError, callError } from '../errors';
import { defineMethod } from '../method';
import { MAX_LIST_ITEMS } from '../../limits';
import { checkPageSize, cursor, phpMap, int, INT4_MAX, INT4_MIN, intList, isOn, pageSize, text, textList, TOO_MANY_ITEMS } from '../params';
import { findSubscriberPhids, findTaskIdsByPhids } from '../repository';
import { taskFields } from '../shapes';
import { projectFilterFromConstraint } from '../../projects/filter';
import { findProjectPhidsOfTasks } from '../../projects/repository';
import { findTaskPage } from '../task-source';
import { apiFields, fieldConstraintNames, fieldConstraints } from '../custom-fields';
import { loadFieldValues } from '../../fields/repository';
import { fieldUserIds } from '../../fields/show';
import type { FieldValues } from '../../fields/values';

const QUERY_KEYS = BUILTIN_QUERIES.map((q) => q.key);
const ATTACHMENTS = ['subscribers', 'projects'];

const epochParam = int('an epoch timestamp (seconds)', 0, 253402300799);

const relatedIds = intList('task ID', 1, INT4_MAX).pipe(z.array(z.number()).max(100, { error: 'must list at most 100 tasks.' }));

/** true or false, also as the text form fields carry ("true", "1", "false", "0"). */
const flag = z.preprocess(
  (v) => (v === 'true' || v === '1' || v === 1 ? true : v === 'false' || v === '0' || v === 0 ? false : v),
  z.boolean({ error: (iss) => (iss.input === undefined ? 'is required.' : 'must be true or false.') }),
);

const Constraints = z
  .object(
    {
      ids: intList('task ID', 1, INT4_MAX).optional(),
      phids: textList('task PHID').optional(),
      assigned: z
        .array(z.union([z.string(), z.null()]), { error: 'must be a list of user PHIDs, with null for unassigned tasks.' })
        .max(MAX_LIST_ITEMS, { error: TOO_MANY_ITEMS })
        .optional(),
      authorPHIDs: textList('user PHID').optional(),
      statuses: textList('status key').optional(),
      priorities: intList('priority value', INT4_MIN, INT4_MAX).optional(),
      subscribers: textList('user PHID').optional(),
      closerPHIDs: textList('user PHID').optional(),
      projects: textList('project PHID or hashtag').optional(),
      query: text('text to search for')
        .max(MAX_PARAM_LENGTH, { error: `is longer than ${MAX_PARAM_LENGTH.toLocaleString('en-US')} characters, the most a search takes.` })
        .optional(),
      createdStart: epochParam.optional(),
      createdEnd: epochParam.optional(),
      modifiedStart: epochParam.optional(),
      modifiedEnd: epochParam.optional(),
      closedStart: epochParam.optional(),
      closedEnd: epochParam.optional(),
      parentIDs: relatedIds.optional(),
      subtaskIDs: relatedIds.optional(),
      hasParents: flag.optional(),
      hasSubtasks: flag.optional(),
      dueAfter: epochParam.optional(),
      dueBefore: epochParam.optional(),
    },
    { error: 'must be a map of constraints.' },
  )
  // custom.<key> constraints of searchable custom fields, checked against the configuration in the call.
  .catchall(z.unknown());
type Constraints = z.infer<typeof Constraints>;
const CONSTRAINT_NAMES = Object.keys(Constraints.shape);

const Params = z
  .object({
    queryKey: text('a query key').optional(),
    constraints: phpMap(Constraints).optional(),
    attachments: phpMap(z.record(z.string(), z.unknown(), { error: 'must be a map of attachments.' })).optional(),
    order: z.string({ error: 'must be the name of an order, such as "priority".' }).optional(),
    before: cursor.optional(),
    after: cursor.optional(),
    limit: pageSize.optional(),
  })
  .strict();

/**
 * The web's built-in queries and the caller's own saved ones, read the same way: explicit
 * constraints and order override theirs. Someone else's saved query is refused like a key that names
 * none, so keys cannot be probed.
 */
async function namedQuery(db: Knex, tracker: Tracker, viewer: User, key: string, timeZone: string): Promise<{ filter: TaskFilter; order: Order }> {
  const named = await findNamedQuery(db, viewer, key);
  if (!named) {
    throw new ConduitError('ERR-BAD-QUERYKEY', `Query key "${key}" is neither a built-in query of this search (${QUERY_KEYS.join(', ')}) nor one of your saved queries.`);
  }
  const q = await parseQueryParams(db, tracker, viewer, named.params, timeZone);
  return { filter: q.filter, order: q.order };
}

/** People named by PHID or username, as user ids; names that match nobody match no task. */
export async function peopleIds(db: Knex, names: string[]): Promise<number[]> {
  const phids = names.filter((n) => n.startsWith('PHID-'));
  const usernames = names.filter((n) => !n.startsWith('PHID-'));
  const [byPhid, byName] = await Promise.all([findUsersByPhids(db, phids), findUsersByUsernames(db, usernames)]);
  return [...new Set([...byPhid, ...byName].map((u) => u.id))];
}

function statusKeys(values: string[], tracker: Tracker): string[] {
  const keys = new Set<string>();
  for (const v of values) {
    if (v === 'open()') tracker.openStatusKeys.forEach((k) => keys.add(k));
    else if (v === 'closed()') tracker.statuses.filter((s) => s.closed).forEach((s) => keys.add(s.key));
    else if (tracker.status(v)) keys.add(v);
    else {
      throw callError(`Constraint "statuses" names "${v}", which is not a task status. Statuses are: ${tracker.statuses.map((s) => s.key).join(', ')}.`);
    }
  }
  return [...keys];
}

const seconds = (s: number) => new Date(s * 1000);

function dateRange(start: number | undefined, end: number | undefined) {
  if (start === undefined && end === undefined) return undefined;
  // Phabricator's ends are inclusive, to the second.
  return { from: start === undefined ? undefined : seconds(start), to: end === undefined ? undefined : seconds(end + 1) };
}

async function constraintFilter(db: Knex, tracker: Tracker, c: Constraints, base: TaskFilter): Promise<TaskFilter> {
  const f: TaskFilter = { ...base };
  if (c.ids || c.phids) {
    let ids = c.ids ?? null;
    if (c.phids) {
      const byPhid = [...(await findTaskIdsByPhids(db, c.phids)).values()];
      ids = ids ? ids.filter((id) => byPhid.includes(id)) : byPhid;
    }
    f.ids = ids!;
  }
  if (c.assigned) {
    const named = c.assigned.filter((v): v is string => v !== null && v !== 'none()');
    const nobody = c.assigned.some((v) => v === null || v === 'none()');
    f.owners = [...(await peopleIds(db, named)), ...(nobody ? [null] : [])];
  }
  if (c.authorPHIDs) f.authors = await peopleIds(db, c.authorPHIDs);
  if (c.subscribers) f.subscribers = await peopleIds(db, c.subscribers);
  if (c.closerPHIDs) f.closers = await peopleIds(db, c.closerPHIDs);
  if (c.statuses) f.statuses = statusKeys(c.statuses, tracker);
  if (c.priorities) f.priorities = c.priorities;
  if (c.projects) {
    const tags = await projectFilterFromConstraint(db, c.projects);
    if (tags.problem) throw callError(`Constraint "projects": ${tags.problem}`);
    if (tags.filter) f.projects = tags.filter;
  }
  if (c.query !== undefined && c.query.trim()) f.text = c.query.trim();
  const created = dateRange(c.createdStart, c.createdEnd);
  const updated = dateRange(c.modifiedStart, c.modifiedEnd);
  const closed = dateRange(c.closedStart, c.closedEnd);
  if (created) f.created = created;
  if (updated) f.updated = updated;
  if (closed) f.closed = closed;
  if (c.parentIDs) f.parentIds = c.parentIDs;
  if (c.subtaskIDs) f.subtaskIds = c.subtaskIDs;
  if (c.hasParents !== undefined) f.hasOpenParents = c.hasParents;
  if (c.hasSubtasks !== undefined) f.hasOpenSubtasks = c.hasSubtasks;
  if (c.hasParents !== undefined || c.hasSubtasks !== undefined) f.openStatuses = tracker.openStatusKeys;
  const due = dateRange(c.dueAfter, c.dueBefore);
  if (due) f.due = { ...f.due, range: due };
  return f;
}

export const maniphestSearch = defineMethod({
  name: 'maniphest.search',
  summary: 'Find tasks: built-in queries, constraints, orders and pages, with results shaped as Phabricator shapes them.',
  needsToken: true,
  params: Params,
  docs: [
    { name: 'queryKey', type: 'optional string', description: `A built-in query (${QUERY_KEYS.join(', ')}) or the key of one of your saved queries. Constraints and an order given with it override its own.` },
    {
      name: 'constraints',
      type: 'optional map<string, wild>',
      description:
        'ids, phids (tasks); assigned (user PHIDs, null for unassigned); authorPHIDs, subscribers, closerPHIDs (user PHIDs); statuses (status keys); priorities (numbers such as 80); query (full text); createdStart, createdEnd, modifiedStart, modifiedEnd, closedStart, closedEnd (epoch seconds, inclusive); projects (project PHIDs or hashtags: all of them; any(…), not(…), null() for untagged); parentIDs (subtasks of these task IDs), subtaskIDs (parents of these); hasParents, hasSubtasks (true: with an open parent or subtask; false: without); dueAfter, dueBefore (epoch seconds, inclusive: tasks whose due date begins in the range; tasks without one are left out); custom.KEY for each custom field with "search" (text: a string it contains; int: a number or {"min", "max"}; bool: true or false; date: {"after", "before"}; select: option keys; users: user PHIDs).',
    },
    { name: 'attachments', type: 'optional map<string, bool>', description: '{"subscribers": true} adds each task\'s subscriber PHIDs, their count and whether you are one; {"projects": true} its project PHIDs.' },
    { name: 'order', type: 'optional string', description: `${ORDERS.join(', ')}. "priority" if not given; "relevance" needs a query constraint; "points" needs points enabled.` },
    { name: 'before', type: 'optional string', description: 'A cursor from a previous page, or the ID of a task (as Phabricator\'s cursors are): fetch the page before it.' },
    { name: 'after', type: 'optional string', description: 'A cursor from a previous page, or the ID of a task (as Phabricator\'s cursors are): fetch the page after it.' },
    { name: 'limit', type: 'optional int', description: 'Results per page, 1 to 100; 100 if not given.' },
  ],
  example: { queryKey: 'open', constraints: { priorities: [100, 80] }, attachments: { subscribers: true }, limit: 20 },
  claimIssue(issue) {
    const [head] = issue.path;
    if (head === 'constraints' && issue.path.length === 1) {
      if (issue.code === 'unrecognized_keys') {
        return { code: 'ERR-INVALID-CONSTRAINT', message: `Constraint "${issue.keys[0]}" is not a valid constraint for this query. Valid constraints are: ${CONSTRAINT_NAMES.join(', ')}.` };
      }
      if (issue.code === 'invalid_type') return { code: 'ERR-INVALID-CONSTRAINTS-FORMAT', message: 'Parameter "constraints" must be a map of constraint names to values.' };
    }
    if (head === 'attachments' && issue.path.length === 1 && issue.code === 'invalid_type') {
      return { code: 'ERR-INVALID-ATTACHMENTS-FORMAT', message: 'Parameter "attachments" must be a map of attachment names to true, such as {"subscribers": true}.' };
    }
    return undefined;
  },
  async call({ db, tracker, viewer, timeZone }, p) {
    const me = viewer!;
    const queryKey = p.queryKey ?? null;
    const attach = new Set<string>();
    for (const [key, value] of Object.entries(p.attachments ?? {})) {
      if (!ATTACHMENTS.includes(key)) {
        throw new ConduitError('ERR-INVALID-ATTACHMENT', `Attachment "${key}" is not available for this search. Available attachments are: ${ATTACHMENTS.join(', ')}.`);
      }
      if (isOn(value)) attach.add(key);
    }
    const orders = ordersOf(tracker.points.enabled);
    if (p.order === 'points' && !tracker.points.enabled) throw callError('Parameter "order" can not be "points": points are not enabled on this install.');
    if (p.order !== undefined && !(orders as readonly string[]).includes(p.order)) throw callError(`Parameter "order" must be one of: ${orders.join(', ')}.`);
    const limit = checkPageSize(p.limit);
    const customNames = fieldConstraintNames(tracker);
    for (const name of Object.keys(p.constraints ?? {})) {
      if (!CONSTRAINT_NAMES.includes(name) && !customNames.includes(name)) {
        throw new ConduitError('ERR-INVALID-CONSTRAINT', `Constraint "${name}" is not a valid constraint for this query. Valid constraints are: ${[...CONSTRAINT_NAMES, ...customNames].join(', ')}.`);
      }
    }
    const base: { filter: TaskFilter; order?: Order } = queryKey ? await namedQuery(db, tracker, me, queryKey, timeZone) : { filter: {} };
    const filter = await constraintFilter(db, tracker, p.constraints ?? {}, base.filter);
    const custom = await fieldConstraints(db, tracker, p.constraints ?? {});
    if (custom.length) filter.custom = [...(filter.custom ?? []), ...custom];
    const order = (p.order as Order | undefined) ?? base.order ?? 'priority';

    const page = await findTaskPage(db, tracker, me, { filter, order, limit, after: p.after, before: p.before });
    const values = tracker.fields.length ? await loadFieldValues(db, page.tasks.map((t) => t.id)) : new Map<number, FieldValues>();
    const users = await findUsersByIds(db, [...page.tasks.flatMap((t) => [t.authorId, t.ownerId, t.closerId].filter((id): id is number => id !== null)), ...fieldUserIds(values.values())]);
    const phidOf = (id: number | null) => (id === null ? null : (users.get(id)?.phid ?? null));
    const subscribers = attach.has('subscribers') ? await findSubscriberPhids(db, page.tasks.map((t) => t.id)) : null;
    const projects = attach.has('projects') ? await findProjectPhidsOfTasks(db, page.tasks.map((t) => t.id)) : null;
    return {
      data: page.tasks.map((t) => {
        const attachments: Record<string, unknown> = {};
        if (subscribers) {
          const phids = subscribers.get(t.id) ?? [];
          attachments.subscribers = { subscriberPHIDs: phids, subscriberCount: phids.length, viewerIsSubscribed: phids.includes(me.phid) };
        }
        if (projects) attachments.projects = { projectPHIDs: projects.get(t.id) ?? [] };
        return { id: t.id, type: 'TASK', phid: t.phid, fields: { ...taskFields(t, tracker, phidOf), ...apiFields(tracker, values.get(t.id), phidOf) }, attachments };
      }),
      maps: {},
      query: { queryKey },
      cursor: { limit, after: page.after, before: page.before, order: p.order ?? null },
    };
  },
});
