import { parseTree } from 'jsonc-parser';
import { z } from 'zod';
import type { PathProblem } from '../tasks/workflow';
import { parseDay } from './values';

/**
 * Custom fields of the TRELLIS_CONFIG file, under `fields`, in the shape of
 * Phabricator's maniphest.custom-field-definitions so that an install's
 * definitions can be pasted in. Checked by hand rather than by a schema so
 * that each problem names its field and key plainly, all of them at once.
 */

export const FIELD_TYPES = ['text', 'int', 'bool', 'date', 'select', 'users'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Phabricator's types that Trellis has no form for, with what to use instead. */
const UNSUPPORTED: Record<string, string> = {
  remarkup: 'use "text", or write it in the description',
  link: 'use "text"',
  header: 'Trellis shows fields in one Details section',
  datasource: 'use "users" or "select"',
  credential: 'Trellis keeps no credentials',
};

/** The keys a definition may have; Phabricator's display hints are accepted, some used, the rest ignored. */
const KNOWN_KEYS = new Set([
  'name', 'type', 'required', 'default', 'search', 'copy', 'list', 'options', 'disabled', 'view', 'edit',
  'description', 'caption', 'instructions', 'placeholder', 'fulltext', 'strings', 'limit', 'list.icon', 'list.label',
]);

export const FIELD_KEY = /^[A-Za-z0-9][A-Za-z0-9:_-]{0,63}$/;

export interface FieldOption {
  key: string;
  name: string;
}

export type FieldValue = string | number | boolean | number[];

export interface FieldDef {
  key: string;
  name: string;
  type: FieldType;
  required: boolean;
  /** Already in the stored form (a select's option key, a day as YYYY-MM-DD); users defaults are usernames, resolved at creation. */
  default: FieldValue | string[] | null;
  /** Offered in the query form and as a Conduit constraint. */
  search: boolean;
  /** Carried to a subtask created from the task. */
  copy: boolean;
  /** Shown in list rows. */
  list: boolean;
  /** Shown on the task page (Phabricator's `view`). */
  view: boolean;
  /** Offered on the forms (Phabricator's `edit`). */
  edit: boolean;
  options: FieldOption[];
  /** Help under the input: Phabricator's description, caption or instructions. */
  help: string;
  placeholder: string;
}

export const FieldsFile = z.record(z.string(), z.unknown());
export type FieldsFile = z.infer<typeof FieldsFile>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Checked {
  fields: FieldDef[];
  problems: PathProblem[];
}

function checkDefault(def: FieldDef, raw: unknown, problem: (m: string) => void): FieldDef['default'] {
  if (raw === undefined || raw === null) return null;
  const empty = raw === '' || (Array.isArray(raw) && raw.length === 0);
  if (empty) return null;
  switch (def.type) {
    case 'text':
      if (typeof raw === 'string') return raw;
      break;
    case 'int':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      if (typeof raw === 'string' && /^-?[0-9]{1,15}$/.test(raw.trim())) return Number(raw);
      problem('must be a whole number');
      return null;
    case 'bool':
      if (typeof raw === 'boolean') return raw || null;
      problem('must be true or false');
      return null;
    case 'date': {
      if (typeof raw === 'string' && parseDay(raw)) return parseDay(raw);
      problem(`"${String(raw)}" is not a day written YYYY-MM-DD`);
      return null;
    }
    case 'select':
      if (typeof raw === 'string' && def.options.some((o) => o.key === raw)) return raw;
      problem(`"${String(raw)}" is not among the options (${def.options.map((o) => o.key).join(', ')})`);
      return null;
    case 'users':
      if (Array.isArray(raw) && raw.every((u) => typeof u === 'string' && u.trim() !== '')) return raw.map((u) => String(u).trim().replace(/^@/, ''));
      problem('must be a list of usernames');
      return null;
  }
  problem(`must be a ${def.type} value`);
  return null;
}

function flag(raw: Record<string, unknown>, key: string, fallback: boolean, at: (string | number)[], problems: PathProblem[]): boolean {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  // Phabricator's `list` names where to show it ("icon", "attribute", "byline"); anywhere means shown.
  if (key === 'list' && typeof v === 'string' && ['icon', 'attribute', 'byline'].includes(v)) return true;
  problems.push({ path: [...at, key], message: key === 'list' ? 'must be true, false, "icon", "attribute" or "byline"' : 'must be true or false' });
  return fallback;
}

function text(raw: Record<string, unknown>, key: string, at: (string | number)[], problems: PathProblem[]): string {
  const v = raw[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  problems.push({ path: [...at, key], message: 'must be a string' });
  return '';
}

function checkOptions(raw: unknown, at: (string | number)[], problems: PathProblem[]): FieldOption[] {
  if (raw === undefined) {
    problems.push({ path: at, message: 'a select field needs "options": { "key": "Name", … }' });
    return [];
  }
  if (!isObject(raw)) {
    problems.push({ path: [...at, 'options'], message: 'must be an object of option key to name, as { "sev1": "Sev 1" }' });
    return [];
  }
  const options: FieldOption[] = [];
  for (const [key, name] of Object.entries(raw)) {
    if (!FIELD_KEY.test(key)) problems.push({ path: [...at, 'options', key], message: `option key "${key}" may hold only letters, digits, ":", "-" and "_" (1-64)` });
    else if (typeof name !== 'string' || name.trim() === '') problems.push({ path: [...at, 'options', key], message: 'the option needs a name (a non-empty string)' });
    else options.push({ key, name });
  }
  if (!options.length && !problems.some((p) => p.path.join('.').startsWith([...at, 'options'].join('.')))) {
    problems.push({ path: [...at, 'options'], message: 'a select field needs at least one option' });
  }
  return options;
}

/** Every problem of the `fields` section at once, and the definitions of the fields that are in use (not `disabled`). */
export function checkFields(raw: FieldsFile | undefined): Checked {
  const problems: PathProblem[] = [];
  const fields: FieldDef[] = [];
  const names = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const [key, entry] of Object.entries(raw ?? {})) {
    const at = ['fields', key];
    const before = problems.length;
    if (!FIELD_KEY.test(key)) {
      problems.push({ path: at, message: `the key "${key}" may hold only letters, digits, ":", "-" and "_", 1-64 of them, starting with a letter or digit` });
    } else if (keys.has(key.toLowerCase())) {
      problems.push({ path: at, message: `"${key}" differs from "${keys.get(key.toLowerCase())}" only in case; keys must differ in more` });
    }
    keys.set(key.toLowerCase(), key);
    if (!isObject(entry)) {
      problems.push({ path: at, message: 'must be an object such as { "name": "Customer", "type": "text" }' });
      continue;
    }
    for (const k of Object.keys(entry)) {
      if (!KNOWN_KEYS.has(k)) problems.push({ path: [...at, k], message: `"${k}" is not a field setting; use ${[...KNOWN_KEYS].slice(0, 11).join(', ')}` });
    }
    const name = typeof entry.name === 'string' ? entry.name.trim() : '';
    if (!name) problems.push({ path: entry.name === undefined ? at : [...at, 'name'], message: 'the field needs a "name" (a non-empty string)' });
    else if (names.has(name.toLowerCase())) problems.push({ path: [...at, 'name'], message: `the name "${name}" is already the name of field "${names.get(name.toLowerCase())}"` });
    else names.set(name.toLowerCase(), key);
    const type = entry.type;
    if (type === undefined) problems.push({ path: at, message: `the field needs a "type": one of ${FIELD_TYPES.join(', ')}` });
    else if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
      const hint = typeof type === 'string' && UNSUPPORTED[type] ? ` ("${type}" is not supported: ${UNSUPPORTED[type]})` : '';
      problems.push({ path: [...at, 'type'], message: `"${String(type)}" is not a field type; use one of ${FIELD_TYPES.join(', ')}${hint}` });
    }
    const def: FieldDef = {
      key,
      name,
      type: type as FieldType,
      required: flag(entry, 'required', false, at, problems),
      default: null,
      search: flag(entry, 'search', false, at, problems),
      copy: flag(entry, 'copy', false, at, problems),
      list: flag(entry, 'list', false, at, problems),
      view: flag(entry, 'view', true, at, problems),
      edit: flag(entry, 'edit', true, at, problems),
      options: type === 'select' ? checkOptions(entry.options, at, problems) : [],
      help: text(entry, 'description', at, problems) || text(entry, 'caption', at, problems) || text(entry, 'instructions', at, problems),
      placeholder: text(entry, 'placeholder', at, problems),
    };
    if (type !== 'select' && entry.options !== undefined && (FIELD_TYPES as readonly string[]).includes(String(type))) {
      problems.push({ path: [...at, 'options'], message: `only select fields have options; this one is ${String(type)}` });
    }
    const disabled = flag(entry, 'disabled', false, at, problems);
    if (problems.length === before) def.default = checkDefault(def, entry.default, (message) => problems.push({ path: [...at, 'default'], message }));
    if (def.required && !def.edit) problems.push({ path: [...at, 'edit'], message: 'a required field must be editable' });
    if (problems.length === before && !disabled) fields.push(def);
  }
  return { fields, problems };
}

/** JSON keeps the last of two equal keys silently: a field defined twice is a problem at its second definition. */
export function repeatedFieldKeys(file: { path: string; text: string }): string[] {
  const tree = parseTree(file.text);
  const fields = tree?.children?.find((p) => p.children?.[0]?.value === 'fields')?.children?.[1];
  if (fields?.type !== 'object') return [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const prop of fields.children ?? []) {
    const key = String(prop.children?.[0]?.value);
    if (seen.has(key)) {
      const before = file.text.slice(0, prop.offset).split('\n');
      problems.push(`${file.path}:${before.length}:${before.at(-1)!.length + 1}: fields.${key}: the field "${key}" is defined twice; the second definition would replace the first`);
    }
    seen.add(key);
  }
  return problems;
}
