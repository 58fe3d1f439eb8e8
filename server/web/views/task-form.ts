import type { Task, Tracker } from '../../tasks/task';
import type { User } from '../../users/user';
import { can, type Actor } from '../../users/roles';
import { priorityOptions, statusOptions, viewOptions } from './options';
import { pointsInput } from './points';
import { formWideError, type FormState } from './task-page';
import { statusChoices } from '../../tasks/workflow';
import { dueInputs } from './due';

function pick(input: Record<string, unknown> | undefined, key: string, fallback: string): string {
  const v = input?.[key];
  return typeof v === 'string' ? v : fallback;
}

/** Browsers drop one newline right after <textarea>: doubling a leading one keeps the text as stored. */
function textareaValue(text: string): string {
  return /^\r?\n/.test(text) ? `\n${text}` : text;
}

/**
 * The create and edit forms. Values come from what the person typed when a
 * save was refused, else from the task; controls the viewer may not use are left out.
 */
export function taskFormModel(
  tracker: Tracker,
  viewer: Actor,
  target: { task: Task; owner: User | null; version: number; hashtags?: string } | null,
  form: FormState = {},
  /** Controls the form has beyond the task's own (custom fields), whose problems are shown beside them. */
  moreControls: string[] = [],
) {
  const t = target?.task;
  const input = form.input;
  const errors = form.errors ?? {};
  const canTriage = can(viewer, 'task.triage');
  // The statuses the workflow rules let this person pick, from the task's (or a new task's) status.
  const choices = statusChoices(tracker.workflow, tracker.pickableStatuses, viewer, t?.status ?? tracker.defaultStatus);
  const canClose = choices.some((s) => s.key !== (t?.status ?? tracker.defaultStatus));
  const canSetVisibility = can(viewer, 'task.visibility');
  const canTag = can(viewer, 'task.edit');
  const canSetDue = can(viewer, 'task.edit');
  const parent = t ? null : pick(input, 'parent', '') || null;
  const shown = [...(parent ? ['parents'] : []), 'title', 'description', 'projects', ...(canTriage ? ['owner', 'priority'] : []), ...(canTriage && tracker.points.enabled ? ['points'] : []), ...(canClose ? ['status'] : []), ...(canSetVisibility ? ['view'] : []), ...(canSetDue ? ['due'] : []), ...moreControls];
  return {
    isEdit: Boolean(t),
    heading: t ? `Edit Task: ${t.title}` : 'Create New Task',
    action: t ? `/maniphest/task/edit/${t.id}/` : '/maniphest/task/edit/',
    cancelUrl: t ? `/T${t.id}` : '/maniphest/',
    version: target?.version ?? null,
    title: pick(input, 'title', t?.title ?? ''),
    description: textareaValue(pick(input, 'description', t?.description ?? '')),
    owner: pick(input, 'owner', target?.owner?.username ?? ''),
    priorityOptions: priorityOptions(tracker, pick(input, 'priority', tracker.priorityKeyword(t?.priority ?? tracker.defaultPriority))),
    statusOptions: statusOptions(tracker, pick(input, 'status', t?.status ?? tracker.defaultStatus), undefined, undefined, choices),
    viewOptions: viewOptions(pick(input, 'view', t?.view ?? tracker.defaultView)),
    canTag,
    canSetDue,
    ...dueInputs(input, t?.due ?? null),
    projects: pick(input, 'projects', target?.hashtags ?? ''),
    projectsWas: pick(input, 'projectsWas', target?.hashtags ?? ''),
    // A new subtask's parents ("Create Subtask", or ?parent= in the URL); the field is only on such forms.
    parent,
    points: canTriage ? pointsInput(tracker, input, t?.points ?? null) : null,
    // "Create Subtask" names the task it copies fields from; kept through a refused save.
    template: t ? null : pick(input, 'template', '') || null,
    canTriage,
    canClose,
    canSetVisibility,
    // Shown beside a refused description, so the person can merge by hand.
    currentDescription: errors.description && t ? t.description : null,
    errors,
    formError: formWideError(errors, shown),
  };
}
