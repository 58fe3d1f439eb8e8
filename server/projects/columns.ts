import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../errors';
import type { Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import * as boards from './board-repository';
import * as cardRepo from './card-repository';
import { editableProject } from './edit';
import { columnSetProblem } from './placement';
import { MAX_PROJECT_NAME_LENGTH } from './project';

/** Adding, renaming, binding, limiting, reordering, hiding and deleting a board's columns: members only, one at a time per board. */

export const MAX_WIP_LIMIT = 100000;

export const ColumnInput = z.object({
  name: z
    .string({ error: 'Send the name once, as text.' })
    .trim()
    .min(1, 'Columns must have a name.')
    .max(MAX_PROJECT_NAME_LENGTH, `Column names are at most ${MAX_PROJECT_NAME_LENGTH} characters.`),
  status: z.string({ error: 'Send the status once, as text.' }).trim().default(''),
  limit: z
    .string({ error: 'Send the limit once, as text.' })
    .trim()
    .default('')
    .refine((v) => v === '' || (/^[0-9]{1,6}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_WIP_LIMIT), `A card limit is a whole number from 1 to ${MAX_WIP_LIMIT}, or empty for none.`),
  strict: z.enum(['', '1'], { error: 'Strict is "1" or empty.' }).default(''),
});
export type ColumnInput = z.infer<typeof ColumnInput>;

async function boardColumns(trx: Knex.Transaction, actor: Actor, projectId: number) {
  const project = await editableProject(trx, actor, projectId);
  return { project, columns: await boards.findColumns(trx, [projectId]) };
}

function columnOf(columns: boards.BoardColumn[], columnId: number): boards.BoardColumn {
  const column = columns.find((c) => c.id === columnId);
  if (!column) throw new NotFoundError('This board has no such column.');
  return column;
}

function checkSet(columns: boards.BoardColumn[], tracker: Tracker) {
  const problem = columnSetProblem(columns, tracker);
  if (problem) throw new ValidationError({ form: problem }, 409, 'column-set');
}

function toWrite(input: ColumnInput, tracker: Tracker): boards.ColumnWrite & { name: string; status: string | null } {
  const status = input.status === '' ? null : input.status;
  if (status !== null && !tracker.status(status)) {
    throw new ValidationError({ status: `"${status}" is not a status. Choose one of: ${tracker.statuses.map((s) => s.key).join(', ')}, or none.` });
  }
  return { name: input.name, status, wipLimit: input.limit === '' ? null : Number(input.limit), wipStrict: input.strict === '1' };
}

export async function addColumn(db: Knex, tracker: Tracker, actor: Actor, projectId: number, input: ColumnInput): Promise<number> {
  return db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const write = toWrite(input, tracker);
    checkSet([...columns, { id: 0, phid: '', projectId, sequence: 0, isDefault: false, hidden: false, proxyProjectId: null, ...write } as boards.BoardColumn], tracker);
    return boards.insertColumn(trx, projectId, write);
  });
}

/**
 * Binding a column to a status its cards do not match would break the rule the editor keeps;
 * such an edit is refused with the count, rather than silently changing those tasks.
 */
export async function editColumn(db: Knex, tracker: Tracker, actor: Actor, projectId: number, columnId: number, input: ColumnInput): Promise<void> {
  await db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const column = columnOf(columns, columnId);
    const write = toWrite(input, tracker);
    if (column.proxyProjectId !== null && write.status !== null) throw new ValidationError({ status: 'A milestone column can not be bound to a status.' });
    const next = columns.map((c) => (c.id === columnId ? { ...c, ...write } : c));
    checkSet(next, tracker);
    if (write.status !== null && write.status !== column.status) {
      const closed = tracker.isClosed(write.status);
      const mismatched = await cardRepo.countMismatched(trx, columnId, closed ? tracker.openStatusKeys : tracker.statuses.filter((s) => s.closed).map((s) => s.key));
      if (mismatched) {
        // No number: tasks the member may not see would show in it.
        throw new ValidationError(
          { status: `Some ${closed ? 'open' : 'closed'} tasks are in this column; move them out before binding it to ${tracker.statusName(write.status)}.` },
          409,
          'column-mismatch',
        );
      }
    }
    await boards.updateColumn(trx, columnId, write);
  });
}

export async function setColumnHidden(db: Knex, tracker: Tracker, actor: Actor, projectId: number, columnId: number, hidden: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const column = columnOf(columns, columnId);
    if (column.isDefault) throw new ValidationError({ form: `"${column.name}" is the default column, where newly tagged tasks go; it can not be hidden.` });
    if (column.proxyProjectId !== null) throw new ValidationError({ form: 'A milestone column shows while the milestone is open: close the milestone to hide it.' });
    checkSet(
      columns.map((c) => (c.id === columnId ? { ...c, hidden } : c)),
      tracker,
    );
    await boards.updateColumn(trx, columnId, { hidden });
  });
}

export async function moveColumn(db: Knex, actor: Actor, projectId: number, columnId: number, direction: 'left' | 'right'): Promise<void> {
  await db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const at = columns.findIndex((c) => c.id === columnId);
    if (at < 0) throw new NotFoundError('This board has no such column.');
    const order = [...columns];
    const to = direction === 'left' ? at - 1 : at + 1;
    if (to < 0 || to >= order.length) return;
    [order[at], order[to]] = [order[to]!, order[at]!];
    // A board has a handful of columns: numbering them all again keeps the order plain.
    for (const [i, c] of order.entries()) if (c.sequence !== i) await boards.updateColumn(trx, c.id, { sequence: i });
  });
}

export async function setDefaultColumn(db: Knex, tracker: Tracker, actor: Actor, projectId: number, columnId: number): Promise<void> {
  await db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const column = columnOf(columns, columnId);
    if (column.hidden || column.proxyProjectId !== null) throw new ValidationError({ form: 'The default column must be a visible column of this board.' });
    checkSet(
      columns.map((c) => ({ ...c, isDefault: c.id === columnId })),
      tracker,
    );
    const old = columns.find((c) => c.isDefault);
    if (old) await boards.updateColumn(trx, old.id, { isDefault: false });
    await boards.updateColumn(trx, columnId, { isDefault: true });
  });
}

/** Only an empty column is deleted: its cards' tasks would otherwise change without anyone choosing where. */
export async function deleteColumn(db: Knex, tracker: Tracker, actor: Actor, projectId: number, columnId: number): Promise<void> {
  await db.transaction(async (trx) => {
    const { columns } = await boardColumns(trx, actor, projectId);
    const column = columnOf(columns, columnId);
    if (column.isDefault) throw new ValidationError({ form: `"${column.name}" is the default column; make another column the default first.` });
    if (column.proxyProjectId !== null) throw new AppError(409, 'milestone-column', 'A milestone column goes away when the milestone is closed.');
    const count = (await cardRepo.countCards(trx, [columnId])).get(columnId) ?? 0;
    // The sentence gives no number: cards the member may not see would show in it.
    if (count) throw new ValidationError({ form: `"${column.name}" still holds cards: move them out (or hide the column) first.` }, 409, 'column-not-empty');
    checkSet(
      columns.filter((c) => c.id !== columnId),
      tracker,
    );
    await boards.deleteColumn(trx, columnId);
  });
}
