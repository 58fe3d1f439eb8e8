import fc from 'fast-check';
import { ValidationError } from '../../server/errors';
import { addColumn } from '../../server/projects/columns';
import { createMilestone, createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import { applyEdit } from '../../server/tasks/editor';
import type { Change } from '../../server/tasks/events/types';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';

/**
 * Columns and status in step, whatever happens: after any sequence of moves,
 * status changes, tag changes and mixed submissions, every card sits on a
 * board its task is tagged for, in a column of that board, and no closed task
 * is in an open-bound column nor an open task in a closed-bound one.
 */
describe('boards and status stay in step', () => {
  const t = useTestApp();
  let maya: User;
  let tasks: number[];
  let columns: { id: number; project_id: number; status: string | null; hidden: boolean }[];
  let projects: number[];

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'admin' });
    const a = await createProject(t.db, maya, ProjectInput.parse({ name: 'Alpha' }));
    const b = await createProject(t.db, maya, ProjectInput.parse({ name: 'Beta' }));
    const sprint = await createMilestone(t.db, maya, a, 'Sprint 1');
    for (const [name, status] of [['Doing', 'open'], ['Done', 'resolved'], ['Dropped', 'wontfix']] as const) {
      await addColumn(t.db, t.tracker, maya, a, { name, status, limit: '', strict: '' });
    }
    await addColumn(t.db, t.tracker, maya, b, { name: 'Finished', status: 'resolved', limit: '2', strict: '' });
    await addColumn(t.db, t.tracker, maya, b, { name: 'Parked', status: '', limit: '', strict: '' });
    await addColumn(t.db, t.tracker, maya, sprint, { name: 'Shipped', status: 'resolved', limit: '', strict: '' });
    tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(await createTask(t.domain, maya, { title: `Card ${i}` }));
    columns = await t.db('board_columns').select('id', 'project_id', 'status', 'hidden');
    projects = [a, b, sprint];
  });

  async function checkInvariant() {
    const cards = await t.db('board_cards as c').join('board_columns as col', 'col.id', 'c.column_id').join('tasks', 'tasks.id', 'c.task_id').select('c.project_id', 'c.task_id', 'col.project_id as column_board', 'col.status as bound', 'tasks.status');
    for (const card of cards) {
      expect(card.column_board).toBe(card.project_id);
      if (card.bound !== null) expect([card.task_id, t.tracker.isClosed(card.status)]).toEqual([card.task_id, t.tracker.isClosed(card.bound)]);
    }
    const tags = await t.db('task_projects as tp').join('projects as p', 'p.id', 'tp.project_id').select('tp.task_id', 'tp.project_id', 'p.parent_id');
    const expected = new Set(tags.flatMap((r) => [`${r.task_id}:${r.project_id}`, ...(r.parent_id ? [`${r.task_id}:${r.parent_id}`] : [])]));
    expect(new Set(cards.map((c) => `${c.task_id}:${c.project_id}`))).toEqual(expected);
    // At most one of a project and its milestones.
    for (const r of tags) if (r.parent_id) expect(tags.some((o) => o.task_id === r.task_id && o.project_id === r.parent_id)).toBe(false);
  }

  const STATUSES = ['open', 'resolved', 'wontfix', 'invalid'];
  const action = fc.oneof(
    fc.record({ kind: fc.constant('move'), task: fc.nat(3), column: fc.nat(20) }),
    fc.record({ kind: fc.constant('status'), task: fc.nat(3), status: fc.constantFrom(...STATUSES) }),
    fc.record({ kind: fc.constant('tag'), task: fc.nat(3), project: fc.nat(2), add: fc.boolean() }),
    fc.record({ kind: fc.constant('both'), task: fc.nat(3), column: fc.nat(20), status: fc.constantFrom(...STATUSES) }),
  );

  function changesOf(a: { kind: string; column?: number; status?: string; project?: number; add?: boolean }): Change[] {
    const column = () => ({ type: 'column', value: { column: columns[a.column! % columns.length]!.id, overLimit: true } });
    if (a.kind === 'move') return [column()];
    if (a.kind === 'status') return [{ type: 'status', value: a.status }];
    if (a.kind === 'tag') return [{ type: 'projects', value: { [a.add ? 'add' : 'remove']: [projects[a.project!]] } }];
    return [{ type: 'status', value: a.status }, column()];
  }

  test('after random sequences of moves, status changes and tag changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        for (const a of actions) {
          try {
            await applyEdit(t.domain, maya, tasks[a.task]!, changesOf(a));
          } catch (err) {
            // Refusals (a hidden column, a bound column against the chosen status) are fine; they must write nothing.
            if (!(err instanceof ValidationError)) throw err;
          }
          await checkInvariant();
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);

  test('two people moving one card at once: both are events, the last wins, board and status agree', async () => {
    const id = tasks[0]!;
    await applyEdit(t.domain, maya, id, [{ type: 'status', value: 'open' }, { type: 'projects', value: { add: [projects[0]] } }]);
    const byName = async (name: string) => (await t.db('board_columns').where({ project_id: projects[0], name }).first()).id;
    const [backlog, doing, done] = [await byName('Backlog'), await byName('Doing'), await byName('Done')];
    await applyEdit(t.domain, maya, id, [{ type: 'column', value: { column: backlog } }]);
    const before = Number((await t.db('task_events').where({ task_id: id, type: 'column' }).count({ n: '*' }).first())!.n);
    await Promise.all([
      applyEdit(t.domain, maya, id, [{ type: 'column', value: { column: doing } }]),
      applyEdit(t.domain, maya, id, [{ type: 'column', value: { column: done } }]),
    ]);
    const after = Number((await t.db('task_events').where({ task_id: id, type: 'column' }).count({ n: '*' }).first())!.n);
    expect(after - before).toBe(2);
    const last = await t.db('task_events').where({ task_id: id, type: 'column' }).orderBy('id', 'desc').first();
    const card = await t.db('board_cards').where({ task_id: id, project_id: projects[0] }).first();
    expect(card.column_id).toBe(last.new_value.columns[String(projects[0])]);
    await checkInvariant();
  });
});
