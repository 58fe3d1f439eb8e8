import type { Knex } from 'knex';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { findUsersByUsernames } from '../users/repository';
import { can, type Actor } from '../users/roles';
import * as boards from './board-repository';
import { canEditProject } from './policy';
import { hashtagFromName, type ProjectInput } from './project';
import * as repo from './repository';

/** Creating and editing projects and milestones: each save one database transaction, all or nothing. */

async function resolvePeople(trx: Knex.Transaction, names: string[], field: string): Promise<number[]> {
  const users = await findUsersByUsernames(trx, names);
  const missing = names.filter((n) => !users.some((u) => u.username.toLowerCase() === n.toLowerCase()));
  if (missing.length) throw new ValidationError({ [field]: `There is no user named ${missing.map((m) => `"${m}"`).join(', ')}.` });
  return [...new Set(users.map((u) => u.id))].sort((a, b) => a - b);
}

async function claimHashtags(trx: Knex.Transaction, projectId: number, hashtags: string[]) {
  const taken = await repo.takenHashtags(trx, hashtags, projectId);
  if (taken.length) {
    throw new ValidationError({ hashtags: `${taken.map((t) => `#${t}`).join(', ')} ${taken.length === 1 ? 'is' : 'are'} already the hashtag of another project.` }, 409, 'hashtag-taken');
  }
  await repo.setHashtags(trx, projectId, hashtags);
}

/** Two saves racing for one hashtag: the loser hears what the first check would have told it. */
async function guardRace<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if ((err as { code?: string }).code === '23505' && /project_hashtags/.test(String((err as { constraint?: string }).constraint ?? (err as Error).message))) {
      throw new ValidationError({ hashtags: 'This hashtag was just taken by another project.' }, 409, 'hashtag-taken');
    }
    throw err;
  }
}

export async function createProject(db: Knex, actor: Actor, input: ProjectInput): Promise<number> {
  if (!can(actor, 'project.create')) throw new AppError(403, 'forbidden', 'You do not have permission to create projects.');
  return guardRace(() =>
    db.transaction(async (trx) => {
      const members = await resolvePeople(trx, input.members, 'members');
      const watchers = await resolvePeople(trx, input.watchers, 'watchers');
      const id = await repo.insertProject(trx, { ...input, authorId: actor.id, parentId: null, milestoneNumber: null });
      await claimHashtags(trx, id, input.hashtags);
      // The creator is a member, so that someone may edit the new board.
      await repo.setPeople(trx, 'project_members', id, [...new Set([actor.id, ...members])]);
      await repo.setPeople(trx, 'project_watchers', id, watchers);
      await boards.insertColumn(trx, id, { name: 'Backlog', isDefault: true });
      return id;
    }),
  );
}

/** Locks a project the actor may edit, or refuses: missing is 404, not a member 403. */
export async function editableProject(trx: Knex.Transaction, actor: Actor, id: number) {
  const project = await repo.lockProject(trx, id);
  if (!project) throw new NotFoundError();
  const owner = project.parentId ?? project.id;
  if (!canEditProject(actor, await repo.findPeople(trx, 'project_members', owner))) {
    throw new AppError(403, 'forbidden', 'Only members of this project (and maintainers) may edit it.');
  }
  return project;
}

export async function updateProject(db: Knex, actor: Actor, id: number, input: ProjectInput): Promise<void> {
  await guardRace(() =>
    db.transaction(async (trx) => {
      const project = await editableProject(trx, actor, id);
      const members = await resolvePeople(trx, input.members, 'members');
      const watchers = await resolvePeople(trx, input.watchers, 'watchers');
      await repo.updateProject(trx, id, { name: input.name, description: input.description, color: input.color, icon: input.icon });
      await claimHashtags(trx, id, input.hashtags);
      if (project.parentId === null) await repo.setPeople(trx, 'project_members', id, members);
      await repo.setPeople(trx, 'project_watchers', id, watchers);
      if (project.parentId !== null) {
        const proxy = (await boards.findColumns(trx, [project.parentId])).find((c) => c.proxyProjectId === id);
        if (proxy) await boards.updateColumn(trx, proxy.id, { name: input.name });
      }
    }),
  );
}

/**
 * A milestone: a project under another, with its own board, shown as a column
 * on its parent's board. Its hashtag is the parent's and its own name's.
 */
export async function createMilestone(db: Knex, actor: Actor, parentId: number, name: string): Promise<number> {
  return guardRace(() =>
    db.transaction(async (trx) => {
      const parent = await editableProject(trx, actor, parentId);
      if (parent.parentId !== null) throw new ValidationError({ name: 'A milestone can not have milestones of its own.' });
      if (parent.closedAt !== null) throw new ValidationError({ name: 'This project is closed: reopen it to add milestones.' });
      const number = await repo.nextMilestoneNumber(trx, parentId);
      const id = await repo.insertProject(trx, { name, description: '', color: parent.color, icon: 'milestone', authorId: actor.id, parentId, milestoneNumber: number });
      const base = `${parent.hashtags[0]}_${hashtagFromName(name) || String(number)}`.slice(0, 64);
      await claimHashtags(trx, id, [base]);
      await boards.insertColumn(trx, id, { name: 'Backlog', isDefault: true });
      await boards.insertColumn(trx, parentId, { name, proxyProjectId: id });
      return id;
    }),
  );
}

/** Closing a project keeps its tags on tasks; a closed milestone's column leaves its parent's board. */
export async function setProjectClosed(db: Knex, actor: Actor, id: number, closed: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    const project = await editableProject(trx, actor, id);
    if ((project.closedAt !== null) === closed) return;
    await repo.updateProject(trx, id, { closedAt: closed ? new Date() : null });
    if (project.parentId !== null) {
      const proxy = (await boards.findColumns(trx, [project.parentId])).find((c) => c.proxyProjectId === id);
      if (proxy) await boards.updateColumn(trx, proxy.id, { hidden: closed });
    }
  });
}
