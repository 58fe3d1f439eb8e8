import { z } from 'zod';
import { searchUsers } from '../../users/repository';
import { ConduitError } from '../errors';
import { defineMethod } from '../method';
import { checkPageSize, cursor, idCursors, idPage, INT4_MAX, phpMap, intList, isOn, pageSize, text, textList } from '../params';
import { userResult } from '../shapes';

const QUERY_KEYS = ['all', 'active'] as const;
const CONSTRAINTS = ['ids', 'phids', 'usernames'];

const Params = z
  .object({
    queryKey: text('a query key').optional(),
    constraints: phpMap(
      z.object({ ids: intList('user ID', 1, INT4_MAX).optional(), phids: textList('user PHID').optional(), usernames: textList('username').optional() }, { error: 'must be a map of constraints.' }).strict(),
    ).optional(),
    attachments: phpMap(z.record(z.string(), z.unknown(), { error: 'must be a map of attachments.' })).optional(),
    order: z.literal('newest', { error: 'must be "newest", the only order of this search.' }).optional(),
    before: cursor.optional(),
    after: cursor.optional(),
    limit: pageSize.optional(),
  })
  .strict();

export const userSearch = defineMethod({
  name: 'user.search',
  summary: 'Find people by username or PHID, newest accounts first.',
  needsToken: true,
  params: Params,
  docs: [
    { name: 'queryKey', type: 'optional string', description: 'A built-in query: "all" (the default) or "active" (accounts that are not disabled).' },
    { name: 'constraints', type: 'optional map<string, wild>', description: 'Any of "usernames" (list of usernames), "phids" (list of user PHIDs) and "ids" (list of user IDs).' },
    { name: 'attachments', type: 'optional map<string, bool>', description: 'People have no attachments.' },
    { name: 'order', type: 'optional string', description: '"newest", the default and only order.' },
    { name: 'before', type: 'optional string', description: 'A cursor from a previous page: fetch the page before it.' },
    { name: 'after', type: 'optional string', description: 'A cursor from a previous page: fetch the page after it.' },
    { name: 'limit', type: 'optional int', description: 'Results per page, 1 to 100; 100 if not given.' },
  ],
  example: { constraints: { usernames: ['alice'] } },
  claimIssue(issue) {
    if (issue.path[0] !== 'constraints') return undefined;
    if (issue.code === 'unrecognized_keys' && issue.path.length === 1) {
      return { code: 'ERR-INVALID-CONSTRAINT', message: `Constraint "${issue.keys[0]}" is not a valid constraint for this query. Valid constraints are: ${CONSTRAINTS.join(', ')}.` };
    }
    if (issue.code === 'invalid_type' && issue.path.length === 1) {
      return { code: 'ERR-INVALID-CONSTRAINTS-FORMAT', message: 'Parameter "constraints" must be a map of constraint names to values.' };
    }
    return undefined;
  },
  async call({ db }, p) {
    const queryKey = p.queryKey ?? null;
    if (queryKey !== null && !(QUERY_KEYS as readonly string[]).includes(queryKey)) {
      throw new ConduitError('ERR-BAD-QUERYKEY', `Query key "${queryKey}" is not a built-in query of this search. Use one of: ${QUERY_KEYS.join(', ')}.`);
    }
    for (const [key, value] of Object.entries(p.attachments ?? {})) {
      if (isOn(value)) throw new ConduitError('ERR-INVALID-ATTACHMENT', `Attachment "${key}" is not available for this search: people have no attachments.`);
    }
    const limit = checkPageSize(p.limit);
    const cursors = idCursors(p.after, p.before);
    const c = p.constraints ?? {};
    const rows = await searchUsers(db, { ids: c.ids, phids: c.phids, usernames: c.usernames, active: queryKey === 'active' || undefined, limit, ...cursors });
    const { page, after, before } = idPage(rows, limit, cursors);
    return {
      data: page.map(userResult),
      maps: {},
      query: { queryKey },
      cursor: { limit, after, before, order: p.order ?? null },
    };
  },
});
