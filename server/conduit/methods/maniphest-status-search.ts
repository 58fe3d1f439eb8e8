import { z } from 'zod';
import type { Tracker } from '../../tasks/task';
import { defineMethod } from '../method';

/** Phabricator's "special" roles: the status of new tasks, the usual closing status, and the one merging uses. */
function special(tracker: Tracker, key: string): string | undefined {
  if (key === tracker.defaultStatus) return 'default';
  const s = tracker.status(key)!;
  if (s.reserved && s.key === 'duplicate') return 'duplicate';
  if (tracker.statuses.find((x) => x.closed && !x.reserved)?.key === key) return 'closed';
  return undefined;
}

export const maniphestStatusSearch = defineMethod({
  name: 'maniphest.status.search',
  summary: 'The task statuses of this install.',
  needsToken: true,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  async call({ tracker }) {
    return {
      data: tracker.statuses.map((s) => {
        const role = special(tracker, s.key);
        return { name: s.name, value: s.key, closed: s.closed, ...(role ? { special: role } : {}) };
      }),
    };
  },
});
