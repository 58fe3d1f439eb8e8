import type { FieldDef } from '../../fields/config';
import { fieldName } from '../../fields/parse';
import type { FieldValues } from '../../fields/values';
import type { Tracker } from '../../tasks/task';

/**
 * The custom fields of the create and edit forms: one control per editable
 * field, filled from what was typed when a save was refused, else from the
 * task (or the defaults, for a new task). Usernames stand for people.
 */
export function fieldInputsModel(tracker: Tracker, values: FieldValues | null, userName: (id: number) => string, input: Record<string, unknown> | undefined, errors: Record<string, string>) {
  return tracker.fields
    .filter((f) => f.edit)
    .map((f) => {
      const name = fieldName(f.key);
      const typed = input?.[name];
      const stored = values ? values[f.key] : f.default;
      const value = typed !== undefined ? lastOf(typed) : shownValue(f, stored, userName);
      return {
        name,
        id: `f-custom-${f.key.replace(/[^A-Za-z0-9_-]/g, '-')}`,
        label: f.name,
        required: f.required,
        help: f.help,
        placeholder: f.placeholder,
        value,
        isText: f.type === 'text',
        isInt: f.type === 'int',
        isBool: f.type === 'bool',
        checked: f.type === 'bool' && ['true', 'on', '1'].includes(value),
        isDate: f.type === 'date',
        isSelect: f.type === 'select',
        isUsers: f.type === 'users',
        options: [{ value: '', label: '(None)', selected: value === '' }, ...f.options.map((o) => ({ value: o.key, label: o.name, selected: o.key === value }))],
        error: errors[name] ?? null,
      };
    });
}

/** The names of the form's field controls, so their problems are shown beside them. */
export const fieldControlNames = (tracker: Tracker): string[] => tracker.fields.filter((f) => f.edit).map((f) => fieldName(f.key));

// A checkbox comes with a hidden empty twin (so unchecking is sent too): the last value is the box's.
function lastOf(v: unknown): string {
  return Array.isArray(v) ? String(v.at(-1) ?? '') : String(v ?? '');
}

function shownValue(f: FieldDef, v: unknown, userName: (id: number) => string): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? userName(x) : String(x))).join(', ');
  if (f.type === 'bool') return v ? 'true' : '';
  return String(v);
}
