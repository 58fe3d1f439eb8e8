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

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const p = Object.fromEntries(
    fieldsFormatter(timeZone)
      .formatToParts(new Date(instant))
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year);
  const wall = new Date(0).setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  return wall + ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 - Math.floor(instant / 1000) * 1000;
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
