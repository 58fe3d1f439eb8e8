import type { Knex } from 'knex';
import type { FieldDef } from '../fields/config';
import type { FieldFilter } from '../fields/filter';
import { fieldName } from '../fields/parse';
import { isEmptyField, parseDay, type FieldValues } from '../fields/values';
import type { Change } from '../tasks/events/types';
import type { Tracker } from '../tasks/task';
import { findUsersByPhids } from '../users/repository';
import { callError, coreError } from './errors';

/**
 * Custom fields in the API, named as Phabricator names them ("custom.<key>"):
 * people as user PHIDs, days as epoch seconds (midnight UTC), options by key.
 */

type PhidOf = (userId: number | null) => string | null;

const epochOfDay = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);

export function apiFieldValue(def: FieldDef | undefined, v: unknown, phidOf: PhidOf): unknown {
  if (def?.type === 'bool') return v === true;
  if (isEmptyField(v)) return null;
  if (Array.isArray(v)) return v.map((id) => phidOf(Number(id)));
  if (def?.type === 'date' || (!def && typeof v === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v))) return epochOfDay(String(v));
  return v;
}

/** `fields` entries of a task in maniphest.search: every configured field, null when not set. */
export function apiFields(tracker: Tracker, values: FieldValues | undefined, phidOf: PhidOf): Record<string, unknown> {
  return Object.fromEntries(tracker.fields.map((f) => [fieldName(f.key), apiFieldValue(f, values?.[f.key], phidOf)]));
}

/** A custom event in transaction.search: Phabricator's core:customfield, the field named by its API key. */
export function apiFieldTransaction(tracker: Tracker, e: { old: unknown; new: unknown }, phidOf: PhidOf) {
  const side = (v: unknown) => (typeof v === 'object' && v !== null && 'key' in v ? (v as { key: string; value: unknown }) : { key: '', value: null });
  const from = side(e.old);
  const to = side(e.new);
  const key = to.key || from.key;
  const def = tracker.field(key);
  return { key: fieldName(key), old: apiFieldValue(def, from.value, phidOf), new: apiFieldValue(def, to.value, phidOf) };
}

/** Whether maniphest.edit takes this transaction type: custom.<key> of a configured, editable field. */
export function isFieldTransaction(tracker: Tracker, type: string): boolean {
  return type.startsWith('custom.') && Boolean(tracker.field(type.slice('custom.'.length))?.edit);
}

/** A custom.<key> transaction as a change; people may be named by PHID or username. */
export async function fieldTransaction(db: Knex, tracker: Tracker, key: string, type: string, value: unknown): Promise<Change> {
  const def = tracker.field(type.slice('custom.'.length))!;
  let input = value;
  if (def.type === 'users' && value !== null) {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw callError(`Transaction with key "${key}" (type "${type}") must have a list of user PHIDs as its value.`);
    const phids = value.filter((v: string) => v.startsWith('PHID-'));
    const found = new Map((await findUsersByPhids(db, phids)).map((u) => [u.phid, u.id]));
    input = value.map((v: string) => {
      if (!v.startsWith('PHID-')) return v;
      if (!found.has(v)) throw coreError(`User "${v}" is not a valid user.`);
      return found.get(v);
    });
  }
  return { type: 'custom', value: { [def.key]: input } };
}

/** The constraint names maniphest.search takes for custom fields: custom.<key> of each field with `search`. */
export const fieldConstraintNames = (tracker: Tracker): string[] => tracker.fields.filter((f) => f.search).map((f) => fieldName(f.key));

/**
 * custom.<key> constraints as conditions: text contains a string; int is a number or {"min", "max"};
 * bool is true or false; date is {"after", "before"} as days or epoch seconds; select is a list of
 * option keys; users a list of user PHIDs.
 */
export async function fieldConstraints(db: Knex, tracker: Tracker, constraints: Record<string, unknown>): Promise<FieldFilter[]> {
  const filters: FieldFilter[] = [];
  for (const [name, value] of Object.entries(constraints)) {
    const def = tracker.field(name.slice('custom.'.length));
    if (!name.startsWith('custom.') || !def?.search) continue;
    const wrong = (what: string) => callError(`Constraint "${name}" must be ${what}.`);
    const key = def.key;
    const bound = (v: unknown, what: string): number | string | undefined => {
      if (v === undefined || v === null) return undefined;
      if (def.type === 'int' && Number.isSafeInteger(v)) return v as number;
      if (def.type === 'date' && typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000).toISOString().slice(0, 10);
      if (def.type === 'date' && typeof v === 'string' && parseDay(v)) return parseDay(v)!;
      throw wrong(what);
    };
    switch (def.type) {
      case 'text':
        if (typeof value !== 'string') throw wrong('a string');
        filters.push({ key, kind: 'contains', text: value });
        break;
      case 'int':
      case 'date': {
        const what = def.type === 'int' ? 'a whole number or {"min": …, "max": …}' : '{"after": …, "before": …} with days as "YYYY-MM-DD" or epoch seconds';
        if (def.type === 'int' && Number.isSafeInteger(value)) filters.push({ key, kind: 'range', column: 'number_value', min: value as number, max: value as number });
        else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const v = value as Record<string, unknown>;
          const [lo, hi] = def.type === 'int' ? [v.min, v.max] : [v.after, v.before];
          filters.push({ key, kind: 'range', column: def.type === 'int' ? 'number_value' : 'date_value', min: bound(lo, what), max: bound(hi, what) });
        } else throw wrong(what);
        break;
      }
      case 'bool':
        if (typeof value !== 'boolean') throw wrong('true or false');
        filters.push({ key, kind: 'checked', value });
        break;
      case 'select':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw wrong(`a list of option keys (${def.options.map((o) => o.key).join(', ')})`);
        filters.push({ key, kind: 'any', values: value as string[] });
        break;
      case 'users': {
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw wrong('a list of user PHIDs');
        filters.push({ key, kind: 'users', ids: (await findUsersByPhids(db, value as string[])).map((u) => u.id) });
        break;
      }
    }
  }
  return filters;
}
