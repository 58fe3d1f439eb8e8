const DAY = 24 * 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter costs a hundred times more than using one, and a list page formats a date per row: one per time zone, kept. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hour12: true,
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * "Jan 5 2018, 8:14 PM", or "Fri, Jan 5, 8:14 PM" within 30 days of now,
 * in the install's time zone.
 */
export function formatDateTime(date: Date, now: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const time = `${parts.hour}:${parts.minute} ${parts.dayPeriod}`;
  if (Math.abs(now.getTime() - date.getTime()) <= 30 * DAY) {
    return `${parts.weekday}, ${parts.month} ${parts.day}, ${time}`;
  }
  return `${parts.month} ${parts.day} ${parts.year}, ${time}`;
}

/** Machine-readable timestamp for <time datetime>. */
export function isoDate(date: Date): string {
  return date.toISOString();
}
