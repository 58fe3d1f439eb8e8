import { z } from 'zod';
import { projectFilterFromConstraint } from '../../projects/filter';
import { searchTasks } from '../../search/engine';
import type { Order, TaskFilter } from '../../search/query';
import type { Tracker } from '../../tasks/task';
import { callError } from '../errors';
import { legacyTasks } from '../legacy-task';
import { defineMethod } from '../method';
import { INT4_MAX, int, intList, text, textList } from '../params';
import { findTaskIdsByPhids } from '../repository';
import { peopleIds } from './maniphest-search';

const STATUSES = ['status-any', 'status-open', 'status-closed', 'status-resolved', 'status-wontfix', 'status-invalid', 'status-spite', 'status-duplicate'] as const;
const ORDERS: Record<string, Order> = { 'order-priority': 'priority', 'order-created': 'newest', 'order-modified': 'updated' };
const MAX_LIMIT = 1000;
const MAX_OFFSET = 10000;

const Params = z
  .object({
    ids: intList('task ID', 1, INT4_MAX).optional(),
    phids: textList('task PHID').optional(),
    ownerPHIDs: textList('user PHID').optional(),
    authorPHIDs: textList('user PHID').optional(),
    projectPHIDs: textList('project PHID').optional(),
    ccPHIDs: textList('user PHID').optional(),
    fullText: text('a string').max(1000, { error: 'is longer than 1,000 characters, the most a search takes.' }).optional(),
    status: z.enum(STATUSES, { error: `must be one of: ${STATUSES.join(', ')}.` }).optional(),
    order: z.enum(Object.keys(ORDERS) as [string, ...string[]], { error: `must be one of: ${Object.keys(ORDERS).join(', ')}.` }).optional(),
    limit: int(`an integer from 1 to ${MAX_LIMIT}`, 1, MAX_LIMIT).optional(),
    offset: int(`an integer from 0 to ${MAX_OFFSET.toLocaleString('en-US')}`, 0, MAX_OFFSET).optional(),
  })
  .strict();

/** Phabricator's status constants: the open or closed ones, or one status by its key (none, when this install has no such status). */
function statusKeys(status: (typeof STATUSES)[number], tracker: Tracker): string[] | undefined {
  if (status === 'status-any') return undefined;
  if (status === 'status-open') return tracker.openStatusKeys;
  if (status === 'status-closed') return tracker.statuses.filter((s) => s.closed).map((s) => s.key);
  const key = status.slice('status-'.length);
  return tracker.status(key) ? [key] : [];
}

export const maniphestQuery = defineMethod({
  name: 'maniphest.query',
  summary: "Find tasks, in the shape of Phabricator's older method: a map from task PHID to the task as maniphest.info gives it (maniphest.search is the newer way).",
  needsToken: true,
  params: Params,
  docs: [
    { name: 'ids', type: 'optional list<uint>', description: 'Task IDs.' },
    { name: 'phids', type: 'optional list<phid>', description: 'Task PHIDs.' },
    { name: 'ownerPHIDs', type: 'optional list<phid>', description: 'Owned by any of these users.' },
    { name: 'authorPHIDs', type: 'optional list<phid>', description: 'Filed by any of these users.' },
    { name: 'projectPHIDs', type: 'optional list<phid>', description: 'Tagged with all of these projects.' },
    { name: 'ccPHIDs', type: 'optional list<phid>', description: 'Subscribed to by any of these users.' },
    { name: 'fullText', type: 'optional string', description: 'Words to search for.' },
    { name: 'status', type: 'optional string', description: `${STATUSES.join(', ')}; status-any if not given.` },
    { name: 'order', type: 'optional string', description: 'order-priority (the default), order-created (newest first) or order-modified (most recently updated first).' },
    { name: 'limit', type: 'optional int', description: `Tasks to return, 1 to ${MAX_LIMIT}; 100 if not given.` },
    { name: 'offset', type: 'optional int', description: `Tasks to skip first, at most ${MAX_OFFSET.toLocaleString('en-US')}.` },
  ],
  example: { status: 'status-open', order: 'order-priority', limit: 10 },
  async call({ db, tracker, viewer, baseUrl }, p) {
    const f: TaskFilter = {};
    if (p.ids || p.phids) {
      let ids = p.ids ?? null;
      if (p.phids) {
        const byPhid = [...(await findTaskIdsByPhids(db, p.phids)).values()];
        ids = ids ? ids.filter((id) => byPhid.includes(id)) : byPhid;
      }
      f.ids = ids!;
    }
    if (p.ownerPHIDs) f.owners = await peopleIds(db, p.ownerPHIDs);
    if (p.authorPHIDs) f.authors = await peopleIds(db, p.authorPHIDs);
    if (p.ccPHIDs) f.subscribers = await peopleIds(db, p.ccPHIDs);
    if (p.projectPHIDs?.length) {
      const tags = await projectFilterFromConstraint(db, p.projectPHIDs);
      if (tags.problem) throw callError(`Parameter "projectPHIDs": ${tags.problem}`);
      if (tags.filter) f.projects = tags.filter;
    }
    if (p.fullText?.trim()) f.text = p.fullText.trim();
    const statuses = p.status ? statusKeys(p.status, tracker) : undefined;
    if (statuses) f.statuses = statuses;
    const limit = p.limit ?? 100;
    const offset = p.offset ?? 0;
    // Trellis pages by keyset, never by offset: the skipped tasks are read and dropped, which the offset cap keeps cheap.
    const page = await searchTasks(db, tracker, viewer, { filter: f, order: ORDERS[p.order ?? 'order-priority']!, group: 'none', limit: offset + limit });
    const tasks = await legacyTasks(db, tracker, viewer!, page.tasks.slice(offset), baseUrl);
    return Object.fromEntries(tasks.map((t) => [t.phid, t]));
  },
});
