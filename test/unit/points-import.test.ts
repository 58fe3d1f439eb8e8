import { buildTrackerConfig } from '../../server/tracker-config';
import type { MappingContext } from '../../server/import/import-task';
import { mapTask } from '../../server/import/mapping';
import { ImportReport } from '../../server/import/report';
import type { PhabTask, PhabTransaction } from '../../server/import/shapes';
import { Tracker } from '../../server/tasks/task';

/** Points read from a Phabricator install: the task's value and its points transactions. */

const ALICE = 'PHID-USER-aaaaaaaaaaaaaaaaaaaa';

function context(): MappingContext {
  return {
    tracker: new Tracker(buildTrackerConfig({})),
    report: new ImportReport(),
    users: new Map([[ALICE, { id: 1, username: 'alice' }]]),
    projects: new Map(),
    unknownUser: { id: 2, username: 'unknown' },
    markup: 'remarkup',
    offset: 0,
  };
}

const task = (points: unknown): PhabTask => ({
  id: 7,
  phid: 'PHID-TASK-aaaaaaaaaaaaaaaaaaaa',
  fields: {
    name: 'Sized upstream',
    description: { raw: '' },
    authorPHID: ALICE,
    ownerPHID: null,
    status: { value: 'open' },
    priority: { value: 50 },
    dateCreated: 1700000000,
    dateModified: 1700000100,
    points: points as number | null,
  },
});

const xaction = (old: unknown, value: unknown): PhabTransaction =>
  ({ id: 1, phid: 'PHID-XACT-TASK-aaaaaaaaaaaaaaa', type: 'points', authorPHID: ALICE, dateCreated: 1700000050, groupID: 'g', comments: [], fields: { old, new: value } }) as unknown as PhabTransaction;

describe('importing points from Phabricator', () => {
  test('the task keeps its points, and points transactions become points events', () => {
    const ctx = context();
    const mapped = mapTask(task(3), [xaction(null, 2), xaction(2, '3')], ctx);
    expect(mapped.points).toBe(3);
    expect(mapped.events.map((e) => [e.type, e.old, e.new])).toEqual([
      ['points', null, 2],
      ['points', 2, 3],
    ]);
    expect(ctx.report.counts.get('events: points')).toBe(2);
  });

  test('no points, and fine decimals rounded to two places', () => {
    expect(mapTask(task(null), [], context()).points).toBeNull();
    expect(mapTask(task(0.333), [], context()).points).toBe(0.33);
  });

  test('a value the column can not take is left empty and reported', () => {
    const ctx = context();
    expect(mapTask(task(-4), [xaction(1, 'lots')], ctx).points).toBeNull();
    expect([...ctx.report.skipped.keys()]).toEqual([
      'points value that is not a number from 0 to 1000000: left empty',
      'points transaction with a value that is not a number from 0 to 1000000',
    ]);
  });
});
