import { FieldProblem } from './types';

/** How many tasks one change may name: a relation edit or a merge is made by hand, a few at a time. */
export const MAX_TASK_REFS = 100;

const INT4_MAX = 2147483647;

/** A task named by its id (12, "12") or its monogram ("T12"). */
export function parseTaskRef(raw: unknown, field: string): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  const m = text === null ? null : /^[Tt]?([1-9][0-9]{0,9})$/.exec(text);
  const id = m ? Number(m[1]) : NaN;
  if (!(id <= INT4_MAX)) throw new FieldProblem(field, `"${text ?? String(raw)}" is not a task: name tasks as T123 or 123.`);
  return id;
}

export function parseTaskRefs(raw: unknown, field: string): number[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length > MAX_TASK_REFS) throw new FieldProblem(field, `Name at most ${MAX_TASK_REFS} tasks at once.`, 413);
  return [...new Set(items.map((x) => parseTaskRef(x, field)))];
}

/** A relative edit of a set of tasks: what forms and scripts send. */
export interface TaskSetEdit {
  add?: unknown;
  remove?: unknown;
  set?: unknown;
}

export interface ParsedTaskSetEdit {
  next: number[];
  /** Named to be added, and to be removed, explicitly (not by a `set`). */
  add: number[];
  remove: number[];
}

export function parseTaskSetEdit(raw: unknown, current: number[], field: string): ParsedTaskSetEdit {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FieldProblem(field, 'Say which tasks to add, remove or set.');
  const edit = raw as TaskSetEdit;
  const next = new Set(edit.set !== undefined ? parseTaskRefs(edit.set, field) : current);
  const add = parseTaskRefs(edit.add, field);
  const remove = parseTaskRefs(edit.remove, field);
  for (const id of add) next.add(id);
  for (const id of remove) next.delete(id);
  return { next: [...next].sort((a, b) => a - b), add, remove };
}
