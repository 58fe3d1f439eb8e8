/**
 * Calendar arithmetic in a named time zone. Intl knows the zones but is slow
 * (tens of microseconds a call, more to build a formatter), and a list page
 * needs a hundred dates: the zone's offset is asked of Intl once per quarter
 * hour of time and kept, and the rest is arithmetic on UTC fields.
 */

const fieldFormatters = new Map<string, Intl.DateTimeFormat>();

function fieldsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = fieldFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      era: 'short',
    });
    fieldFormatters.set(timeZone, f);
  }
  return f;
}

function askOffset(instant: number, timeZone: string): number {
  const p = Object.fromEntries(
    fieldsFormatter(timeZone)
      .formatToParts(new Date(instant))
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year);
  const wall = new Date(0).setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  return wall + ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 - Math.floor(instant / 1000) * 1000;
}

/** Zones change their offset only on a whole quarter hour of UTC. */
const QUARTER_HOUR = 15 * 60 * 1000;
/** Quarter hours remembered per zone before starting afresh: a few years' worth of list dates. */
const KEPT = 100_000;
const offsets = new Map<string, Map<number, number>>();

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const quarter = Math.floor(instant / QUARTER_HOUR);
  let offset = zone.get(quarter);
  if (offset === undefined) {
    if (zone.size >= KEPT) zone.clear();
    offset = askOffset(quarter * QUARTER_HOUR, timeZone);
    zone.set(quarter, offset);
  }
  return offset;
}

/** The zone's wall-clock time at `instant`, as a Date whose UTC fields read that wall clock. */
export function wallClock(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + offsetAt(instant.getTime(), timeZone));
}

/**
 * The instant a calendar day begins in a time zone. Where a clock change skips
 * midnight (some zones move from 23:59 to 01:00), the day begins at the first
 * instant that exists.
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  const wallMidnight = new Date(0).setUTCFullYear(year, month - 1, day);
  let instant = wallMidnight - offsetAt(wallMidnight, timeZone);
  // The offset at the guess may differ from the offset at the answer across a clock change: settle it.
  const settled = wallMidnight - offsetAt(instant, timeZone);
  if (settled !== instant) {
    const again = wallMidnight - offsetAt(settled, timeZone);
    // Midnight does not exist that day: the day begins when the clock jumps, the later of the two.
    instant = again === settled ? settled : Math.max(settled, again);
  }
  return new Date(instant);
}
