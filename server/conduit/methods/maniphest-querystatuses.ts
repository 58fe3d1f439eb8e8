import { z } from 'zod';
import { defineMethod } from '../method';

export const maniphestQuerystatuses = defineMethod({
  name: 'maniphest.querystatuses',
  summary: "The task statuses of this install, in the shape of Phabricator's older method (maniphest.status.search is the newer one).",
  needsToken: true,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  async call({ tracker }) {
    const closed = tracker.statuses.filter((s) => s.closed);
    return {
      defaultStatus: tracker.defaultStatus,
      defaultClosedStatus: closed.find((s) => !s.reserved)?.key ?? null,
      duplicateStatus: tracker.duplicateStatus,
      openStatuses: tracker.openStatusKeys,
      closedStatuses: closed.map((s) => s.key),
      allStatuses: tracker.statuses.map((s) => s.key),
      statusMap: Object.fromEntries(tracker.statuses.map((s) => [s.key, s.name])),
    };
  },
});
