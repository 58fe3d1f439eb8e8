import { z } from 'zod';
import { resolveTaskIdentifier } from '../identifiers';
import { ConduitError } from '../errors';
import { LEGACY_FIELD_DOCS, LegacyFields, updateLegacyTask } from '../legacy-edit';
import { defineMethod } from '../method';
import { INT4_MAX, int, text } from '../params';

const Params = z
  .object({
    id: int('a task ID', 1, INT4_MAX).optional(),
    phid: text('a task PHID').optional(),
    ...LegacyFields,
    status: text('a status key such as "resolved"').optional(),
    comments: text('a string').optional(),
  })
  .strict();

export const maniphestUpdate = defineMethod({
  name: 'maniphest.update',
  summary: "Edit a task (Phabricator's older method; maniphest.edit does more). Lists given replace the task's. Answers with the task as maniphest.info does.",
  needsToken: true,
  params: Params,
  docs: [
    { name: 'id', type: 'optional int', description: 'The task ID; give either this or phid.' },
    { name: 'phid', type: 'optional phid', description: 'The task PHID; give either this or id.' },
    ...LEGACY_FIELD_DOCS.map((d) => (d.name === 'title' ? { ...d, type: 'optional string' } : d)),
    { name: 'status', type: 'optional string', description: 'A status key, such as "resolved" (see maniphest.querystatuses).' },
    { name: 'comments', type: 'optional string', description: 'A comment to add.' },
  ],
  example: { id: 1, priority: 50, comments: 'Lowered with maniphest.update.' },
  async call(ctx, p) {
    const { id, phid, ...fields } = p;
    if (id === undefined && phid === undefined) throw new ConduitError('ERR-CONDUIT-CALL', 'Specify a task to update with "id" or "phid".');
    if (id !== undefined && phid !== undefined) throw new ConduitError('ERR-CONDUIT-CALL', 'Specify the task with "id" or "phid", not both.');
    const taskId = id ?? (phid!.startsWith('PHID-') ? (await resolveTaskIdentifier(ctx.db, phid!)).id : null);
    return updateLegacyTask(ctx, taskId, fields);
  },
});
