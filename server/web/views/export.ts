import type { Tracker } from '../../tasks/task';
import type { Task } from '../../tasks/task';
import type { User } from '../../users/user';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_COLUMNS = ['id', 'monogram', 'title', 'status', 'priority', 'owner', 'author', 'created', 'updated', 'closed', 'due', 'url'] as const;
/** With points switched on, each row says them too (a number, or null for none). */
export type ExportColumn = (typeof EXPORT_COLUMNS)[number] | 'points';
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null> & { points?: number | null };

export function exportColumns(tracker: Tracker): ExportColumn[] {
  return tracker.points.enabled ? [...EXPORT_COLUMNS, 'points'] : [...EXPORT_COLUMNS];
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** One task as an export row: names as people read them, times in ISO 8601 UTC, absolute links. */
export function exportRow(t: Task, users: Map<number, User>, tracker: Tracker, baseUrl: string): ExportRow {
  return {
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
function csvField(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(values: (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The pieces of a streamed file: what comes first, each row (knowing whether it is the first), and what comes last. */
export interface ExportEncoder {
  start: string;
  row(r: ExportRow, first: boolean): string;
  end: string;
}

export function encoderFor(format: ExportFormat, columns: readonly ExportColumn[]): ExportEncoder {
  if (format === 'json') {
    return { start: '[', row: (r, first) => `${first ? '\n' : ',\n'}${JSON.stringify(r)}`, end: '\n]\n' };
  }
  return { start: csvLine([...columns]), row: (r) => csvLine(columns.map((c) => r[c] ?? null)), end: '' };
}

export const ENCODERS: Record<ExportFormat, ExportEncoder> = {
  csv: encoderFor('csv', EXPORT_COLUMNS),
  json: encoderFor('json', EXPORT_COLUMNS),
};

export function isExportFormat(v: string): v is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(v);
}

/** A file name that says what was exported; keys are letters and digits only. */
export function exportFileName(key: string | null, format: ExportFormat): string {
  return `trellis-tasks-${key ?? 'query'}.${format}`;
}
