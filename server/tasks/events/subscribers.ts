import { MAX_LIST_ITEMS, count } from '../../limits';
import { join, listOf, say } from './sentence';
import { FieldProblem, type EventType, type ParseContext } from './types';
import { bareName, resolveUser } from './users';
import { hiddenWhenOldEmpty, sameValue } from './values';

/** Subscriber edits are relative, so two people subscribing at once both land. */
export interface SubscriberEdit {
  add?: unknown[];
  remove?: unknown[];
  set?: unknown[];
}

async function resolveAll(raw: unknown, ctx: ParseContext): Promise<number[]> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new FieldProblem('subscribers', 'Subscribers must be a list of usernames.');
  if (raw.length > MAX_LIST_ITEMS) throw new FieldProblem('subscribers', `Name at most ${count(MAX_LIST_ITEMS)} people in one subscriber change.`);
  // Everyone named is looked up in two queries, then each is checked as one person would be.
  const found = await ctx.findUsers(
    raw.filter((v): v is string => typeof v === 'string').map(bareName),
    raw.filter((v): v is number => typeof v === 'number' && Number.isInteger(v)),
  );
  const known: ParseContext = {
    ...ctx,
    findUserByName: async (name) => found.byName.get(name.toLowerCase()) ?? null,
    findUserById: async (id) => found.byId.get(id) ?? null,
  };
  const ids: number[] = [];
  for (const item of raw) ids.push((await resolveUser(item, known, 'subscribers')).id);
  return ids;
}

const sorted = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

export const subscribers: EventType<number[]> = {
  type: 'subscribers',
  strength: 75,
  field: 'subscribers',
  async parse(raw, ctx, current) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new FieldProblem('subscribers', 'Say which subscribers to add, remove or set.');
    }
    const edit = raw as SubscriberEdit;
    const next = new Set(edit.set !== undefined ? await resolveAll(edit.set, ctx) : current);
    for (const id of await resolveAll(edit.add, ctx)) next.add(id);
    for (const id of await resolveAll(edit.remove, ctx)) next.delete(id);
    return sorted(next);
  },
  current: (s) => s.subscriberIds,
  apply: (s, ids) => ({ ...s, subscriberIds: sorted(ids) }),
  // Anyone may leave a task's subscribers; adding anyone, or removing others, is triage work.
  capability: (actor, from, to) => {
    const removedOnlySelf = to.length === from.length - 1 && from.filter((id) => !to.includes(id)).every((id) => id === actor.id);
    return removedOnlySelf ? null : 'task.subscribe';
  },
  isNoop: sameValue,
  userIds: (e) => [...((e.old as number[]) ?? []), ...((e.new as number[]) ?? [])],
  hiddenOnCreate: hiddenWhenOldEmpty,
  // Commenting subscribes the commenter and being given a task subscribes the new owner: implied by a line of their own, so not said twice.
  beside(e, group) {
    const implied = new Set<number>();
    if (group.some((g) => g.type === 'comment')) implied.add(e.actorId);
    for (const g of group) if (g.type === 'owner' && typeof g.new === 'number') implied.add(g.new);
    const from = new Set((e.old as number[]) ?? []);
    const to = ((e.new as number[]) ?? []).filter((id) => from.has(id) || !implied.has(id));
    return sameValue(to, [...from].sort((a, b) => a - b)) ? null : { ...e, new: to };
  },
  action: () => 'Changed Subscribers',
  describe(e, { actor, user }) {
    const from = new Set((e.old as number[]) ?? []);
    const to = new Set((e.new as number[]) ?? []);
    const added = [...to].filter((id) => !from.has(id));
    const removed = [...from].filter((id) => !to.has(id));
    if (added.length === 1 && !removed.length && added[0] === actor.id) return say`${actor} subscribed.`;
    if (removed.length === 1 && !added.length && removed[0] === actor.id) return say`${actor} unsubscribed.`;
    const names = (ids: number[]) => listOf(ids.map(user));
    if (added.length && removed.length) {
      return join(say`${actor} edited subscribers, added: `, names(added), '; removed: ', names(removed), '.');
    }
    if (added.length) {
      return join(say`${actor} added ${added.length === 1 ? 'a subscriber' : 'subscribers'}: `, names(added), '.');
    }
    return join(say`${actor} removed ${removed.length === 1 ? 'a subscriber' : 'subscribers'}: `, names(removed), '.');
  },
};
