import { startOfDay } from '../../server/time-zone';

describe('startOfDay: when a calendar day begins in a time zone', () => {
  test.each([
    ['UTC', 2024, 1, 1, '2024-01-01T00:00:00.000Z'],
    ['east of UTC', 2024, 1, 1, '2023-12-31T15:00:00.000Z', 'Asia/Tokyo'],
    ['a zone a quarter hour off', 2024, 1, 1, '2023-12-31T18:15:00.000Z', 'Asia/Kathmandu'],
    ['west of UTC, in winter', 2024, 3, 10, '2024-03-10T08:00:00.000Z', 'America/Los_Angeles'],
    ['the day after clocks went forward', 2024, 3, 11, '2024-03-11T07:00:00.000Z', 'America/Los_Angeles'],
    ['the day clocks go back an hour after midnight', 2024, 10, 27, '2024-10-26T23:00:00.000Z', 'Europe/London'],
    ['a day whose midnight is skipped begins at 01:00', 2024, 9, 8, '2024-09-08T04:00:00.000Z', 'America/Santiago'],
    ['a day whose midnight comes after the clocks went back', 2024, 4, 7, '2024-04-07T04:00:00.000Z', 'America/Santiago'],
    ['years before 100 are not read as 19xx', 50, 1, 1, '0050-01-01T00:00:00.000Z'],
    ['a day past the end of a month rolls over', 2024, 2, 30, '2024-03-01T00:00:00.000Z'],
  ] as [string, number, number, number, string, string?][])('%s', (_name, year, month, day, expected, zone = 'UTC') => {
    expect(startOfDay(year, month, day, zone).toISOString()).toBe(expected);
  });
});
