import { can, isMaintainer, type Actor } from '../users/roles';

/**
 * Projects are visible to everyone who may use Trellis and never change who
 * sees a task. Their members edit them and their boards; maintainers and
 * administrators edit any.
 */
export function canEditProject(actor: Actor | null, memberIds: number[]): boolean {
  if (!actor || !can(actor, 'project.create')) return false;
  return isMaintainer(actor) || memberIds.includes(actor.id);
}
