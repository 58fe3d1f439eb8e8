import type { Knex } from 'knex';
import { ValidationError } from '../errors';
import type { TaskState } from '../tasks/task';
import { fieldName } from './parse';
import { sameField, type FieldValues } from './values';
import { eventsSince } from '../tasks/event-repository';

/**
 * The lost-edit check for custom fields: the edit form sends every field, so a field someone else
 * changed since the form was loaded keeps their value when this form only repeats the old one, and
 * is refused beside the field when this form changes it too.
 */
export async function checkFieldConflicts(trx: Knex.Transaction, taskId: number, plan: Map<string, unknown>, state: TaskState, base: number): Promise<void> {
  const mine = plan.get('custom') as FieldValues | undefined;
  if (!mine) return;
  const since = await eventsSince(trx, taskId, ['custom'], base);
  const next: FieldValues = { ...mine };
  const conflicts: Record<string, string> = {};
  for (const e of since) {
    const old = e.old as { key: string; value: unknown } | null;
    if (!old || old.key in conflicts || !(old.key in mine)) continue;
    const key = old.key;
    if (sameField(mine[key], old.value)) next[key] = state.custom[key] ?? null;
    else if (!sameField(mine[key], state.custom[key])) conflicts[fieldName(key)] = 'Someone else changed this while you were editing; it now has a newer value. Save again to replace it with yours.';
  }
  if (Object.keys(conflicts).length) throw new ValidationError(conflicts, 409, 'conflict');
  plan.set('custom', next);
}
