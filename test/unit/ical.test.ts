import { escapeText, foldLine, serializeCalendar } from '../../server/calendar/ical';

describe('the iCalendar writer', () => {
  test('text escapes backslash, semicolon, comma and line breaks', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(escapeText('bell\u0007')).toBe('bell');
  });

  test('lines fold at 75 octets with CRLF and a space, never inside a character', () => {
    const long = `SUMMARY:${'x'.repeat(200)}`;
    const folded = foldLine(long);
    const parts = folded.split('\r\n');
    expect(parts[0]).toHaveLength(75);
    expect(parts.slice(1).every((p) => p.startsWith(' ') && Buffer.byteLength(p) <= 75)).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(long);

    // Three-octet characters: a fold never splits one.
    const wide = `SUMMARY:${'€'.repeat(60)}`;
    const wideParts = foldLine(wide).split('\r\n');
    expect(wideParts.every((p) => Buffer.byteLength(p) <= 75)).toBe(true);
    expect(wideParts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(wide);
    expect(foldLine('SHORT:1')).toBe('SHORT:1');
  });

  test('a calendar of a whole-day and a timed event, every line ended by CRLF', () => {
    const ics = serializeCalendar({
      product: '-//Trellis//Due Dates//EN',
      name: "alice's due dates",
      events: [
        { uid: 'PHID-TASK-abc@trellis', summary: 'T12: Ship, then rest; maybe', url: 'https://t.example/T12', start: { date: '2026-12-11' }, stamp: new Date('2026-12-01T10:00:00Z') },
        { uid: 'PHID-TASK-def@trellis', summary: 'T13: Call', url: 'https://t.example/T13', description: 'Open, High', start: { at: new Date('2026-12-18T14:30:00Z') }, stamp: new Date('2026-12-02T08:05:09Z') },
      ],
    });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Trellis//Due Dates//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      "X-WR-CALNAME:alice's due dates",
      'BEGIN:VEVENT',
      'UID:PHID-TASK-abc@trellis',
      'DTSTAMP:20261201T100000Z',
      'DTSTART;VALUE=DATE:20261211',
      'SUMMARY:T12: Ship\\, then rest\\; maybe',
      'URL:https://t.example/T12',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:PHID-TASK-def@trellis',
      'DTSTAMP:20261202T080509Z',
      'DTSTART:20261218T143000Z',
      'SUMMARY:T13: Call',
      'DESCRIPTION:Open\\, High',
      'URL:https://t.example/T13',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });
});
