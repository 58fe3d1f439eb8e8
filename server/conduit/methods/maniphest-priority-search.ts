import { z } from 'zod';
import { defineMethod } from '../method';

export const maniphestPrioritySearch = defineMethod({
  name: 'maniphest.priority.search',
  summary: 'The task priorities of this install, most urgent first, with the keywords maniphest.edit takes.',
  needsToken: true,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  async call({ tracker }) {
    return {
      data: tracker.priorities.map((p) => ({ name: p.name, short: p.short ?? p.name, color: p.color, keywords: [p.keyword, ...(p.aliases ?? [])], value: p.value })),
    };
  },
});
