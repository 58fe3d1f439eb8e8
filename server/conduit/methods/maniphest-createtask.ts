import { z } from 'zod';
import { createLegacyTask, LEGACY_FIELD_DOCS, LegacyFields } from '../legacy-edit';
import { defineMethod } from '../method';

export const maniphestCreatetask = defineMethod({
  name: 'maniphest.createtask',
  summary: "Create a task (Phabricator's older method; maniphest.edit does more). Answers with the task as maniphest.info does.",
  needsToken: true,
  params: z.object(LegacyFields).strict(),
  docs: LEGACY_FIELD_DOCS,
  example: { title: 'Printer is on fire', priority: 80, description: 'Filed with maniphest.createtask.' },
  call: (ctx, p) => createLegacyTask(ctx, p),
});
