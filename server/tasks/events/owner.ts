import { say } from './sentence';
import type { EventType } from './types';
import { resolveUser } from './users';

export const owner: EventType<number | null> = {
  type: 'owner',
  strength: 120,
  field: 'owner',
  async parse(raw, ctx) {
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
    return (await resolveUser(raw, ctx, 'owner')).id;
  },
  current: (s) => s.ownerId,
  apply: (s, ownerId) => ({ ...s, ownerId }),
  capability: (actor, _from, to) => (to === actor.id ? 'task.claim' : 'task.triage'),
  refusal: 'You do not have permission to assign this task.',
  isNoop: (a, b) => a === b,
  userIds: (e) => [e.old, e.new].filter((v): v is number => typeof v === 'number'),
  // Unlike other empty-to-set changes, an owner chosen at creation is news worth a line.
  hiddenOnCreate: () => false,
  action(e) {
    if (e.new !== null && e.new === e.actorId) return 'Claimed';
    if (e.new === null) return 'Unassigned';
    return e.old === null ? 'Assigned' : 'Reassigned';
  },
  describe(e, { actor, user }) {
    const from = e.old as number | null;
    const to = e.new as number | null;
    if (to !== null && to === actor.id) return say`${actor} claimed this task.`;
    if (to === null) return say`${actor} removed ${user(from)} as the assignee of this task.`;
    if (from === null) return say`${actor} assigned this task to ${user(to)}.`;
    return say`${actor} reassigned this task from ${user(from)} to ${user(to)}.`;
  },
};
