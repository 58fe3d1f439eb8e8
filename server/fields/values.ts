import { dayName as calendarDayName, parseCalendarDay } from '../calendar-day';

/**
 * A custom field's value in its stored form: text and select keys as strings,
 * int as a number, bool as true (false is no value), a day as "YYYY-MM-DD",
 * users as sorted account ids. These pure helpers read and show them.
 */

/** "2026-02-28" when it is a real day; null for "2026-02-30" or anything else. */
export function parseDay(raw: string): string | null {
  return parseCalendarDay(raw) ? raw.trim() : null;
}

/** "Dec 11 2026", as Phabricator writes days. */
export function dayName(day: string): string {
  const [year, month, d] = day.split('-').map(Number);
  return calendarDayName({ year: year ?? 1, month: month ?? 1, day: d ?? 1 });
}

export function isEmptyField(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0);
}

export function sameField(a: unknown, b: unknown): boolean {
  if (isEmptyField(a) && isEmptyField(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Values by field key; an absent key has no value. */
export type FieldValues = Record<string, unknown>;
