import { z } from 'zod';
import { NotFoundError } from '../../errors';
import type { Knex } from 'knex';
import { eventVisibility, viewTask } from '../../tasks/read';
import type { Actor } from '../../users/roles';
import { timelineUserIds } from '../../tasks/timeline';
import { revisionOf } from '../../tasks/events/comment-revision';
import { findUsersByIds, findUsersByPhids } from '../../users/repository';
import { callError, coreError } from '../errors';
import { resolveTaskIdentifier } from '../identifiers';
import { defineMethod } from '../method';
import { checkPageSize, cursor, idCursors, idPage, phpMap, pageSize, textList } from '../params';
import { findEventPage, type ApiEvent, type EventPageQuery } from '../repository';
import { transactionResult } from '../shapes';
import { summariseCommentRevisions } from '../../tasks/event-repository';

const Params = z
  .object({
    objectIdentifier: z.union([z.string(), z.number()], { error: 'must be a task PHID, a monogram such as "T123" or an ID.' }).optional(),
    constraints: phpMap(
      z.object({ phids: textList('transaction PHID').optional(), authorPHIDs: textList('user PHID').optional() }, { error: 'must be a map of constraints.' }).strict(),
    ).optional(),
    before: cursor.optional(),
    after: cursor.optional(),
    limit: pageSize.optional(),
  })
  .strict();

/** Rows read at a time while looking for a page of events the caller may see. */
const SCAN = 200;

/**
 * A page of events and one more, newest first, as findEventPage gives them,
 * but of events the caller may see only: an event about a task they may not
 * see (a back-link from it) is skipped as if it did not exist, so it neither
 * makes a page short or empty nor becomes a cursor.
 */
async function visibleEventPage(db: Knex, viewer: Actor | null, q: EventPageQuery): Promise<ApiEvent[]> {
  const wanted = q.limit + 1;
  const found: ApiEvent[] = [];
  const backwards = q.before !== undefined;
  let scan = { after: q.after, before: q.before };
  for (;;) {
    const rows = await findEventPage(db, { ...q, ...scan, limit: SCAN });
    const shown = await eventVisibility(db, viewer, rows);
    // A comment's edits are no transactions of their own in Phabricator: they show as the comment's version.
    found.push(...rows.filter((e) => shown(e) && !revisionOf(e)));
    if (rows.length <= SCAN || found.length >= wanted) break;
    // Rows come newest first; the scan goes on beyond the ones furthest from where it started.
    scan = backwards ? { after: undefined, before: rows[0]!.id } : { after: rows[rows.length - 1]!.id, before: undefined };
  }
  found.sort((a, b) => b.id - a.id);
  return backwards ? found.slice(-wanted) : found.slice(0, wanted);
}

export const transactionSearch = defineMethod({
  name: 'transaction.search',
  summary: "A task's transactions (its timeline's events) and comments, newest first.",
  needsToken: true,
  params: Params,
  docs: [
    { name: 'objectIdentifier', type: 'phid|string', description: 'The task: its PHID, its monogram ("T123") or its ID.' },
    { name: 'constraints', type: 'optional map<string, wild>', description: '"phids" (list of transaction PHIDs) and "authorPHIDs" (list of user PHIDs); each must be a non-empty list.' },
    { name: 'before', type: 'optional string', description: 'A cursor from a previous page: fetch the newer transactions before it.' },
    { name: 'after', type: 'optional string', description: 'A cursor from a previous page: fetch the older transactions after it.' },
    { name: 'limit', type: 'optional int', description: 'Results per page, 1 to 100; 100 if not given.' },
  ],
  example: { objectIdentifier: 'T1', limit: 10 },
  claimIssue(issue) {
    if (issue.path[0] === 'constraints' && issue.code === 'unrecognized_keys' && issue.path.length === 1) {
      return { code: 'ERR-CONDUIT-CALL', message: `Constraint "${issue.keys[0]}" is not a valid constraint for transaction.search. Valid constraints are: phids, authorPHIDs.` };
    }
    return undefined;
  },
  async call({ db, tracker, viewer }, p) {
    if (p.objectIdentifier === undefined || p.objectIdentifier === '') {
      throw callError('Calls to "transaction.search" must specify an "objectIdentifier": the task\'s PHID, monogram or ID.');
    }
    const limit = checkPageSize(p.limit);
    const cursors = idCursors(p.after, p.before);
    const c = p.constraints ?? {};
    for (const key of ['phids', 'authorPHIDs'] as const) {
      if (c[key] && c[key].length === 0) {
        throw callError(`Constraint "${key}" to "transaction.search" requires a nonempty list, empty list provided.`);
      }
    }
    const notFound = `In call to "transaction.search", specified "objectIdentifier" ("${p.objectIdentifier}") does not exist.`;
    const ident = await resolveTaskIdentifier(db, p.objectIdentifier);
    if (ident.id === null) throw coreError(notFound);
    let task;
    try {
      task = await viewTask(db, viewer, ident.id);
    } catch (err) {
      if (err instanceof NotFoundError) throw coreError(notFound);
      throw err;
    }
    const actorIds = c.authorPHIDs ? (await findUsersByPhids(db, c.authorPHIDs)).map((u) => u.id) : undefined;
    const rows = await visibleEventPage(db, viewer, { taskId: task.id, limit, phids: c.phids, actorIds, ...cursors });
    const { page: shown, after, before } = idPage(rows, limit, cursors);
    const [users, revised] = await Promise.all([
      findUsersByIds(db, timelineUserIds(shown)),
      shown.some((e) => e.type === 'comment') ? summariseCommentRevisions(db, task.id) : new Map(),
    ]);
    const phidOf = (id: number | null) => (id === null ? null : (users.get(id)?.phid ?? null));
    return {
      data: shown.map((e) => transactionResult(e, task, tracker, phidOf, revised)),
      cursor: { limit, after, before },
    };
  },
});
