import { isDatabaseUnavailable } from '../db/unavailable';
import type { JobHandler } from '../jobs/runner';
import { errorText, logLine } from '../log';
import { findUserById } from '../users/repository';
import type { User } from '../users/user';
import { bulkEditTask, type TaskOutcome } from './bulk';
import { findBulkEdit, finishBulkEdit, pendingTargets, recordOutcome, type BulkEdit } from './bulk-repository';
import type { Domain } from './editor';

/** Tasks edited between two lease renewals. */
const BATCH = 50;

/**
 * A queued bulk edit, worked through one task at a time. A task whose edit
 * was made but not yet recorded when a process died is edited again by the
 * process that takes the job over, which changes nothing the second time.
 */
export function bulkEditJob(d: Domain, log: (line: string) => void): JobHandler {
  async function editOne(job: BulkEdit, actor: User | null, taskId: number): Promise<TaskOutcome> {
    if (!actor || actor.disabledAt) return { outcome: 'refused', reason: 'The account that started this bulk edit is disabled.' };
    try {
      return await bulkEditTask(d, actor, taskId, job.changes);
    } catch (err) {
      // The task is not at fault when the database is out of reach: it stays pending, to be edited when it is back.
      if (isDatabaseUnavailable(err)) throw err;
      // One task's unexpected failure must not stop the job on it forever: it is reported, and logged.
      log(logLine({ level: 'error', msg: `bulk edit ${job.id} failed on T${taskId}`, error: errorText(err) }));
      return { outcome: 'refused', reason: 'This task could not be edited because of an error in Trellis; the error was logged.' };
    }
  }

  return {
    kind: 'bulk-edit',
    async run(queued, ctx) {
      const job = await findBulkEdit(d.db, Number(queued.payload.bulkEditId));
      if (!job || job.finishedAt) return;
      const actor = await findUserById(d.db, job.actorId);
      for (;;) {
        const batch = await pendingTargets(d.db, job.id, BATCH);
        if (!batch.length) return finishBulkEdit(d.db, job.id);
        for (const target of batch) {
          if (ctx.stopping()) return 'release';
          const result = await editOne(job, actor, target.taskId);
          await recordOutcome(d.db, job.id, target.position, result.outcome, result.reason);
        }
        await ctx.renew();
      }
    },
  };
}
