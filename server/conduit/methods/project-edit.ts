import type { Knex } from 'knex';
import { z } from 'zod';
import { createMilestone, createProject, setProjectClosed, updateProject } from '../../projects/edit';
import { ProjectInput, type Project } from '../../projects/project';
import { findPeople, findProjectsByIds, findProjectsByPhids, findProjectsByHashtags } from '../../projects/repository';
import { findUsersByIds, findUsersByPhids } from '../../users/repository';
import { callError, coreError } from '../errors';
import { defineMethod } from '../method';

const TYPES = ['name', 'slugs', 'description', 'color', 'icon', 'members.add', 'members.remove', 'members.set', 'watchers.add', 'watchers.remove', 'watchers.set', 'milestone', 'status'] as const;
type EditType = (typeof TYPES)[number];

const Params = z
  .object({
    objectIdentifier: z.union([z.string(), z.number(), z.null()], { error: 'must be a project PHID, ID or hashtag.' }).optional(),
    transactions: z.unknown().optional(),
  })
  .strict();

function transactions(input: unknown): { type: EditType; value: unknown; key: string }[] {
  if (input === null || typeof input !== 'object') throw callError('Parameter "transactions" is not a list of transactions.');
  const entries = Array.isArray(input) ? input.map((x, i) => [String(i), x] as const) : Object.entries(input as Record<string, unknown>);
  return entries.map(([key, x]) => {
    const item = x as Record<string, unknown> | null;
    if (!item || typeof item !== 'object' || !('type' in item) || !('value' in item)) throw callError(`Transaction with key "${key}" must be a dictionary with "type" and "value".`);
    if (typeof item.type !== 'string' || !(TYPES as readonly string[]).includes(item.type)) {
      throw callError(`Transaction with key "${key}" has invalid type "${String(item.type)}". Valid types are: ${TYPES.join(', ')}.`);
    }
    return { type: item.type as EditType, value: item.value, key };
  });
}

async function findTarget(db: Knex, ident: string | number): Promise<Project> {
  const s = String(ident).trim();
  const [found] = s.startsWith('PHID-')
    ? await findProjectsByPhids(db, [s])
    : /^[0-9]+$/.test(s)
      ? await findProjectsByIds(db, [Number(s)])
      : [...(await findProjectsByHashtags(db, [s.replace(/^#/, '').toLowerCase()])).values()];
  if (!found) throw coreError(`Project "${s}" does not exist.`);
  return found;
}

async function usernames(db: Knex, phids: unknown, key: string): Promise<string[]> {
  if (!Array.isArray(phids) || phids.some((p) => typeof p !== 'string')) throw callError(`Transaction with key "${key}" must have a list of user PHIDs as its value.`);
  const users = await findUsersByPhids(db, phids as string[]);
  const missing = (phids as string[]).filter((p) => !users.some((u) => u.phid === p));
  if (missing.length) throw coreError(`User "${missing[0]}" is not a valid user.`);
  return users.map((u) => u.username);
}

/** The same checks as the web form; a refusal is the form's sentences. */
function projectInput(raw: Record<string, string>): ProjectInput {
  const parsed = ProjectInput.safeParse(raw);
  if (!parsed.success) throw coreError(parsed.error.issues.map((i) => i.message).join(' '));
  return parsed.data;
}

export const projectEdit = defineMethod({
  name: 'project.edit',
  summary: 'Create a project or milestone, or edit one: name, hashtags, description, colour, icon, members, watchers, status.',
  needsToken: true,
  params: Params,
  docs: [
    { name: 'objectIdentifier', type: 'optional id|phid|string', description: 'The project to edit: its ID, PHID or hashtag. Leave it out to create one.' },
    {
      name: 'transactions',
      type: 'list<map<string, wild>>',
      description:
        'name, description (text); slugs (list of hashtags, the first is the primary one); color, icon (keys); members.add, members.remove, members.set, watchers.add, watchers.remove, watchers.set (user PHIDs); milestone (a parent project PHID: creates a milestone of it); status ("active" or "archived").',
    },
  ],
  example: { transactions: [{ type: 'name', value: 'Backend' }, { type: 'slugs', value: ['backend', 'api'] }, { type: 'color', value: 'green' }] },
  async call({ db, viewer }, p) {
    const me = viewer!;
    const items = transactions(p.transactions);
    const creating = p.objectIdentifier === undefined || p.objectIdentifier === null || p.objectIdentifier === '';
    const target = creating ? null : await findTarget(db, p.objectIdentifier!);
    const [members, watchers] = target ? await Promise.all([findPeople(db, 'project_members', target.parentId ?? target.id), findPeople(db, 'project_watchers', target.id)]) : [[], []];
    const names = await findUsersByIds(db, [...members, ...watchers]);
    const people = { members: new Set(members.map((id) => names.get(id)!.username)), watchers: new Set(watchers.map((id) => names.get(id)!.username)) };
    const form: Record<string, string> = target
      ? { name: target.name, description: target.description, color: target.color, icon: target.icon, hashtags: target.hashtags.join(' ') }
      : { name: '' };
    let status: string | undefined;
    let parent: Project | undefined;
    for (const { type, value, key } of items) {
      const [field, op] = type.split('.') as [string, string | undefined];
      if (op) {
        const list = await usernames(db, value, key);
        const set = people[field as 'members' | 'watchers'];
        if (op === 'set') set.clear();
        for (const u of list) op === 'remove' ? set.delete(u) : set.add(u);
      } else if (type === 'slugs') {
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw callError(`Transaction with key "${key}" must have a list of hashtags as its value.`);
        form.hashtags = (value as string[]).join(' ');
      } else if (type === 'milestone') {
        if (!creating) throw callError('A "milestone" transaction creates a milestone; it can not be applied to an existing project.');
        parent = await findTarget(db, String(value));
      } else if (type === 'status') {
        if (value !== 'active' && value !== 'archived') throw callError(`Transaction with key "${key}" must have "active" or "archived" as its value.`);
        status = value;
      } else {
        if (typeof value !== 'string') throw callError(`Transaction with key "${key}" (type "${type}") must have a string as its value.`);
        form[type] = value;
      }
    }
    let id: number;
    if (parent) id = await createMilestone(db, me, parent.id, projectInput({ name: form.name ?? '' }).name);
    else {
      const input = projectInput({ ...form, members: [...people.members].join(' '), watchers: [...people.watchers].join(' ') });
      if (target) await updateProject(db, me, target.id, input);
      id = target ? target.id : await createProject(db, me, input);
    }
    if (status) await setProjectClosed(db, me, id, status === 'archived');
    const [saved] = await findProjectsByIds(db, [id]);
    return { object: { id, phid: saved!.phid }, transactions: [] };
  },
});
