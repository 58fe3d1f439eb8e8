import type { Knex } from 'knex';
import type { GroupPart } from '../search/groups';
import type { Tracker } from '../tasks/task';
import { findUsersByIds } from '../users/repository';
import type { FieldDef } from './config';

/**
 * Lists grouped by a select or users field (group=custom.KEY), read group by
 * group as by project: a task naming two people is under each of them. Values
 * sort as the groups are shown: options in configured order (by their place,
 * "000", "001", …), people by username; NO_VALUE, after all, holds tasks without one.
 */

export const NO_VALUE = '~';

export const fieldOfGroup = (tracker: Tracker, group: string): FieldDef | undefined => {
  const def = group.startsWith('custom.') ? tracker.field(group.slice('custom.'.length)) : undefined;
  return def && (def.type === 'select' || def.type === 'users') ? def : undefined;
};

/** The fields a list may be grouped by. */
export const groupableFields = (tracker: Tracker): FieldDef[] => tracker.fields.filter((f) => f.type === 'select' || f.type === 'users');

const place = (i: number) => String(i).padStart(3, '0');

export async function fieldGroups(db: Knex, def: FieldDef): Promise<GroupPart[]> {
  const rows = (sub: Knex.QueryBuilder) => sub.select(db.raw('1')).from('task_field_values as fg').whereRaw('fg.task_id = tasks.id').where('fg.field_key', def.key);
  const none: GroupPart = { value: NO_VALUE, where: (qb) => qb.whereNotExists(rows) };
  if (def.type === 'select') {
    return [...def.options.map((o, i): GroupPart => ({ value: place(i), where: (qb) => qb.whereExists((sub) => rows(sub).where('fg.text_value', o.key)) })), none];
  }
  // The people the field names on any task: one pass over the field's rows.
  const found = await db('task_field_values').where('field_key', def.key).whereNotNull('user_ids').distinct(db.raw('unnest(user_ids) AS id'));
  const users = await findUsersByIds(db, (found as { id: number }[]).map((r) => Number(r.id)));
  const people = [...users.values()].map((u) => ({ id: u.id, value: u.username.toLowerCase() })).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return [...people.map((p): GroupPart => ({ value: p.value, where: (qb) => qb.whereExists((sub) => rows(sub).whereRaw('fg.user_ids @> ARRAY[?]::int[]', [p.id])) })), none];
}

/** A group header: the option's name or the username; "(No <field>)" for tasks without a value. */
export function fieldGroupLabel(def: FieldDef, value: string): string {
  if (value === NO_VALUE) return `(No ${def.name})`;
  if (def.type === 'select') return def.options[Number(value)]?.name ?? value;
  return value;
}
