import { z } from 'zod';
import { defineMethod } from '../method';

export const conduitGetcapabilities = defineMethod({
  name: 'conduit.getcapabilities',
  summary: 'What this server accepts: how callers authenticate, how parameters may be sent and how answers may be returned. Needs no token.',
  needsToken: false,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  // API tokens only: no certificates, sessions or OAuth; no request signatures; parameters as form
  // fields or one JSON field; answers as JSON or, with output=human, an HTML page.
  call: async () => ({ authentication: ['token'], signatures: [], input: ['json', 'urlencoded'], output: ['json', 'human'] }),
});
