import os from 'node:os';
import { z } from 'zod';
import { defineMethod } from '../method';

export const conduitPing = defineMethod({
  name: 'conduit.ping',
  summary: 'Basic ping for monitoring: answers with the server\'s host name. Needs no token.',
  needsToken: false,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  call: async () => os.hostname(),
});
