import type { Request } from 'express';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { parseTaskId } from '../tasks/task';
import { WORKFLOW_REFUSAL } from '../tasks/workflow';
import { can, type Capability } from '../users/roles';
import type { User } from '../users/user';

export function requireViewer(req: Request): User {
  if (!req.viewer) throw new AppError(403, 'login-required', 'You must log in to do that.');
  return req.viewer;
}

export function requireCapability(req: Request, capability: Capability, message: string): User {
  const viewer = requireViewer(req);
  if (!can(viewer, capability)) throw new AppError(403, 'forbidden', message);
  return viewer;
}

/** The task id of a /T123 style route; anything malformed is a page that does not exist. */
export function taskIdParam(req: Request): number {
  const id = parseTaskId(String(req.params.id ?? ''));
  if (id === null) throw new NotFoundError();
  return id;
}

/**
 * Field problems from a form: a ValidationError as is, or an AppError that names its field.
 * A refusal by role is not one: the refused control is not on that person's form, so an error
 * beside it would never show; the error page says why instead and keeps the text they typed.
 */
export function formProblem(err: unknown): { status: number; errors: Record<string, string> } | null {
  // A workflow refusal names a control the person has (a status they picked, a lock they can read about): shown beside it.
  if (err instanceof ValidationError && err.code === WORKFLOW_REFUSAL) return { status: err.status, errors: err.fields };
  if (err instanceof AppError && err.status === 403) return null;
  if (err instanceof ValidationError) return { status: err.status, errors: err.fields };
  if (err instanceof AppError && err.field) return { status: err.status, errors: { [err.field]: err.message } };
  return null;
}
