import type { Tracker } from '../../tasks/task';
import { mayMove, rolesFor } from '../../tasks/workflow';
import { ROLE_NAMES, type Actor } from '../../users/roles';

/**
 * The workflow rules as a table of every move between statuses a person can pick,
 * with who may make it, so a refusal can be understood.
 */
export function workflowModel(tracker: Tracker, viewer: Actor | null) {
  const w = tracker.workflow;
  const statuses = tracker.pickableStatuses;
  return {
    configured: w.transitions !== null,
    statuses: statuses.map((s) => s.name),
    rows: statuses.map((from) => ({
      from: from.name,
      cells: statuses.map((to) => {
        if (to.key === from.key) return { same: true, roles: '', mine: false };
        const roles = rolesFor(w, from.key, to.key).map((r) => ROLE_NAMES[r]);
        return { same: false, roles: roles.join(', '), mine: mayMove(w, viewer, from.key, to.key) };
      }),
    })),
    comments: Object.entries(w.comments).map(([key, message]) => ({ status: tracker.statusName(key), message })),
    locked: w.locked.map((key) => tracker.statusName(key)),
    viewerRole: viewer ? ROLE_NAMES[viewer.role] : null,
  };
}
