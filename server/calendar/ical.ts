/**
 * A small iCalendar (RFC 5545) writer for what the due date feed needs:
 * a VCALENDAR of VEVENTs, whole days as DATE values, times in UTC.
 */

export interface CalendarEvent {
  /** Stable across feeds, so calendar apps update an event instead of adding another. */
  uid: string;
  summary: string;
  url: string;
  description?: string;
  /** A whole day ("YYYY-MM-DD"), or an instant. */
  start: { date: string } | { at: Date };
  /** When the event's information last changed (DTSTAMP). */
  stamp: Date;
}

export interface Calendar {
  /** PRODID: who made the file. */
  product: string;
  name: string;
  events: CalendarEvent[];
}

/** TEXT values escape backslashes, semicolons, commas and line breaks (section 3.3.11). */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/**
 * Lines longer than 75 octets are folded: CRLF and a space, never inside a
 * UTF-8 character (section 3.1). The space starts each continuation, so those
 * carry 74 octets of the line.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of line) {
    const octets = Buffer.byteLength(ch, 'utf8');
    const limit = parts.length === 0 ? 75 : 74;
    if (size + octets > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += octets;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 20261211T143000Z */
function utcDateTime(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function eventLines(e: CalendarEvent): string[] {
  const start = 'date' in e.start ? `DTSTART;VALUE=DATE:${e.start.date.replaceAll('-', '')}` : `DTSTART:${utcDateTime(e.start.at)}`;
  return [
    'BEGIN:VEVENT',
    `UID:${escapeText(e.uid)}`,
    `DTSTAMP:${utcDateTime(e.stamp)}`,
    start,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    // URI values are not TEXT: they are written as they are, without escapes.
    `URL:${e.url}`,
    'TRANSP:TRANSPARENT',
    'END:VEVENT',
  ];
}

/** The whole file: every line folded and ended by CRLF. */
export function serializeCalendar(c: Calendar): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(c.product)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(c.name)}`,
    ...c.events.flatMap(eventLines),
    'END:VCALENDAR',
  ];
  return lines.map((l) => `${foldLine(l)}\r\n`).join('');
}
