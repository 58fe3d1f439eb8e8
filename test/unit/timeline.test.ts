import { buildTrackerConfig } from '../../server/tracker-config';
import type { UserRef } from '../../server/tasks/events/sentence';
import type { StoredEvent } from '../../server/tasks/events/types';
import { Tracker } from '../../server/tasks/task';
import { buildTimeline, timelineUserIds, type TimelineGroup } from '../../server/tasks/timeline';

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const NAMES = new Map<number, string>([
  [ALICE, 'alice'],
  [BOB, 'bob'],
  [CAROL, 'carol'],
]);
const user = (id: number | null): UserRef => {
  const name = id === null ? undefined : NAMES.get(id);
  return name ? { kind: 'user', id, username: name } : { kind: 'user', id: null, username: 'unknown user' };
};

const tracker = new Tracker(buildTrackerConfig({}));

type Row = [id: number, type: string, old: unknown, value: unknown];

/** The events of one submission, as the editor stores them. */
function group(groupId: string, actorId: number, at: string, rows: Row[], source = 'web'): StoredEvent[] {
  return rows.map(([id, type, old, value]) => ({ id, taskId: 7, groupId, actorId, type, old, new: value, source, createdAt: new Date(at) }));
}

const lines = (g: TimelineGroup) => g.lines.map((l) => l.sentence.text);
const timeline = (events: StoredEvent[]) => buildTimeline(events, tracker, user);

describe('a task being created', () => {
  test('reads "created" plus only the choices that differ from a blank task', () => {
    const events = group('g1', ALICE, '2018-01-05T20:14:00Z', [
      [10, 'create', null, true],
      [11, 'title', '', 'Login page is slow'],
      [12, 'description', '', 'It takes ten seconds.'],
      [13, 'priority', 90, 50],
      [14, 'subscribers', [], [ALICE]],
    ]);
    const [g] = timeline(events);
    expect(lines(g!)).toEqual(['alice created this task.', 'alice triaged this task as Normal priority.']);
    expect(g!.lines.map((l) => l.id)).toEqual([10, 13]);
    expect(g!.comment).toBeNull();
  });

  test('with the defaults only, reads "created" alone', () => {
    const events = group('g1', ALICE, '2018-01-05T20:14:00Z', [
      [10, 'create', null, true],
      [11, 'title', '', 'Crash on start'],
      [12, 'subscribers', [], [ALICE]],
    ]);
    expect(timeline(events).map(lines)).toEqual([['alice created this task.']]);
  });

  test('hides title and subscribers set from nothing, but shows the owner, status, priority and visibility chosen', () => {
    const events = group('g1', ALICE, '2018-01-05T20:14:00Z', [
      [10, 'create', null, true],
      [11, 'title', '', 'Old bug'],
      [12, 'view', 'users', 'public'],
      [13, 'priority', 90, 25],
      [14, 'owner', null, BOB],
      [15, 'status', 'open', 'resolved'],
      [16, 'subscribers', [], [ALICE]],
    ]);
    expect(timeline(events).map(lines)).toEqual([
      [
        'alice created this task.',
        'alice closed this task as Resolved.',
        'alice assigned this task to bob.',
        'alice triaged this task as Low priority.',
        // Set with the task: it was never "All Users", so no old value is named.
        'alice set the visibility to "Public".',
      ],
    ]);
  });

  test('only the creating group hides changes from an empty value', () => {
    const events = [
      ...group('g1', ALICE, '2018-01-05T20:14:00Z', [
        [10, 'create', null, true],
        [11, 'title', '', 'Crash on start'],
      ]),
      ...group('g2', BOB, '2018-01-06T09:00:00Z', [
        [12, 'owner', null, CAROL],
        [13, 'description', '', 'Steps to reproduce.'],
        [14, 'subscribers', [ALICE], [ALICE, BOB]],
      ]),
    ];
    expect(timeline(events).map(lines)).toEqual([
      ['alice created this task.'],
      ['bob assigned this task to carol.', 'bob updated the task description.', 'bob subscribed.'],
    ]);
  });
});

