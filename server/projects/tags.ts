import type { Knex } from 'knex';
import { tagOf, type ProjectTag } from './project';
import * as repo from './repository';

/**
 * The tags of tasks, ids to tags, in two queries: for the edit form. List rows read only their project ids
 * and show them through projects/tag-cache.ts.
 */
export async function loadTaskTags(db: Knex, taskIds: number[]): Promise<Map<number, ProjectTag[]>> {
  const byTask = await repo.findProjectIdsOfTasks(db, taskIds);
  const projects = new Map((await repo.findProjectsByIds(db, [...byTask.values()].flat())).map((p) => [p.id, tagOf(p)]));
  return new Map([...byTask].map(([taskId, ids]) => [taskId, ids.flatMap((id) => (projects.has(id) ? [projects.get(id)!] : []))]));
}
