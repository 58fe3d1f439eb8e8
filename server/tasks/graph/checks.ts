import { ValidationError } from '../../errors';
import type { RelatedContext } from '../events/types';
import { canView } from '../policy';
import { findTasksByIds } from '../repository';
import type { Task } from '../task';

/**
 * The named tasks, each one the actor may see; any other is refused with the
 * sentence of a task that does not exist, so a hidden task is never confirmed.
 */
export async function visibleTasks(c: RelatedContext, ids: number[], field: string): Promise<Map<number, Task>> {
  const found = new Map((await findTasksByIds(c.trx, ids)).filter((t) => canView(c.actor, t)).map((t) => [t.id, t]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    const names = missing.map((id) => `T${id}`).join(', ');
    throw new ValidationError({ [field]: missing.length === 1 ? `There is no task ${names}.` : `There are no tasks ${names}.` });
  }
  return found;
}

/** The ids among `ids` that the actor may not see: kept as they are, since nobody removes what they can not see. */
export async function hiddenIds(c: RelatedContext, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const seen = new Set((await findTasksByIds(c.trx, ids)).filter((t) => canView(c.actor, t)).map((t) => t.id));
  return ids.filter((id) => !seen.has(id));
}
