import { parseCalendarDay, type CalendarDay } from '../calendar-day';
import { startOfDay } from '../time-zone';
import type { DateRange } from './query';

function day(v: string | undefined, field: string, problems: Record<string, string>): CalendarDay | undefined {
  if (!v?.trim()) return undefined;
  const d = parseCalendarDay(v);
  if (!d) problems[field] = `"${v}" is not a date: use YYYY-MM-DD.`;
  return d ?? undefined;
}

/**
 * The days from `start` to `end`, both included, as the instants they span: days are the
 * install's calendar days, so "created on the 5th" means midnight to midnight where the team
 * works. Problems go under `<name>Start` and `<name>End`.
 */
export function dayRange(start: string | undefined, end: string | undefined, name: string, timeZone: string, problems: Record<string, string>): DateRange | undefined {
  const first = day(start, `${name}Start`, problems);
  const last = day(end, `${name}End`, problems);
  if (!first && !last) return undefined;
  const ordinal = (d: CalendarDay) => (d.year * 100 + d.month) * 100 + d.day;
  if (first && last && ordinal(first) > ordinal(last)) {
    problems[`${name}End`] = 'The end date is before the start date.';
  }
  const from = first ? startOfDay(first.year, first.month, first.day, timeZone) : undefined;
  // The end day is included: results before the next day begins. A bound past year 9999 limits nothing,
  // and not every driver can send it.
  const to = last && last.year < 9999 ? startOfDay(last.year, last.month, last.day + 1, timeZone) : undefined;
  return { from, to };
}
