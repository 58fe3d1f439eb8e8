import { z } from 'zod';
import { defineMethod } from '../method';
import { METHODS } from '../registry';

export const conduitQuery = defineMethod({
  name: 'conduit.query',
  summary: 'Every Conduit method this server answers, with its description and parameters.',
  needsToken: true,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  async call() {
    return Object.fromEntries(
      [...METHODS]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((m) => [m.name, { description: m.summary, params: Object.fromEntries(m.docs.map((d) => [d.name, d.type])), return: 'wild' }]),
    );
  },
});
