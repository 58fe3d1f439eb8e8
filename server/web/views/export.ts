import type { FieldDef } from '../../fields/config';
import { fieldName } from '../../fields/parse';
import type { UserNames } from '../../fields/show';
import { isEmptyField, type FieldValues } from '../../fields/values';
import type { Tracker } from '../../tasks/task';
import type { Task } from '../../tasks/task';
import type { User } from '../../users/user';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_COLUMNS = ['id', 'monogram', 'title', 'status', 'priority', 'owner', 'author', 'created', 'updated', 'closed', 'due', 'url'] as const;
type ExportValue = string | number | boolean | string[] | null;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null> & Record<string, ExportValue>;

/**
 * The columns of an export: the task's own, its points when the install has them, then one
 * per configured custom field, named as the API names it.
 */
export function exportColumns(tracker: Tracker): string[] {
  return [...EXPORT_COLUMNS, ...(tracker.points.enabled ? ['points'] : []), ...tracker.fields.map((f) => fieldName(f.key))];
}

/** A custom field's value in an export: option names, days as YYYY-MM-DD, people by username; null when not set. */
function fieldExport(def: FieldDef, v: unknown, userName: UserNames): ExportValue {
  if (isEmptyField(v)) return def.type === 'bool' ? false : null;
  if (Array.isArray(v)) return v.map((id) => userName(Number(id)));
  if (def.type === 'select') return def.options.find((o) => o.key === v)?.name ?? String(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** One task as an export row: names as people read them, times in ISO 8601 UTC, absolute links. */
export function exportRow(t: Task, users: Map<number, User>, tracker: Tracker, baseUrl: string, fields?: { values: FieldValues; userName: UserNames }): ExportRow {
  const custom = Object.fromEntries(tracker.fields.map((f) => [fieldName(f.key), fieldExport(f, fields?.values[f.key], fields?.userName ?? String)]));
  return {
    ...custom,
    id: t.id,
    monogram: `T${t.id}`,
    title: t.title,
    status: tracker.statusName(t.status),
    priority: tracker.priorityName(t.priority),
    owner: t.ownerId ? (users.get(t.ownerId)?.username ?? null) : null,
    author: users.get(t.authorId)?.username ?? null,
    created: t.createdAt.toISOString(),
    updated: t.updatedAt.toISOString(),
    closed: t.closedAt ? t.closedAt.toISOString() : null,
    // As it was given, a day of the install's calendar: "2026-12-11", or "2026-12-11T09:30" with a time.
    due: t.due,
    url: `${baseUrl}/T${t.id}`,
    ...(tracker.points.enabled ? { points: t.points } : {}),
  };
}

/**
 * One CSV field per RFC 4180, made safe for spreadsheets: a value a
 * spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return
 * first) gets a leading apostrophe, so it is shown as text.
 */
function csvField(value: ExportValue | undefined): string {
  let s = value === null || value === undefined || value === false ? '' : value === true ? 'yes' : Array.isArray(value) ? value.join(', ') : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(values: (ExportValue | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The pieces of a streamed file: what comes first, each row (knowing whether it is the first), and what comes last. */
export interface ExportEncoder {
  start: string;
  row(r: ExportRow, first: boolean): string;
  end: string;
}

export function encoders(columns: string[]): Record<ExportFormat, ExportEncoder> {
  return {
    csv: {
      start: csvLine(columns),
      row: (r) => csvLine(columns.map((c) => r[c])),
      end: '',
    },
    json: {
      start: '[',
      // The task's own columns first, then the fields, whatever order the row was built in.
      row: (r, first) => `${first ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))}`,
      end: '\n]\n',
    },
  };
}

export const ENCODERS = encoders([...EXPORT_COLUMNS]);

export function isExportFormat(v: string): v is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(v);
}

/** A file name that says what was exported; keys are letters and digits only. */
export function exportFileName(key: string | null, format: ExportFormat): string {
  return `trellis-tasks-${key ?? 'query'}.${format}`;
}
