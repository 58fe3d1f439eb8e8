/**
 * Calendar days as people type them (YYYY-MM-DD) and as Trellis writes them
 * ("Dec 11 2026"): one parser and one set of names for due dates, date
 * fields, date filters and timestamps.
 */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The day "YYYY-MM-DD" names, or null when it names none (2026-02-30, year 0, other shapes). */
export function parseCalendarDay(text: string): CalendarDay | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999; there is no year 0.
  const date = new Date(new Date(0).setUTCFullYear(year, month - 1, day));
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** Sunday 0 to Saturday 6. */
export function weekday(d: CalendarDay): number {
  return new Date(new Date(0).setUTCFullYear(d.year, d.month - 1, d.day)).getUTCDay();
}

/** "Dec 11 2026", as Phabricator writes days. */
export function dayName(d: CalendarDay): string {
  return `${MONTHS[d.month - 1]} ${d.day} ${d.year}`;
}

/** "9:30 AM" for minutes after midnight. */
export function clockTime(minutes: number): string {
  const hour = Math.floor(minutes / 60);
  return `${hour % 12 || 12}:${String(minutes % 60).padStart(2, '0')} ${hour < 12 ? 'AM' : 'PM'}`;
}
