import type { ViewPolicy } from '../tracker-config';
import { can, isMaintainer, type Actor, type Capability } from '../users/roles';
import type { Task } from './task';

/** The visibility levels a viewer may see; lists filter on the same answer as pages. */
export function visiblePolicies(viewer: Actor | null): ViewPolicy[] {
  if (!viewer) return ['public'];
  if (isMaintainer(viewer)) return ['public', 'users', 'maintainers'];
  return ['public', 'users'];
}

/** The owner always sees the task they hold, whatever its visibility. */
export function canView(viewer: Actor | null, task: Pick<Task, 'view' | 'ownerId'>): boolean {
  if (visiblePolicies(viewer).includes(task.view)) return true;
  return viewer !== null && task.ownerId === viewer.id;
}

export function canDo(viewer: Actor | null, task: Pick<Task, 'view' | 'ownerId'>, capability: Capability): boolean {
  return canView(viewer, task) && can(viewer, capability);
}
