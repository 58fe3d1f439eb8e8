import { dueChangesAt } from '../../server/tasks/due';
import { dateTimeChangesAt, formatDateTime, isoDate } from '../../server/web/views/dates';
import { dueModel } from '../../server/web/views/due';

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string) => new Date(iso);
// A fixed "now", so no assertion depends on when the suite runs.
const NOW = at('2018-01-20T12:00:00Z');

describe('formatDateTime', () => {
  test('an old date shows its year and no weekday', () => {
    expect(formatDateTime(at('2017-01-05T20:14:00Z'), NOW, 'UTC')).toBe('Jan 5 2017, 8:14 PM');
  });

  test('within 30 days it shows the weekday instead of the year', () => {
    expect(formatDateTime(at('2018-01-05T20:14:00Z'), NOW, 'UTC')).toBe('Fri, Jan 5, 8:14 PM');
  });

  test('the 30 days are counted to the millisecond, both ways', () => {
    const edge = new Date(NOW.getTime() - 30 * DAY);
    expect(formatDateTime(edge, NOW, 'UTC')).toBe('Thu, Dec 21, 12:00 PM');
    expect(formatDateTime(new Date(edge.getTime() - 1), NOW, 'UTC')).toBe('Dec 21 2017, 11:59 AM');
    // A clock that runs behind the server's still gets the short form.
    const ahead = new Date(NOW.getTime() + 30 * DAY);
    expect(formatDateTime(ahead, NOW, 'UTC')).toBe('Mon, Feb 19, 12:00 PM');
    expect(formatDateTime(new Date(ahead.getTime() + 1), NOW, 'UTC')).toBe('Feb 19 2018, 12:00 PM');
  });

  test.each([
    ['2018-01-15T00:00:00Z', 'Mon, Jan 15, 12:00 AM'],
    ['2018-01-15T00:05:00Z', 'Mon, Jan 15, 12:05 AM'],
    ['2018-01-15T11:59:00Z', 'Mon, Jan 15, 11:59 AM'],
    ['2018-01-15T12:00:00Z', 'Mon, Jan 15, 12:00 PM'],
    ['2018-01-15T13:07:00Z', 'Mon, Jan 15, 1:07 PM'],
    ['2018-01-15T23:59:59Z', 'Mon, Jan 15, 11:59 PM'],
  ])('%s reads %s: midnight and noon are 12, minutes keep two digits', (iso, expected) => {
    expect(formatDateTime(at(iso), NOW, 'UTC')).toBe(expected);
  });

  test.each([
    ['UTC', 'Sat, Jan 6, 1:14 AM'],
    ['America/New_York', 'Fri, Jan 5, 8:14 PM'],
    ['Asia/Kolkata', 'Sat, Jan 6, 6:44 AM'],
    ['Pacific/Auckland', 'Sat, Jan 6, 2:14 PM'],
  ])('in %s the same moment reads %s', (zone, expected) => {
    expect(formatDateTime(at('2018-01-06T01:14:00Z'), NOW, zone)).toBe(expected);
  });

  test('the year is the one in the install time zone', () => {
    const newYear = at('2018-01-01T03:00:00Z');
    const later = at('2018-06-01T00:00:00Z');
    expect(formatDateTime(newYear, later, 'UTC')).toBe('Jan 1 2018, 3:00 AM');
    expect(formatDateTime(newYear, later, 'America/Los_Angeles')).toBe('Dec 31 2017, 7:00 PM');
  });

  test('daylight saving time is followed', () => {
    const summer = at('2018-07-04T16:00:00Z');
    const winter = at('2018-01-04T16:00:00Z');
    const later = at('2019-01-01T00:00:00Z');
    expect(formatDateTime(summer, later, 'Europe/Berlin')).toBe('Jul 4 2018, 6:00 PM');
    expect(formatDateTime(winter, later, 'Europe/Berlin')).toBe('Jan 4 2018, 5:00 PM');
  });
});

describe('isoDate', () => {
  test('is the UTC timestamp machines read', () => {
    expect(isoDate(at('2018-01-05T20:14:00Z'))).toBe('2018-01-05T20:14:00.000Z');
  });
});

describe('when time alone changes a date as shown', () => {
  const shownAt = (date: Date, now: number) => formatDateTime(date, new Date(now), 'Europe/Berlin');

  test('dateTimeChangesAt is the first instant at which formatDateTime reads otherwise', () => {
    for (const iso of ['2018-01-19T08:00:00Z', '2017-12-22T12:00:00Z', '2018-01-20T12:00:00Z', '2018-03-01T00:00:00Z', '2018-02-10T00:00:00Z']) {
      const date = at(iso);
      const changes = dateTimeChangesAt(date, NOW);
      expect(changes).toBeGreaterThan(NOW.getTime());
      expect(shownAt(date, changes - 1)).toBe(shownAt(date, NOW.getTime()));
      expect(shownAt(date, changes)).not.toBe(shownAt(date, NOW.getTime()));
    }
    // Older than 30 days: shown with its year from now on.
    expect(dateTimeChangesAt(at('2017-06-01T00:00:00Z'), NOW)).toBe(Infinity);
  });

  test('dueChangesAt is the first instant at which a due date reads otherwise: two days before, at its end, at the new year', () => {
    const tz = 'Europe/Berlin';
    const shown = (due: string, closed: boolean, now: number) => JSON.stringify(dueModel(due, closed, new Date(now), tz));
    for (const [due, closed] of [['2018-01-25', false], ['2018-01-21T09:30', false], ['2018-01-10', false], ['2018-03-01', true], ['2018-01-22', false]] as const) {
      let now = NOW.getTime();
      // Follow each due date through every change up to the next year's.
      for (let step = 0; step < 4; step++) {
        const changes = dueChangesAt(due, closed, new Date(now), tz);
        expect(changes).toBeGreaterThan(now);
        if (changes > at('2019-01-02T00:00:00Z').getTime()) break;
        expect(shown(due, closed, changes - 1)).toBe(shown(due, closed, now));
        expect(shown(due, closed, changes)).not.toBe(shown(due, closed, now));
        now = changes;
      }
    }
    expect(dueChangesAt(null, false, NOW, tz)).toBe(Infinity);
  });
});
