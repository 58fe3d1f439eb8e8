import { buildTrackerConfig } from '../../server/tracker-config';
import { dueInstant, dueLabel, dueText, dueUrgency, parseDue } from '../../server/tasks/due';
import { describeEvent } from '../../server/tasks/events/registry';
import type { UserRef } from '../../server/tasks/events/sentence';
import { FieldProblem } from '../../server/tasks/events/types';
import { Tracker } from '../../server/tasks/task';

const problem = (raw: unknown): string => {
  try {
    parseDue(raw);
  } catch (err) {
    if (err instanceof FieldProblem) return `${err.field}: ${err.message}`;
    throw err;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
};

describe('parsing a due date', () => {
  test.each([
    ['2026-12-11', '2026-12-11'],
    ['  2026-12-11 ', '2026-12-11'],
    ['2026-12-11T09:30', '2026-12-11T09:30'],
    ['2026-12-11 9:30', '2026-12-11T09:30'],
    ['2028-02-29', '2028-02-29'],
  ])('%s reads as %s', (raw, expected) => {
    expect(parseDue(raw)).toBe(expected);
  });

  test('a date and a time given apart, as the form sends them', () => {
    expect(parseDue({ date: '2026-12-11', time: '17:05' })).toBe('2026-12-11T17:05');
    expect(parseDue({ date: '2026-12-11', time: '' })).toBe('2026-12-11');
  });

  test('empty removes it', () => {
    expect(parseDue('')).toBeNull();
    expect(parseDue(null)).toBeNull();
    expect(parseDue({ date: '', time: '' })).toBeNull();
  });

  test.each([
    ['2026-02-30', 'due: 2026-02-30 is not a day of the calendar.'],
    ['2026-13-01', 'due: 2026-13-01 is not a day of the calendar.'],
    ['2027-02-29', 'due: 2027-02-29 is not a day of the calendar.'],
    ['tomorrowish', 'due: "tomorrowish" is not a date: use YYYY-MM-DD, such as 2026-12-11.'],
    ['12/11/2026', 'due: "12/11/2026" is not a date: use YYYY-MM-DD, such as 2026-12-11.'],
    ['2026-12-11T25:00', 'due: "25:00" is not a time of day: use HH:MM, such as 09:30 or 17:00.'],
    ['2026-12-11Tnoon', 'due: "noon" is not a time of day: use HH:MM, such as 09:30 or 17:00.'],
    ['1492-10-12', 'due: A due date falls in the years 1900 to 2199.'],
  ])('%s is refused', (raw, message) => {
    expect(problem(raw)).toBe(message);
  });

  test('a time without a date is refused', () => {
    expect(problem({ date: '', time: '09:30' })).toBe('due: A time needs a date: enter the day it is due, too.');
  });

  test('what is not text is refused', () => {
    expect(problem(20261211)).toMatch(/must be text/);
    expect(problem(['2026-12-11'])).toMatch(/must be text/);
  });
});

describe('when a due date begins', () => {
  test('a whole day begins at midnight in the install zone', () => {
    expect(dueInstant('2026-12-11', 'UTC')!.toISOString()).toBe('2026-12-11T00:00:00.000Z');
    expect(dueInstant('2026-12-11', 'America/New_York')!.toISOString()).toBe('2026-12-11T05:00:00.000Z');
    expect(dueInstant('2026-07-01', 'Europe/Berlin')!.toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  test('a time is read on the wall clock of that day, across a clock change', () => {
    expect(dueInstant('2026-12-11T09:30', 'America/New_York')!.toISOString()).toBe('2026-12-11T14:30:00.000Z');
    // Berlin moves to summer time at 02:00 on 2026-03-29.
    expect(dueInstant('2026-03-29T12:00', 'Europe/Berlin')!.toISOString()).toBe('2026-03-29T10:00:00.000Z');
    expect(dueInstant(null, 'UTC')).toBeNull();
  });
});

describe('how a due date reads', () => {
  test('in sentences and rows', () => {
    expect(dueText('2026-12-11')).toBe('Dec 11 2026');
    expect(dueText('2026-12-11T17:05')).toBe('Dec 11 2026, 5:05 PM');
    expect(dueLabel('2026-12-11', 2026)).toBe('Fri, Dec 11');
    expect(dueLabel('2027-01-04T00:15', 2026)).toBe('Mon, Jan 4 2027, 12:15 AM');
  });

  test('overdue once its day is over, soon within two days, never for a closed task', () => {
    const now = new Date('2026-12-11T15:00:00Z');
    expect(dueUrgency('2026-12-10', false, now, 'UTC')).toBe('overdue');
    expect(dueUrgency('2026-12-11', false, now, 'UTC')).toBe('soon');
    expect(dueUrgency('2026-12-11T14:59', false, now, 'UTC')).toBe('overdue');
    expect(dueUrgency('2026-12-12', false, now, 'UTC')).toBe('soon');
    expect(dueUrgency('2026-12-13', false, now, 'UTC')).toBeNull();
    expect(dueUrgency('2026-12-10', true, now, 'UTC')).toBeNull();
    expect(dueUrgency(null, false, now, 'UTC')).toBeNull();
  });
});

describe('the due event sentences', () => {
  const tracker = new Tracker(buildTrackerConfig({}));
  const alice: UserRef = { kind: 'user', id: 1, username: 'alice' };
  const line = (old: unknown, value: unknown) =>
    describeEvent(
      { id: 1, taskId: 7, groupId: 'g', actorId: 1, type: 'due', old, new: value, source: 'web', createdAt: new Date() },
      { tracker, actor: alice, user: () => alice, task: () => undefined },
    )!;

  test('set, changed, removed', () => {
    expect(line(null, '2026-12-11').text).toBe('alice set the due date to Dec 11 2026.');
    expect(line('2026-12-11', '2026-12-18').text).toBe('alice changed the due date from Dec 11 2026 to Dec 18 2026.');
    expect(line('2026-12-11', null).text).toBe('alice removed the due date.');
    expect(line(null, '2026-12-11').html).toBe('<a class="user" href="/p/alice/">alice</a> set the due date to <span class="value">Dec 11 2026</span>.');
  });
});
