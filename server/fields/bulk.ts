import type { Knex } from 'knex';
import type { Change } from '../tasks/events/types';
import type { Tracker } from '../tasks/task';
import { findUsersByUsernames } from '../users/repository';
import { editableField } from './parse';
import { parseDay } from './values';

/**
 * A bulk edit's "Set field … to …": one custom field, one value for every task, checked once
 * here so that a typo is one message rather than one per task. An empty value clears the field.
 */
export async function planFieldBulkEdit(db: Knex, tracker: Tracker, key: string, raw: string, problems: Record<string, string>): Promise<Change | null> {
  const def = editableField(tracker, key);
  if (!def) {
    problems.field = `"${key}" is not a custom field you can set.`;
    return null;
  }
  const v = raw.trim();
  const wrong = (message: string) => {
    problems.fieldValue = `${def.name}: ${message}`;
    return null;
  };
  if (v === '') return def.required ? wrong('is required, so it can not be cleared.') : { type: 'custom', value: { [def.key]: '' } };
  if (def.type === 'int' && !/^-?[0-9]{1,15}$/.test(v)) return wrong(`"${v}" is not a whole number.`);
  if (def.type === 'date' && !parseDay(v)) return wrong(`"${v}" is not a day; write it as YYYY-MM-DD.`);
  if (def.type === 'bool' && !['yes', 'no', 'true', 'false'].includes(v.toLowerCase())) return wrong('use yes or no.');
  if (def.type === 'select' && !def.options.some((o) => o.key === v || o.name.toLowerCase() === v.toLowerCase())) {
    return wrong(`"${v}" is not one of the options: ${def.options.map((o) => o.name).join(', ')}.`);
  }
  if (def.type === 'users') {
    const names = v.split(/[\s,]+/).map((n) => n.replace(/^@/, '')).filter(Boolean);
    const users = new Map((await findUsersByUsernames(db, names)).map((u) => [u.username.toLowerCase(), u]));
    for (const n of names) {
      const user = users.get(n.toLowerCase());
      if (!user) return wrong(`There is no user named "${n}".`);
      if (user.disabledAt) return wrong(`The account "${user.username}" is disabled.`);
    }
  }
  const value = def.type === 'bool' ? ['yes', 'true'].includes(v.toLowerCase()) : v;
  return { type: 'custom', value: { [def.key]: value } };
}
