import type { Tracker } from '../tasks/task';
import type { FieldDef } from './config';
import { dayName, isEmptyField, type FieldValues } from './values';

/** How values read to people: option names, days as "Dec 11 2026", people by username. */

export type UserNames = (id: number) => string;

export function fieldText(def: FieldDef | undefined, v: unknown, userName: UserNames): string {
  if (isEmptyField(v)) return '';
  if (Array.isArray(v)) return v.map((id) => userName(Number(id))).join(', ');
  if (v === true) return 'Yes';
  if (def?.type === 'select') return def.options.find((o) => o.key === v)?.name ?? String(v);
  if (def?.type === 'date') return dayName(String(v));
  return String(v);
}

/** Every person a set of values names, for one lookup. */
export function fieldUserIds(values: Iterable<FieldValues>): number[] {
  const ids = new Set<number>();
  for (const set of values) for (const v of Object.values(set)) if (Array.isArray(v)) for (const id of v) ids.add(Number(id));
  return [...ids];
}

export interface ShownField {
  key: string;
  name: string;
  text: string;
}

/** The task page's Details: configured fields with a value, then stored values of fields no longer configured. */
export function fieldDetails(tracker: Tracker, values: FieldValues, userName: UserNames): { details: ShownField[]; retired: ShownField[] } {
  const details = tracker.fields
    .filter((f) => f.view && !isEmptyField(values[f.key]))
    .map((f) => ({ key: f.key, name: f.name, text: fieldText(f, values[f.key], userName) }));
  const retired = Object.keys(values)
    .filter((k) => !tracker.field(k) && !isEmptyField(values[k]))
    .map((k) => ({ key: k, name: k, text: fieldText(undefined, values[k], userName) }));
  return { details, retired };
}

/** A list row's fields: those with `list` that have a value, as "Name: value". */
export function listedFieldTexts(tracker: Tracker, values: FieldValues | undefined, userName: UserNames): ShownField[] {
  if (!values) return [];
  return tracker.fields.filter((f) => f.list && !isEmptyField(values[f.key])).map((f) => ({ key: f.key, name: f.name, text: fieldText(f, values[f.key], userName) }));
}
