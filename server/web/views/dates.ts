import { MONTHS, WEEKDAYS } from '../../calendar-day';
import { wallClock } from '../../time-zone';

const DAY = 24 * 60 * 60 * 1000;

/**
 * "Jan 5 2018, 8:14 PM", or "Fri, Jan 5, 8:14 PM" within 30 days of now,
 * in the install's time zone.
 */
export function formatDateTime(date: Date, now: Date, timeZone: string): string {
  const wall = wallClock(date, timeZone);
  const hour = wall.getUTCHours();
  const time = `${hour % 12 || 12}:${String(wall.getUTCMinutes()).padStart(2, '0')} ${hour < 12 ? 'AM' : 'PM'}`;
  const monthDay = `${MONTHS[wall.getUTCMonth()]} ${wall.getUTCDate()}`;
  if (Math.abs(now.getTime() - date.getTime()) <= 30 * DAY) {
    return `${WEEKDAYS[wall.getUTCDay()]}, ${monthDay}, ${time}`;
  }
  return `${monthDay} ${wall.getUTCFullYear()}, ${time}`;
}

/** The next instant after `now` at which formatDateTime shows `date` otherwise: when it enters or leaves the 30 days. Infinity for never. */
export function dateTimeChangesAt(date: Date, now: Date): number {
  const d = date.getTime();
  const t = now.getTime();
  if (d - t > 30 * DAY) return d - 30 * DAY;
  if (t - d <= 30 * DAY) return d + 30 * DAY + 1;
  return Infinity;
}

/** Machine-readable timestamp for <time datetime>. */
export function isoDate(date: Date): string {
  return date.toISOString();
}
