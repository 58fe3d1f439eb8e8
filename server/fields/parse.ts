import { MAX_LIST_ITEMS, count } from '../limits';
import { FieldProblem, type ParseContext } from '../tasks/events/types';
import { bareName, resolveUser } from '../tasks/events/users';
import type { Tracker } from '../tasks/task';
import type { FieldDef } from './config';
import { isEmptyField, parseDay, type FieldValues } from './values';

/** The form and API name of a field, as Phabricator's Conduit names it: "custom.<key>". */
export const fieldName = (key: string): string => `custom.${key}`;

const MAX_TEXT = 4000;

/** Turns one input (a form's string, an API's JSON value) into the stored form; null for no value. */
export async function parseFieldValue(def: FieldDef, raw: unknown, ctx: ParseContext): Promise<unknown> {
  const field = fieldName(def.key);
  const problem = (message: string) => new FieldProblem(field, `${def.name}: ${message}`);
  // NUL reads as U+FFFD, as in all text.
  const typed = typeof raw === 'string' ? raw.replaceAll('\u0000', '\uFFFD').trim() : raw;
  let value: unknown = null;
  if (typed === null || typed === undefined || typed === '' || (Array.isArray(typed) && typed.length === 0)) value = null;
  else if (def.type === 'text') {
    if (typeof typed !== 'string' && typeof typed !== 'number') throw problem('must be text.');
    if (String(typed).length > MAX_TEXT) throw problem(`must be at most ${count(MAX_TEXT)} characters.`);
    value = String(typed);
  } else if (def.type === 'int') {
    const text = String(typed);
    if (!/^-?[0-9]{1,15}$/.test(text) || typeof typed === 'boolean') throw problem(`"${text}" is not a whole number.`);
    value = Number(text);
  } else if (def.type === 'bool') {
    if (typed === true || typed === 'true' || typed === '1' || typed === 'on' || typed === 1) value = true;
    else if (typed === false || typed === 'false' || typed === '0' || typed === 0) value = null;
    else throw problem(`"${String(typed)}" is neither true nor false.`);
  } else if (def.type === 'date') {
    // Phabricator's API sends days as epoch seconds.
    if (typeof typed === 'number' && Number.isFinite(typed)) value = new Date(typed * 1000).toISOString().slice(0, 10);
    else if (typeof typed === 'string' && parseDay(typed)) value = parseDay(typed);
    else throw problem(`"${String(typed)}" is not a day; write it as YYYY-MM-DD, for example 2026-12-11.`);
  } else if (def.type === 'select') {
    const text = String(typed);
    const option = def.options.find((o) => o.key === text) ?? def.options.find((o) => o.name.toLowerCase() === text.toLowerCase());
    if (!option) throw problem(`"${text}" is not one of the options: ${def.options.map((o) => o.name).join(', ')}.`);
    value = option.key;
  } else if (def.type === 'users') {
    value = await parseUsers(def, typed, ctx);
  }
  if (def.required && isEmptyField(value)) throw new FieldProblem(field, `${def.name} is required.`);
  return value;
}

async function parseUsers(def: FieldDef, raw: unknown, ctx: ParseContext): Promise<number[] | null> {
  const field = fieldName(def.key);
  const list = typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : raw;
  if (!Array.isArray(list)) throw new FieldProblem(field, `${def.name}: name people by their usernames.`);
  if (list.length > MAX_LIST_ITEMS) throw new FieldProblem(field, `${def.name}: name at most ${count(MAX_LIST_ITEMS)} people.`);
  const found = await ctx.findUsers(
    list.filter((v): v is string => typeof v === 'string').map(bareName),
    list.filter((v): v is number => typeof v === 'number' && Number.isInteger(v)),
  );
  const known: ParseContext = {
    ...ctx,
    findUserByName: async (name) => found.byName.get(name.toLowerCase()) ?? null,
    findUserById: async (id) => found.byId.get(id) ?? null,
  };
  const ids = new Set<number>();
  for (const item of list) {
    try {
      ids.add((await resolveUser(item, known, field)).id);
    } catch (err) {
      if (err instanceof FieldProblem) throw new FieldProblem(field, `${def.name}: ${err.message}`);
      throw err;
    }
  }
  return ids.size ? [...ids].sort((a, b) => a - b) : null;
}

/** A change of custom fields: field key to raw input. Keys not configured are refused. */
export async function parseFieldChanges(raw: unknown, ctx: ParseContext, current: FieldValues): Promise<FieldValues> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FieldProblem('custom', 'Custom fields are changed as an object of field key to value.');
  const next: FieldValues = { ...current };
  for (const [key, input] of Object.entries(raw)) {
    const def = editableField(ctx.tracker, key);
    if (!def) throw new FieldProblem(fieldName(key), `"${key}" is not a custom field of this install.`);
    next[key] = await parseFieldValue(def, input, ctx);
  }
  return next;
}

export function editableField(tracker: Tracker, key: string): FieldDef | undefined {
  const def = tracker.field(key);
  return def?.edit ? def : undefined;
}
