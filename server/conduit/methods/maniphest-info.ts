import { z } from 'zod';
import { visibleTaskIds } from '../../tasks/read';
import { findTask } from '../../tasks/repository';
import { ConduitError } from '../errors';
import { legacyTasks } from '../legacy-task';
import { defineMethod } from '../method';
import { INT4_MAX, int } from '../params';

export const maniphestInfo = defineMethod({
  name: 'maniphest.info',
  summary: "One task by ID, in the flat shape of Phabricator's older methods (maniphest.search is the newer way).",
  needsToken: true,
  params: z.object({ task_id: int('a task ID', 1, INT4_MAX) }).strict(),
  docs: [{ name: 'task_id', type: 'required id', description: 'The task ID, such as 123 for T123.' }],
  example: { task_id: 1 },
  async call({ db, tracker, viewer, baseUrl }, p) {
    // A task the caller may not see is missing.
    const task = (await visibleTaskIds(db, viewer, [p.task_id])).has(p.task_id) ? await findTask(db, p.task_id) : null;
    if (!task) throw new ConduitError('ERR-BAD-TASK', 'No such Maniphest task exists.');
    return (await legacyTasks(db, tracker, viewer!, [task], baseUrl))[0];
  },
});
