import type { Knex } from 'knex';
import { NotFoundError } from '../errors';
import { searchTasks, type TaskResults } from '../search/engine';
import type { Tracker } from '../tasks/task';
import { findUsersByIds } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import { canEditProject } from './policy';
import { normalizeHashtag, type Project } from './project';
import * as repo from './repository';

export interface ProjectPage {
  project: Project;
  parent: Project | null;
  milestones: Project[];
  members: User[];
  watchers: User[];
  canEdit: boolean;
  openTasks: TaskResults;
}

/** A project's id with its milestones': what "tagged with the project" means in lists. */
export async function familyIds(db: Knex, project: Project): Promise<number[]> {
  if (project.parentId !== null) return [project.id];
  return [project.id, ...(await repo.listProjects(db, { parentId: project.id, closed: true, limit: 1000 })).map((m) => m.id)];
}

export async function findProjectOr404(db: Knex, id: number | null): Promise<Project> {
  const project = id === null ? null : await repo.findProject(db, id);
  if (!project) throw new NotFoundError();
  return project;
}

export async function findProjectByHashtagOr404(db: Knex, raw: string): Promise<Project> {
  const project = (await repo.findProjectsByHashtags(db, [normalizeHashtag(raw)])).values().next().value;
  if (!project) throw new NotFoundError();
  return project;
}

/** Who may edit the project (and its board): the members of it, or of a milestone's parent. */
export async function mayEdit(db: Knex, viewer: Actor | null, project: Project): Promise<boolean> {
  return canEditProject(viewer, await repo.findPeople(db, 'project_members', project.parentId ?? project.id));
}

export async function loadProjectPage(db: Knex, tracker: Tracker, viewer: Actor | null, project: Project): Promise<ProjectPage> {
  const [members, watchers, milestones, parent, family] = await Promise.all([
    repo.findPeople(db, 'project_members', project.parentId ?? project.id),
    repo.findPeople(db, 'project_watchers', project.id),
    project.parentId === null ? repo.listProjects(db, { parentId: project.id, closed: true, limit: 1000 }) : Promise.resolve([]),
    project.parentId === null ? Promise.resolve(null) : repo.findProject(db, project.parentId),
    familyIds(db, project),
  ]);
  const [users, openTasks] = await Promise.all([
    findUsersByIds(db, [...members, ...watchers]),
    searchTasks(db, tracker, viewer, { filter: { projects: { all: [family] }, statuses: tracker.openStatusKeys }, order: 'priority', group: 'none', limit: 50 }),
  ]);
  const pick = (ids: number[]) => ids.flatMap((id) => (users.has(id) ? [users.get(id)!] : []));
  return { project, parent, milestones, members: pick(members), watchers: pick(watchers), canEdit: canEditProject(viewer, members), openTasks };
}
