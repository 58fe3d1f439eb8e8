import { z } from 'zod';
import type { StatusConfig } from '../tracker-config';
import { ValidationError } from '../errors';
import { can, isMaintainer, ROLE_NAMES, ROLES, type Actor, type Role } from '../users/roles';

/**
 * Workflow rules of the TRELLIS_CONFIG file: who may move a task between which
 * statuses, which statuses need a comment, and which lock a task. The editor
 * checks them, so every way of editing a task obeys the same rules.
 */

const StatusList = z.array(z.string()).min(1);

export const WorkflowFile = z
  .object({
    /** When given, a status change needs a rule that allows it (admins may make any). */
    transitions: z
      .array(z.object({ from: StatusList.optional(), to: StatusList.optional(), roles: z.array(z.enum(ROLES)).min(1) }).strict())
      .optional(),
    /** Status key -> the sentence shown when a task is moved to it without a comment. */
    comments: z.record(z.string(), z.string().min(1)).optional(),
    /** Statuses in which only maintainers may edit or comment, until the task is reopened. */
    locked: z.array(z.string()).optional(),
  })
  .strict();
export type WorkflowFile = z.infer<typeof WorkflowFile>;

export interface Transition {
  /** Omitted: from any status. */
  from?: string[];
  /** Omitted: to any status. */
  to?: string[];
  roles: Role[];
}

export interface WorkflowConfig {
  /** null: no rules, and changing the status needs the task.close capability as usual. */
  transitions: Transition[] | null;
  comments: Record<string, string>;
  locked: string[];
}

export const NO_WORKFLOW: WorkflowConfig = { transitions: null, comments: {}, locked: [] };

export interface PathProblem {
  path: (string | number)[];
  message: string;
}

/** Every status a rule names must be configured; a reserved one is reached by merging, never chosen. */
export function checkWorkflow(w: WorkflowFile, statuses: StatusConfig[]): PathProblem[] {
  const byKey = new Map(statuses.map((s) => [s.key, s]));
  const problems: PathProblem[] = [];
  const known = (key: string, path: (string | number)[]) => {
    if (!byKey.has(key)) problems.push({ path, message: `"${key}" is not one of the statuses` });
  };
  (w.transitions ?? []).forEach((t, i) => {
    t.from?.forEach((key, j) => known(key, ['workflow', 'transitions', i, 'from', j]));
    t.to?.forEach((key, j) => {
      known(key, ['workflow', 'transitions', i, 'to', j]);
      if (byKey.get(key)?.reserved) problems.push({ path: ['workflow', 'transitions', i, 'to', j], message: `"${key}" is reserved: tasks reach it by merging` });
    });
  });
  for (const key of Object.keys(w.comments ?? {})) known(key, ['workflow', 'comments', key]);
  (w.locked ?? []).forEach((key, i) => known(key, ['workflow', 'locked', i]));
  return problems;
}

export function buildWorkflow(w: WorkflowFile | undefined): WorkflowConfig {
  if (!w) return NO_WORKFLOW;
  return { transitions: w.transitions ?? null, comments: w.comments ?? {}, locked: w.locked ?? [] };
}

const matches = (list: string[] | undefined, key: string) => !list || list.includes(key);

/** The roles that may move a task from one status to another; admins always may. */
export function rolesFor(w: WorkflowConfig, from: string, to: string): Role[] {
  if (!w.transitions) return ROLES.filter((r) => can({ id: 0, username: '', role: r }, 'task.close'));
  const allowed = new Set<Role>(['admin']);
  for (const t of w.transitions) if (matches(t.from, from) && matches(t.to, to)) for (const r of t.roles) allowed.add(r);
  return ROLES.filter((r) => allowed.has(r));
}

export function mayMove(w: WorkflowConfig, actor: Actor | null, from: string, to: string): boolean {
  return actor !== null && rolesFor(w, from, to).includes(actor.role);
}

/** Whether this person may change nothing on a task in this status. */
export function lockedFor(w: WorkflowConfig, actor: Actor | null, status: string): boolean {
  return w.locked.includes(status) && !isMaintainer(actor);
}

/** The code of a refusal by the workflow rules (HTTP 403), so forms show it beside the field rather than as an error page. */
export const WORKFLOW_REFUSAL = 'workflow';

export const LOCKED_MESSAGE = 'This task is locked: only maintainers can edit or comment on it until it is reopened.';

/** The statuses this person may pick for a task now in `from` (the current one included), in configured order. */
export function statusChoices(w: WorkflowConfig, pickable: StatusConfig[], actor: Actor | null, from: string): StatusConfig[] {
  return pickable.filter((s) => s.key === from || mayMove(w, actor, from, s.key));
}

/** Statuses a bulk edit may set: reachable from some status, and needing no comment (the bulk form has none). */
export function bulkStatusChoices(w: WorkflowConfig, pickable: StatusConfig[], actor: Actor | null): StatusConfig[] {
  return pickable.filter((to) => !w.comments[to.key] && pickable.some((from) => from.key !== to.key && mayMove(w, actor, from.key, to.key)));
}

function roleList(roles: Role[]): string {
  const names = roles.map((r) => ROLE_NAMES[r]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? 'nobody');
}

export interface WorkflowEdit {
  /** The status before and after the edit; equal when it does not change. */
  from: string;
  to: string;
  /** The comment given with the edit, if any. */
  comment: string;
  /** Whether the edit changes anything at all. */
  changes: boolean;
  /** Made on behalf of an edit of another task (a link, a merge). */
  inverse: boolean;
}

/**
 * Refuses, all at once, what the rules forbid: any change to a task locked for
 * this person, a transition their role may not make, a move without the comment it needs.
 */
export function enforceWorkflow(w: WorkflowConfig, statusName: (key: string) => string, actor: Actor, edit: WorkflowEdit): void {
  const problems: Record<string, string> = {};
  let status = 422;
  if (edit.changes && !edit.inverse && lockedFor(w, actor, edit.from)) {
    problems.form = LOCKED_MESSAGE;
    status = 403;
  }
  if (edit.from !== edit.to && w.transitions && !mayMove(w, actor, edit.from, edit.to)) {
    const roles = rolesFor(w, edit.from, edit.to);
    problems.status = `Only ${roleList(roles)} may move a task from ${statusName(edit.from)} to ${statusName(edit.to)} (see /config/workflow/).`;
    status = 403;
  }
  const needs = edit.from !== edit.to ? w.comments[edit.to] : undefined;
  if (needs && !edit.comment.trim()) problems.comment = needs;
  if (Object.keys(problems).length) throw new ValidationError(problems, status, status === 403 ? WORKFLOW_REFUSAL : 'invalid');
}
