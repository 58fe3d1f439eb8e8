import { clockTime, dayName, MONTHS, parseCalendarDay, weekday, WEEKDAYS, type CalendarDay } from '../calendar-day';
import { startOfDay, wallClock } from '../time-zone';
import { FieldProblem } from './events/types';

/**
 * Due dates. A due date is a calendar day of the install's time zone, with a
 * time of day when one was given; it is kept as text ("2026-12-11",
 * "2026-12-11T09:30") so it reads the same whatever the zone, and as the
 * instant it begins, which lists compare and order by.
 */
export type Due = string;

export interface DueParts {
  year: number;
  month: number;
  day: number;
  /** Minutes after midnight; null for a whole day. */
  minutes: number | null;
}

/** The years a due date may fall in: beyond them, list cursors could not carry the instant exactly. */
export const FIRST_DUE_YEAR = 1900;
export const LAST_DUE_YEAR = 2199;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function checkedDay(text: string): CalendarDay {
  if (!DATE.test(text)) throw new FieldProblem('due', `"${text}" is not a date: use YYYY-MM-DD, such as 2026-12-11.`);
  const d = parseCalendarDay(text);
  if (!d) throw new FieldProblem('due', `${text} is not a day of the calendar.`);
  if (d.year < FIRST_DUE_YEAR || d.year > LAST_DUE_YEAR) throw new FieldProblem('due', `A due date falls in the years ${FIRST_DUE_YEAR} to ${LAST_DUE_YEAR}.`);
  return d;
}

function checkedTime(text: string): number {
  const m = TIME.exec(text);
  const [hour, minute] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(hour <= 23 && minute <= 59)) throw new FieldProblem('due', `"${text}" is not a time of day: use HH:MM, such as 09:30 or 17:00.`);
  return hour * 60 + minute;
}

function format(p: DueParts): Due {
  const day = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  return p.minutes === null ? day : `${day}T${pad(Math.floor(p.minutes / 60))}:${pad(p.minutes % 60)}`;
}

/**
 * A due date from a form or the API: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" (also with a space), or a
 * date and a time given apart ({date, time}, as the form's two boxes send them). Empty removes it.
 */
export function parseDue(raw: unknown): Due | null {
  if (raw === null || raw === undefined) return null;
  let date: string;
  let time: string;
  if (typeof raw === 'string') {
    const text = raw.trim();
    const at = text.search(/[T ]/);
    [date, time] = at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1).trim()];
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if ((o.date !== undefined && typeof o.date !== 'string') || (o.time !== undefined && typeof o.time !== 'string')) {
      throw new FieldProblem('due', 'The due date must be text.');
    }
    [date, time] = [String(o.date ?? '').trim(), String(o.time ?? '').trim()];
  } else {
    throw new FieldProblem('due', 'The due date must be text such as 2026-12-11, or empty to remove it.');
  }
  if (!date && !time) return null;
  if (!date) throw new FieldProblem('due', 'A time needs a date: enter the day it is due, too.');
  const day = checkedDay(date);
  return format({ ...day, minutes: time ? checkedTime(time) : null });
}

/**
 * The parts of a stored due date. Stored ones have one shape (YYYY-MM-DD, then THH:MM or
 * nothing; the database checks it), so they are read by position: a list reads one per row.
 */
export function dueParts(due: Due): DueParts {
  const minutes = due.length > 10 ? Number(due.slice(11, 13)) * 60 + Number(due.slice(14, 16)) : null;
  return { year: Number(due.slice(0, 4)), month: Number(due.slice(5, 7)), day: Number(due.slice(8, 10)), minutes };
}

export const hasTime = (due: Due) => due.includes('T');

/**
 * The instant a due date begins in a time zone: its day's start, or its time. A time the clock
 * skips that day (a change to summer time) is read with the offset before the change.
 */
export function dueInstant(due: Due | null, timeZone: string): Date | null {
  if (due === null) return null;
  const p = dueParts(due);
  const start = startOfDay(p.year, p.month, p.day, timeZone);
  if (p.minutes === null) return start;
  const wanted = new Date(0).setUTCFullYear(p.year, p.month - 1, p.day) + p.minutes * 60000;
  let instant = start.getTime() + p.minutes * 60000;
  // Across a clock change between midnight and the time, the wall clock is off by the change: settle it.
  instant += wanted - wallClock(new Date(instant), timeZone).getTime();
  return new Date(instant);
}

/** The instant the day after a due date's day begins: until then, a whole-day due date is not missed. */
export function dueEnd(due: Due, timeZone: string): Date {
  if (hasTime(due)) return dueInstant(due, timeZone)!;
  const p = dueParts(due);
  return startOfDay(p.year, p.month, p.day + 1, timeZone);
}

/** "Dec 11 2026", "Dec 11 2026, 9:30 AM": as event sentences name a due date. */
export function dueText(due: Due): string {
  const p = dueParts(due);
  const day = dayName(p);
  return p.minutes === null ? day : `${day}, ${clockTime(p.minutes)}`;
}

/** "Fri, Dec 11", with the year when it is not `thisYear`, and the time when there is one. */
export function dueLabel(due: Due, thisYear: number): string {
  const p = dueParts(due);
  const day = `${WEEKDAYS[weekday(p)]}, ${MONTHS[p.month - 1]} ${p.day}${p.year === thisYear ? '' : ` ${p.year}`}`;
  return p.minutes === null ? day : `${day}, ${clockTime(p.minutes)}`;
}

export type Urgency = 'overdue' | 'soon' | null;

/** How near an open task's due date is: missed, or within two days. A closed task is never overdue. */
export function dueUrgency(due: Due | null, closed: boolean, now: Date, timeZone: string): Urgency {
  if (due === null || closed) return null;
  const end = dueEnd(due, timeZone).getTime();
  if (end <= now.getTime()) return 'overdue';
  return end - now.getTime() <= 2 * 24 * 60 * 60 * 1000 ? 'soon' : null;
}

/**
 * The next instant after `now` at which the due date shows differently (dueUrgency and the year
 * dueLabel leaves out): two days before it ends, when it ends, and the new year. Infinity without one.
 */
export function dueChangesAt(due: Due | null, closed: boolean, now: Date, timeZone: string): number {
  if (due === null) return Infinity;
  const t = now.getTime();
  const times = [startOfDay(today(now, timeZone).year + 1, 1, 1, timeZone).getTime()];
  if (!closed) {
    const end = dueEnd(due, timeZone).getTime();
    times.push(end - 2 * 24 * 60 * 60 * 1000, end);
  }
  return Math.min(...times.filter((x) => x > t));
}

/** Today's date in a time zone, as the parts of a day. */
export function today(now: Date, timeZone: string): { year: number; month: number; day: number } {
  const wall = wallClock(now, timeZone);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}
