import { z } from 'zod';
import { findTask } from '../tasks/repository';
import { visibleTaskIds } from '../tasks/read';
import type { Task, Tracker } from '../tasks/task';
import { isFieldTransaction } from './custom-fields';
import { ConduitError, coreError } from './errors';
import { legacyTasks, type LegacyTask } from './legacy-task';
import type { ConduitContext, ParamDoc } from './method';
import { editTask, type RawTransaction } from './methods/maniphest-edit';
import { INT4_MAX, int, phpMap, text, textList } from './params';
import { MAINTAINERS_POLICY, taskPolicy, viewOfPolicy } from './policy';

/**
 * maniphest.createtask and maniphest.update: Phabricator's older write methods, one field per
 * parameter. Each call becomes the list of transactions maniphest.edit would take, and goes
 * through the same editor and permission checks.
 */

export const LegacyFields = {
  title: text('a string').optional(),
  description: text('a string').optional(),
  ownerPHID: z.union([z.string(), z.null()], { error: 'must be a user PHID, or null for no owner.' }).optional(),
  viewPolicy: text(`a policy: "public", "users" or "${MAINTAINERS_POLICY}"`).optional(),
  editPolicy: text('a policy').optional(),
  ccPHIDs: textList('user PHID').optional(),
  priority: int('a priority value such as 80', 0, INT4_MAX).optional(),
  projectPHIDs: textList('project PHID').optional(),
  auxiliary: phpMap(z.record(z.string(), z.unknown(), { error: 'must be a map of custom fields.' })).optional(),
};

export type LegacyFieldValues = { [K in keyof typeof LegacyFields]?: z.infer<(typeof LegacyFields)[K]> } & { status?: string; comments?: string };

export const LEGACY_FIELD_DOCS: ParamDoc[] = [
  { name: 'title', type: 'string', description: 'The task title.' },
  { name: 'description', type: 'optional string', description: 'The description.' },
  { name: 'ownerPHID', type: 'optional phid', description: 'The owner, a user PHID; null for none.' },
  { name: 'viewPolicy', type: 'optional phid or policy string', description: `Who may see it: "public", "users", or "${MAINTAINERS_POLICY}" (Maintainers).` },
  { name: 'editPolicy', type: 'optional phid or policy string', description: 'Trellis has no separate edit policy; if given, it must be the one the visibility implies ("users", or the Maintainers value for Maintainers tasks).' },
  { name: 'ccPHIDs', type: 'optional list<phid>', description: 'Subscribers, as user PHIDs.' },
  { name: 'priority', type: 'optional int', description: 'A priority value, such as 80 for High (see maniphest.priority.search).' },
  { name: 'projectPHIDs', type: 'optional list<phid>', description: 'Project tags, as project PHIDs.' },
  { name: 'auxiliary', type: 'optional dict', description: 'Custom fields, as "std:maniphest:KEY" (or KEY) to a value as maniphest.edit\'s custom.KEY takes it.' },
];

/** The transactions a call's fields stand for; on an update, lists replace what the task has. */
export function legacyTransactions(p: LegacyFieldValues, creating: boolean, tracker: Tracker): RawTransaction[] {
  const items: RawTransaction[] = [];
  for (const [name, value] of Object.entries(p.auxiliary ?? {})) {
    const key = name.replace(/^std:maniphest:/, '');
    if (!isFieldTransaction(tracker, `custom.${key}`)) {
      const known = tracker.fields.filter((f) => f.edit).map((f) => `std:maniphest:${f.key}`);
      throw new ConduitError('ERR-INVALID-PARAMETER', `"auxiliary" names "${name}", which is not a custom field of this install${known.length ? `; its fields are ${known.join(', ')}` : ': it has none'}.`);
    }
    items.push({ key: name, type: `custom.${key}`, value });
  }
  const add = (key: string, type: RawTransaction['type'], value: unknown) => items.push({ key, type, value });
  if (p.title !== undefined) add('title', 'title', p.title);
  if (p.description !== undefined) add('description', 'description', p.description);
  if (p.ownerPHID !== undefined) add('ownerPHID', 'owner', p.ownerPHID === '' ? null : p.ownerPHID);
  if (p.viewPolicy !== undefined) add('viewPolicy', 'view', viewOfPolicy(p.viewPolicy));
  if (p.priority !== undefined) add('priority', 'priority', p.priority);
  if (p.status !== undefined) add('status', 'status', p.status);
  if (p.ccPHIDs !== undefined) add('ccPHIDs', creating ? 'subscribers.add' : 'subscribers.set', p.ccPHIDs);
  if (p.projectPHIDs !== undefined) add('projectPHIDs', creating ? 'projects.add' : 'projects.set', p.projectPHIDs);
  if (p.comments !== undefined && p.comments.trim() !== '') add('comments', 'comment', p.comments);
  return items;
}

/** An editPolicy is only accepted when it is what Trellis derives from the visibility the task will have. */
function checkEditPolicy(editPolicy: string | undefined, view: string) {
  if (editPolicy === undefined) return;
  const derived = taskPolicy(view as Task['view']).edit;
  if (editPolicy !== derived) {
    throw new ConduitError(
      'ERR-INVALID-PARAMETER',
      `Trellis has no separate edit policy: who may edit a task follows its visibility and each person's role. For this task "editPolicy" can only be "${derived}".`,
    );
  }
}

export async function createLegacyTask(ctx: ConduitContext, p: LegacyFieldValues): Promise<LegacyTask> {
  if (p.title === undefined || p.title.trim() === '') throw new ConduitError('ERR-INVALID-PARAMETER', 'You must specify a title.');
  checkEditPolicy(p.editPolicy, p.viewPolicy !== undefined ? viewOfPolicy(p.viewPolicy) : ctx.tracker.defaultView);
  const { taskId } = await editTask(ctx, null, legacyTransactions(p, true, ctx.tracker));
  return legacyTaskAfterEdit(ctx, taskId);
}

/** The task as the older methods answer with it, read back after their edit. */
async function legacyTaskAfterEdit(ctx: ConduitContext, id: number): Promise<LegacyTask> {
  const task = await findTask(ctx.db, id);
  if (!task) throw coreError('The task was saved but could not be read back.');
  return (await legacyTasks(ctx.db, ctx.tracker, ctx.viewer!, [task], ctx.baseUrl))[0]!;
}

const noSuchTask = () => new ConduitError('ERR-BAD-TASK', 'No such Maniphest task exists.');

export async function updateLegacyTask(ctx: ConduitContext, id: number | null, p: LegacyFieldValues): Promise<LegacyTask> {
  // A task the caller may not see is missing, before anything about it is looked at.
  const current = id === null || !(await visibleTaskIds(ctx.db, ctx.viewer, [id])).has(id) ? null : await findTask(ctx.db, id);
  if (!current) throw noSuchTask();
  checkEditPolicy(p.editPolicy, p.viewPolicy !== undefined ? viewOfPolicy(p.viewPolicy) : current.view);
  const items = legacyTransactions(p, false, ctx.tracker);
  if (!items.length) throw new ConduitError('ERR-NO-EFFECT', 'Update has no effect.');
  const { events } = await editTask(ctx, { id: current.id, missing: noSuchTask }, items);
  if (!events.length) throw new ConduitError('ERR-NO-EFFECT', 'Update has no effect.');
  return legacyTaskAfterEdit(ctx, current.id);
}

