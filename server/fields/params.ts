import type { Knex } from 'knex';
import { findUsersByUsernames } from '../users/repository';
import type { Actor } from '../users/roles';
import type { Tracker } from '../tasks/task';
import type { FieldFilter } from './filter';
import { parseDay } from './values';

/**
 * Custom fields in a list's URL, one parameter per condition, named after the field:
 *   custom.KEY            text: contains; bool: yes or no; select: option keys, any of; users: usernames (or me), any of
 *   custom.KEY.is         text: exactly this
 *   custom.KEY.min, .max  int: bounds, included
 *   custom.KEY.after, .before  date: days, included
 */
export const FIELD_PARAM = /^custom\.(.+?)(\.(is|min|max|after|before))?$/;

export const isFieldParam = (name: string): boolean => name.startsWith('custom.');

/** Every custom condition of the parameters; problems are added under the parameter's name. */
export async function parseFieldParams(db: Knex, tracker: Tracker, viewer: Actor | null, raw: Record<string, unknown>, problems: Record<string, string>): Promise<FieldFilter[]> {
  const filters: FieldFilter[] = [];
  const entries = Object.entries(raw).filter(([name, v]) => isFieldParam(name) && typeof v === 'string' && v.trim() !== '') as [string, string][];
  const usernames = entries.flatMap(([name, v]) => (tracker.field(name.slice('custom.'.length))?.type === 'users' ? v.split(/[\s,]+/).filter((n) => n && n !== 'me') : []));
  const users = new Map((await findUsersByUsernames(db, usernames)).map((u) => [u.username.toLowerCase(), u.id]));
  for (const [name, value] of entries) {
    const m = FIELD_PARAM.exec(name);
    const def = m ? tracker.field(m[1]!) : undefined;
    const suffix = m?.[3];
    const v = value.trim();
    if (!def) {
      problems[name] = `"${name.slice('custom.'.length)}" is not a custom field of this install.`;
      continue;
    }
    const wrong = (message: string) => (problems[name] = `${def.name}: ${message}`);
    const key = def.key;
    switch (def.type) {
      case 'text':
        if (suffix && suffix !== 'is') wrong('use custom.KEY (contains) or custom.KEY.is (exactly).');
        else filters.push(suffix ? { key, kind: 'equals', text: v } : { key, kind: 'contains', text: v });
        break;
      case 'int': {
        if (suffix !== 'min' && suffix !== 'max') wrong('use custom.KEY.min and custom.KEY.max.');
        else if (!/^-?[0-9]{1,15}$/.test(v)) wrong(`"${v}" is not a whole number.`);
        else filters.push({ key, kind: 'range', column: 'number_value', [suffix]: Number(v) });
        break;
      }
      case 'date': {
        if (suffix !== 'after' && suffix !== 'before') wrong('use custom.KEY.after and custom.KEY.before.');
        else if (!parseDay(v)) wrong(`"${v}" is not a date: use YYYY-MM-DD.`);
        else filters.push({ key, kind: 'range', column: 'date_value', [suffix === 'after' ? 'min' : 'max']: parseDay(v)! });
        break;
      }
      case 'bool':
        if (suffix || !['yes', 'no', 'any'].includes(v.toLowerCase())) wrong(`"${v}" is not a choice here: use yes, no or any.`);
        else if (v.toLowerCase() !== 'any') filters.push({ key, kind: 'checked', value: v.toLowerCase() === 'yes' });
        break;
      case 'select': {
        const keys = v.split(/[\s,]+/).filter(Boolean);
        const unknown = keys.find((k) => !def.options.some((o) => o.key === k));
        if (suffix) wrong('use custom.KEY with option keys.');
        else if (unknown) wrong(`"${unknown}" is not an option. Use ${def.options.map((o) => o.key).join(', ')}.`);
        else filters.push({ key, kind: 'any', values: keys });
        break;
      }
      case 'users': {
        const ids: number[] = [];
        for (const n of v.split(/[\s,]+/).filter(Boolean)) {
          if (n === 'me' && viewer) ids.push(viewer.id);
          else if (users.has(n.replace(/^@/, '').toLowerCase())) ids.push(users.get(n.replace(/^@/, '').toLowerCase())!);
          // As for the other people filters, a visitor is not told which usernames exist.
          else if (viewer) wrong(`There is no user named "${n}".`);
        }
        if (suffix) wrong('use custom.KEY with usernames.');
        else filters.push({ key, kind: 'users', ids });
        break;
      }
    }
  }
  // Two bounds of one field are one range.
  const merged: FieldFilter[] = [];
  for (const f of filters) {
    const same = f.kind === 'range' ? merged.find((g) => g.kind === 'range' && g.key === f.key) : undefined;
    if (same && same.kind === 'range' && f.kind === 'range') Object.assign(same, f.min !== undefined ? { min: f.min } : {}, f.max !== undefined ? { max: f.max } : {});
    else merged.push(f);
  }
  return merged;
}
