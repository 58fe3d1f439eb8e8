const DAY = 24 * 60 * 60 * 1000;

/**
 * "Jan 5 2018, 8:14 PM", or "Fri, Jan 5, 8:14 PM" within 30 days of now,
 * in the install's time zone.
 */
export function formatDateTime(date: Date, now: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hour12: true,
    })
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
