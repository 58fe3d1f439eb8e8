import type { Knex } from 'knex';
import { whereAny } from '../db/lists';
import type { FieldType } from './config';
import { isEmptyField, sameField, type FieldValues } from './values';

/** Custom field values of tasks: the task_field_values table, and nothing else. */

/** A stored value as read: a row of task_field_values, its day as text. */
export interface ValueRow {
  task_id: number;
  field_key: string;
  field_type: FieldType;
  text_value: string | null;
  number_value: string | number | null;
  date_value: string | null;
  user_ids: number[] | null;
}

const COLUMNS = ['task_id', 'field_key', 'field_type', 'text_value', 'number_value', 'user_ids'];

function decode(r: Pick<ValueRow, 'field_type' | 'text_value' | 'number_value' | 'date_value' | 'user_ids'>): unknown {
  switch (r.field_type) {
    case 'int':
      return Number(r.number_value);
    case 'bool':
      return Number(r.number_value) === 1;
    case 'date':
      return r.date_value;
    case 'users':
      return [...(r.user_ids ?? [])].sort((a, b) => a - b);
    default:
      return r.text_value;
  }
}

function encode(type: FieldType, v: unknown): Pick<ValueRow, 'text_value' | 'number_value' | 'date_value' | 'user_ids'> {
  const row = { text_value: null, number_value: null, date_value: null, user_ids: null };
  if (type === 'int') return { ...row, number_value: Number(v) };
  if (type === 'bool') return { ...row, number_value: 1 };
  if (type === 'date') return { ...row, date_value: String(v) };
  if (type === 'users') return { ...row, user_ids: v as number[] };
  return { ...row, text_value: String(v) };
}

/**
 * Every stored value of the row of `tasks`, configured fields or not, as a JSON list of rows for
 * `decodeValues`: a scalar subquery for the statement that reads a task with what hangs off it.
 */
export const TASK_FIELD_VALUES_JSON = `(SELECT coalesce(json_agg(json_build_object('field_key', v.field_key, 'field_type', v.field_type, 'text_value', v.text_value,
      'number_value', v.number_value, 'date_value', to_char(v.date_value, 'YYYY-MM-DD'), 'user_ids', v.user_ids) ORDER BY v.field_key), '[]')
    FROM task_field_values v WHERE v.task_id = tasks.id)`;

/** One task's stored values, by field key, from its rows. */
export function decodeValues(rows: Pick<ValueRow, 'field_key' | 'field_type' | 'text_value' | 'number_value' | 'date_value' | 'user_ids'>[]): FieldValues {
  return Object.fromEntries(rows.map((r) => [r.field_key, decode(r)]));
}

/** Every stored value of these tasks, configured fields or not, by task id. */
export async function loadFieldValues(db: Knex, taskIds: number[]): Promise<Map<number, FieldValues>> {
  const out = new Map<number, FieldValues>(taskIds.map((id) => [id, {}]));
  if (!taskIds.length) return out;
  // A day as text: pg would make it a Date at local midnight.
  const query = db('task_field_values').select(COLUMNS).select(db.raw(`to_char(date_value, 'YYYY-MM-DD') AS date_value`));
  const rows: ValueRow[] = await whereAny(query, 'task_id', taskIds, 'bigint').orderBy(['task_id', 'field_key']);
  for (const r of rows) out.get(r.task_id)![r.field_key] = decode(r);
  return out;
}

/** A value as a list row's JSON column holds it: the row's columns, then [id, username] of each person it names. */
export type FieldValueJson = [string, FieldType, string | null, number | null, string | null, number[] | null, [number, string | null][] | null];

/**
 * The values of the fields `keys` of the task in `taskColumn`, as one JSON column: a list row reads them in
 * its page's statement. Each value carries the names of the people it names (null for an account that is
 * gone), each found by its own probe of the primary key, which no lack of statistics turns into a scan.
 */
export function fieldValuesExpr(taskColumn: string, keys: string[]): { sql: string; bindings: Knex.Value[] } {
  return {
    sql: `(SELECT json_agg(json_build_array(v.field_key, v.field_type, v.text_value, v.number_value, to_char(v.date_value, 'YYYY-MM-DD'), v.user_ids,
        (SELECT json_agg(json_build_array(x.id, (SELECT u.username FROM users u WHERE u.id = x.id))) FROM unnest(v.user_ids) AS x(id))))
      FROM task_field_values v WHERE v.task_id = ${taskColumn} AND v.field_key = ANY(?::text[]))`,
    bindings: [keys],
  };
}

export function readFieldValuesJson(json: FieldValueJson[] | null): { values: FieldValues; users: [number, string][] } {
  const values: FieldValues = {};
  const users: [number, string][] = [];
  for (const [field_key, field_type, text_value, number_value, date_value, user_ids, names] of json ?? []) {
    values[field_key] = decode({ field_type, text_value, number_value, date_value, user_ids });
    for (const [id, name] of names ?? []) if (name !== null) users.push([id, name]);
  }
  return { values, users };
}

/** Writes what changed between two sets of values: an emptied field loses its row. */
export async function writeFieldValues(trx: Knex.Transaction, taskId: number, before: FieldValues, after: FieldValues, typeOf: (key: string) => FieldType | undefined): Promise<void> {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (sameField(before[key], after[key])) continue;
    const type = typeOf(key);
    if (isEmptyField(after[key]) || !type) {
      await trx('task_field_values').where({ task_id: taskId, field_key: key }).del();
      continue;
    }
    await trx('task_field_values')
      .insert({ task_id: taskId, field_key: key, field_type: type, ...encode(type, after[key]) })
      .onConflict(['task_id', 'field_key'])
      .merge();
  }
}