describe('the lines of one submission', () => {
  test('are ordered title, status, owner, priority, others, subscribers, whatever order they were stored in', () => {
    const events = group('g2', BOB, '2018-01-06T09:00:00Z', [
      [20, 'subscribers', [ALICE], [ALICE, CAROL]],
      [21, 'retired-kind', null, 4],
      [22, 'view', 'users', 'public'],
      [23, 'description', 'old', 'new'],
      [24, 'priority', 50, 80],
      [25, 'owner', null, BOB],
      [26, 'status', 'open', 'resolved'],
      [27, 'title', 'Old title', 'New title'],
    ]);
    expect(timeline(events).map(lines)).toEqual([
      [
        'bob renamed this task from Old title to New title.',
        'bob closed this task as Resolved.',
        'bob claimed this task.',
        'bob raised the priority of this task from Normal to High.',
        // Equal strengths keep the order they were stored in.
        'bob edited this task.',
        'bob changed the visibility from "All Users" to "Public".',
        'bob updated the task description.',
        'bob added a subscriber: carol.',
      ],
    ]);
  });

  test('leave the comment to speak for itself when other lines exist', () => {
    const events = group('g3', BOB, '2018-01-06T09:00:00Z', [
      [30, 'comment', null, 'Fixed by caching.'],
      [31, 'status', 'open', 'resolved'],
      [32, 'owner', null, BOB],
    ]);
    const [g] = timeline(events);
    expect(lines(g!)).toEqual(['bob closed this task as Resolved.', 'bob claimed this task.']);
    expect(g!.comment).toEqual({ id: 30, text: 'Fixed by caching.', edited: false, removedBy: null });
  });

  test('say "added a comment" when the comment is all there is', () => {
    const events = group('g4', CAROL, '2018-01-07T10:00:00Z', [[40, 'comment', null, 'Still slow for me.']]);
    const [g] = timeline(events);
    expect(lines(g!)).toEqual(['carol added a comment.']);
    expect(g!.lines.map((l) => l.type)).toEqual(['comment']);
    expect(g!.comment).toEqual({ id: 40, text: 'Still slow for me.', edited: false, removedBy: null });
  });

  test('show a revised comment as edited, a removed one as removed by whoever removed it, and no line for either revision', () => {
    const events = [
      ...group('g5', CAROL, '2018-01-07T10:00:00Z', [[50, 'comment', null, 'Now reads so.']]),
      ...group('g6', CAROL, '2018-01-07T11:00:00Z', [[51, 'comment', null, '']]),
      ...group('g7', CAROL, '2018-01-07T12:00:00Z', [[52, 'comment.edit', null, { comment: 50, authorId: CAROL, previous: 'Once read so.', text: 'Now reads so.' }]]),
      ...group('g8', ALICE, '2018-01-07T13:00:00Z', [[53, 'comment.remove', null, { comment: 51, authorId: CAROL, previous: 'Oops.', text: null }]]),
    ];
    const groups = timeline(events);
    expect(groups.map(lines)).toEqual([['carol added a comment.'], ['carol added a comment.']]);
    expect(groups.map((g) => g.comment)).toEqual([
      { id: 50, text: 'Now reads so.', edited: true, removedBy: null },
      { id: 51, text: '', edited: false, removedBy: ALICE },
    ]);
  });
});

describe('the groups of a timeline', () => {
  const events = [
    ...group('g1', ALICE, '2018-01-05T20:14:00Z', [
      [10, 'create', null, true],
      [11, 'title', '', 'Crash on start'],
      [12, 'subscribers', [], [ALICE]],
    ]),
    ...group('g2', BOB, '2018-01-06T09:00:00Z', [[13, 'comment', null, 'Seen it too.']], 'cli'),
    ...group('g3', CAROL, '2018-01-07T10:30:00Z', [
      [14, 'subscribers', [ALICE], [ALICE, CAROL]],
      [15, 'priority', 90, 80],
    ]),
  ];

  test('are one per submission, in the order they happened', () => {
    expect(timeline(events).map(lines)).toEqual([
      ['alice created this task.'],
      ['bob added a comment.'],
      ['carol triaged this task as High priority.', 'carol subscribed.'],
    ]);
  });

  test('take their anchor, actor, time and source from their first event', () => {
    expect(timeline(events).map(({ anchor, actorId, createdAt, source }) => ({ anchor, actorId, createdAt, source }))).toEqual([
      { anchor: 10, actorId: ALICE, createdAt: new Date('2018-01-05T20:14:00Z'), source: 'web' },
      { anchor: 13, actorId: BOB, createdAt: new Date('2018-01-06T09:00:00Z'), source: 'cli' },
      { anchor: 14, actorId: CAROL, createdAt: new Date('2018-01-07T10:30:00Z'), source: 'web' },
    ]);
  });

  test('gather a group by its id even when its events are not adjacent', () => {
    const interleaved = [
      ...group('a', ALICE, '2018-01-05T20:14:00Z', [[50, 'title', 'One', 'Two']]),
      ...group('b', BOB, '2018-01-05T20:14:00Z', [[51, 'comment', null, 'Hello']]),
      ...group('a', ALICE, '2018-01-05T20:14:00Z', [[52, 'priority', 50, 25]]),
    ];
    const groups = timeline(interleaved);
    expect(groups.map((g) => g.anchor)).toEqual([50, 51]);
    expect(groups.map(lines)).toEqual([
      ['alice renamed this task from One to Two.', 'alice lowered the priority of this task from Normal to Low.'],
      ['bob added a comment.'],
    ]);
  });

  test('an empty history is an empty timeline', () => {
    expect(timeline([])).toEqual([]);
  });
});

describe('timelineUserIds', () => {
  test('names every actor, owner and subscriber once, so they load in one query', () => {
    const events = [
      ...group('g1', ALICE, '2018-01-05T20:14:00Z', [
        [10, 'create', null, true],
        [11, 'owner', null, BOB],
        [12, 'subscribers', [], [ALICE, 5]],
      ]),
      ...group('g2', CAROL, '2018-01-06T09:00:00Z', [
        [13, 'owner', BOB, 4],
        [14, 'subscribers', [ALICE, 5], [ALICE, BOB, 5]],
        [15, 'points', 6, 8],
        [16, 'comment', null, 'ok'],
      ]),
    ];
    const ids = timelineUserIds(events);
    expect([...ids].sort((a, b) => a - b)).toEqual([ALICE, BOB, CAROL, 4, 5]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
