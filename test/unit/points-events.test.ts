import { buildTrackerConfig } from '../../server/tracker-config';
import { describeEvent } from '../../server/tasks/events/registry';
import type { UserRef } from '../../server/tasks/events/sentence';
import type { StoredEvent } from '../../server/tasks/events/types';
import { Tracker } from '../../server/tasks/task';
import { buildTimeline } from '../../server/tasks/timeline';

const on = new Tracker(buildTrackerConfig({ points: { enabled: true, label: 'Story Points' } }));
const off = new Tracker(buildTrackerConfig({}));
const alice: UserRef = { kind: 'user', id: 1, username: 'alice' };
const user = (): UserRef => alice;

let nextId = 1;
const stored = (type: string, old: unknown, value: unknown, groupId = `g${nextId}`): StoredEvent => ({
  id: nextId++,
  taskId: 7,
  groupId,
  actorId: 1,
  type,
  old,
  new: value,
  source: 'web',
  createdAt: new Date('2026-12-05T10:00:00Z'),
});

const line = (old: unknown, value: unknown, tracker = on) => describeEvent(stored('points', old, value), { tracker, actor: alice, user, task: () => undefined });

describe('the points event', () => {
  test.each([
    [null, 3, 'alice set the point value for this task to 3.'],
    [3, 5, 'alice changed the point value for this task from 3 to 5.'],
    [0.5, 1.25, 'alice changed the point value for this task from 0.5 to 1.25.'],
    [3, null, 'alice removed the point value 3 for this task.'],
    [null, null, 'alice removed the point value for this task.'],
  ])('%p to %p: %s', (old, value, expected) => {
    expect(line(old, value)!.text).toBe(expected);
  });

  test('quotes the values as the other sentences do', () => {
    expect(line(3, 5)!.html).toBe('<a class="user" href="/p/alice/">alice</a> changed the point value for this task from <span class="value">3</span> to <span class="value">5</span>.');
  });

  test('renders no line while points are switched off', () => {
    expect(line(3, 5, off)).toBeNull();
  });

  test('switched off, a group of points and a comment keeps the comment; a group of points alone is gone', () => {
    const events = [stored('points', null, 3, 'a'), stored('comment', null, 'Sized it.', 'a'), stored('points', 3, 5, 'b')];
    const shown = buildTimeline(events, off, user);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.comment?.text).toBe('Sized it.');
    expect(shown[0]!.lines.map((l) => l.type)).toEqual(['comment']);
    const all = buildTimeline(events, on, user);
    expect(all.map((g) => g.lines.map((l) => l.sentence.text))).toEqual([['alice set the point value for this task to 3.'], ['alice changed the point value for this task from 3 to 5.']]);
  });
});
