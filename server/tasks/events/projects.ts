import type { Project } from '../../projects/project';
import { join, listOf, say, type ProjectRef } from './sentence';
import { FieldProblem, type EventType, type ParseContext } from './types';
import { sameValue } from './values';

/** Tag edits are relative, like subscriber edits: two people tagging at once both land. */
export interface ProjectEdit {
  add?: unknown[];
  remove?: unknown[];
  set?: unknown[];
}

const sorted = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

async function resolve(raw: unknown, ctx: ParseContext): Promise<Project[]> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new FieldProblem('projects', 'Tags must be a list of project hashtags.');
  return raw.length ? ctx.projects.projects(raw, 'projects') : [];
}

/**
 * A milestone stands for its parent too: a task is in at most one of a
 * project and its milestones, the one tagged last.
 */
function addTag(tags: Map<number, Project>, p: Project) {
  const family = p.parentId ?? p.id;
  for (const [id, other] of tags) if ((other.parentId ?? other.id) === family) tags.delete(id);
  tags.set(p.id, p);
}

export const projects: EventType<number[]> = {
  type: 'projects',
  strength: 80,
  field: 'projects',
  async parse(raw, ctx, current) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FieldProblem('projects', 'Say which tags to add, remove or set.');
    const edit = raw as ProjectEdit;
    const [set, add, remove] = [await resolve(edit.set, ctx), await resolve(edit.add, ctx), await resolve(edit.remove, ctx)];
    const tags = new Map<number, Project>();
    const base = edit.set !== undefined ? set : await ctx.projects.projects(current, 'projects');
    // Milestones last, so that naming a project and its milestone keeps the milestone.
    for (const p of [...base].sort((a, b) => Number(a.parentId !== null) - Number(b.parentId !== null))) addTag(tags, p);
    for (const p of add) addTag(tags, p);
    for (const p of remove) tags.delete(p.id);
    const archived = [...tags.values()].filter((p) => p.closedAt !== null && !current.includes(p.id));
    if (archived.length) {
      throw new FieldProblem('projects', `${archived.map((p) => `#${p.hashtags[0]}`).join(', ')} ${archived.length === 1 ? 'is' : 'are'} closed: a closed project takes no new tasks.`);
    }
    return sorted(tags.keys());
  },
  current: (s) => s.projectIds,
  apply: (s, ids) => ({ ...s, projectIds: sorted(ids) }),
  capability: () => 'task.edit',
  refusal: 'You do not have permission to change the tags of this task.',
  isNoop: sameValue,
  userIds: () => [],
  projectIds: (e) => [...((e.old as number[]) ?? []), ...((e.new as number[]) ?? [])],
  hiddenOnCreate: () => false,
  describe(e, { actor, project }) {
    const from = new Set((e.old as number[]) ?? []);
    const to = new Set((e.new as number[]) ?? []);
    const added = [...to].filter((id) => !from.has(id));
    const removed = [...from].filter((id) => !to.has(id));
    const names = (ids: number[]) => listOf(ids.map((id): ProjectRef => project?.(id) ?? { kind: 'project', id, hashtag: `project-${id}`, color: 'grey' }));
    if (added.length && removed.length) return join(say`${actor} changed project tags, added: `, names(added), '; removed: ', names(removed), '.');
    if (added.length) return join(say`${actor} added ${added.length === 1 ? 'a project' : 'projects'}: `, names(added), '.');
    if (removed.length) return join(say`${actor} removed ${removed.length === 1 ? 'a project' : 'projects'}: `, names(removed), '.');
    return null;
  },
};
