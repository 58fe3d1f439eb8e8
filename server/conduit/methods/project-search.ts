import { z } from 'zod';
import type { Knex } from 'knex';
import { ICON_NAMES, type Project } from '../../projects/project';
import { findPeople, findProjectsByIds, listProjects, findProjectsByHashtags } from '../../projects/repository';
import { findUsersByIds, findUsersByPhids } from '../../users/repository';
import { ConduitError, callError } from '../errors';
import { defineMethod } from '../method';
import { checkPageSize, cursor, INT4_MAX, intList, isOn, pageSize, phpMap, text, textList } from '../params';
import { epoch } from '../shapes';

const ATTACHMENTS = ['members', 'watchers'];
const Constraints = z
  .object(
    {
      ids: intList('project ID', 1, INT4_MAX).optional(),
      phids: textList('project PHID').optional(),
      slugs: textList('hashtag').optional(),
      query: text('text to search for').optional(),
      members: textList('user PHID').optional(),
      isMilestone: z.boolean({ error: 'must be true or false.' }).optional(),
      parents: textList('project PHID').optional(),
    },
    { error: 'must be a map of constraints.' },
  )
  .strict();
const CONSTRAINT_NAMES = Object.keys(Constraints.shape);

const Params = z
  .object({
    queryKey: text('a query key').optional(),
    constraints: phpMap(Constraints).optional(),
    attachments: phpMap(z.record(z.string(), z.unknown(), { error: 'must be a map of attachments.' })).optional(),
    order: z.literal('oldest', { error: 'must be "oldest", the only order of this search.' }).optional(),
    after: cursor.optional(),
    limit: pageSize.optional(),
  })
  .strict();

/** A project in Phabricator's shape. */
export function projectResult(p: Project, parent: Project | undefined) {
  return {
    id: p.id,
    type: 'PROJ',
    phid: p.phid,
    fields: {
      name: p.name,
      slug: p.hashtags[0] ?? null,
      milestone: p.milestoneNumber,
      depth: p.parentId === null ? 0 : 1,
      parent: parent ? { id: parent.id, phid: parent.phid, name: parent.name } : null,
      icon: { key: p.icon, name: ICON_NAMES[p.icon], icon: `fa-${p.icon}` },
      color: { key: p.color },
      status: p.closedAt === null ? 'active' : 'archived',
      description: p.description,
      dateCreated: epoch(p.createdAt),
      dateModified: epoch(p.updatedAt),
      policy: { view: 'users', edit: 'members', join: 'users' },
    },
    attachments: {} as Record<string, unknown>,
  };
}

async function idsFromConstraints(db: Knex, c: z.infer<typeof Constraints>) {
  const byTag = c.slugs ? [...(await findProjectsByHashtags(db, c.slugs.map((s) => s.replace(/^#/, '').toLowerCase()))).values()].map((p) => p.id) : undefined;
  const members = c.members ? (await findUsersByPhids(db, c.members)).map((u) => u.id) : undefined;
  return { byTag, members };
}

export const projectSearch = defineMethod({
  name: 'project.search',
  summary: 'Find projects (tags) and milestones, oldest first, with their members and watchers.',
  needsToken: true,
  params: Params,
  docs: [
    { name: 'queryKey', type: 'optional string', description: '"active" (the default: open projects) or "all".' },
    { name: 'constraints', type: 'optional map<string, wild>', description: 'ids, phids, slugs (hashtags), query (name or hashtag words), members (user PHIDs), isMilestone, parents (project PHIDs).' },
    { name: 'attachments', type: 'optional map<string, bool>', description: '{"members": true} and {"watchers": true} add their user PHIDs.' },
    { name: 'order', type: 'optional string', description: '"oldest", the only order.' },
    { name: 'after', type: 'optional string', description: 'A cursor from a previous page: fetch the page after it.' },
    { name: 'limit', type: 'optional int', description: 'Results per page, 1 to 100; 100 if not given.' },
  ],
  example: { constraints: { slugs: ['backend'] }, attachments: { members: true } },
  claimIssue(issue) {
    if (issue.path[0] === 'constraints' && issue.path.length === 1 && issue.code === 'unrecognized_keys') {
      return { code: 'ERR-INVALID-CONSTRAINT', message: `Constraint "${issue.keys[0]}" is not a valid constraint for this query. Valid constraints are: ${CONSTRAINT_NAMES.join(', ')}.` };
    }
    return undefined;
  },
  async call({ db }, p) {
    const queryKey = p.queryKey ?? 'active';
    if (!['active', 'all'].includes(queryKey)) throw new ConduitError('ERR-BAD-QUERYKEY', `Query key "${queryKey}" is not a built-in query of this search. Use one of: active, all.`);
    const attach = new Set<string>();
    for (const [key, value] of Object.entries(p.attachments ?? {})) {
      if (!ATTACHMENTS.includes(key)) throw new ConduitError('ERR-INVALID-ATTACHMENT', `Attachment "${key}" is not available for this search. Available attachments are: ${ATTACHMENTS.join(', ')}.`);
      if (isOn(value)) attach.add(key);
    }
    const limit = checkPageSize(p.limit);
    const after = p.after === undefined ? undefined : /^[0-9]{1,10}$/.test(p.after) ? Number(p.after) : NaN;
    if (Number.isNaN(after)) throw callError('Parameter "after" is not a cursor of this search.');
    const c = p.constraints ?? {};
    const { byTag, members } = await idsFromConstraints(db, c);
    let ids = c.ids;
    if (byTag) ids = ids ? ids.filter((id) => byTag.includes(id)) : byTag;
    const parents = c.parents ? (await listProjects(db, { phids: c.parents, closed: true, limit: 1000 })).map((x) => x.id) : undefined;
    const rows = (
      await listProjects(db, { ids, phids: c.phids, text: c.query, closed: queryKey === 'all', memberIds: members, parentIds: parents, afterId: after, limit: limit + 1 })
    ).filter((x) => c.isMilestone === undefined || (x.parentId !== null) === c.isMilestone);
    const page = rows.slice(0, limit);
    const parentRows = new Map((await findProjectsByIds(db, page.flatMap((x) => (x.parentId ? [x.parentId] : [])))).map((x) => [x.id, x]));
    const data = page.map((x) => projectResult(x, x.parentId ? parentRows.get(x.parentId) : undefined));
    for (const kind of ['members', 'watchers'] as const) {
      if (!attach.has(kind)) continue;
      const lists = await Promise.all(page.map((x) => findPeople(db, kind === 'members' ? 'project_members' : 'project_watchers', kind === 'members' ? (x.parentId ?? x.id) : x.id)));
      const users = await findUsersByIds(db, lists.flat());
      data.forEach((d, i) => (d.attachments[kind] = { [kind]: lists[i]!.map((id) => ({ phid: users.get(id)?.phid ?? null })) }));
    }
    return { data, maps: {}, query: { queryKey }, cursor: { limit, after: rows.length > limit ? String(page[page.length - 1]!.id) : null, before: null, order: p.order ?? null } };
  },
});
