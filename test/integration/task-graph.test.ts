import { ValidationError } from '../../server/errors';
import { applyEdit } from '../../server/tasks/editor';
import { GRAPH_LIMIT, loadTaskGraph } from '../../server/tasks/graph/graph';
import { findTask } from '../../server/tasks/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';
import { recordStatements } from '../support/statements';

/** Parents and subtasks through the editor: edges, the lines on both tasks, cycles, concurrency. */
describe('the task graph', () => {
  const t = useTestApp();
  let alice: User;
  let maya: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
  });

  const edges = async () => (await t.db('task_subtasks').select('parent_id', 'child_id').orderBy(['parent_id', 'child_id'])).map((r) => [r.parent_id, r.child_id]);
  const edgesOf = async (ids: number[]) => (await edges()).filter(([p, c]) => ids.includes(p) || ids.includes(c));
  const eventTypes = async (id: number) => (await t.db('task_events').where({ task_id: id }).orderBy('id')).map((e) => e.type);

  async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof ValidationError)) throw new Error(`Expected a ValidationError, got ${String(err)}`);
    return err;
  }

  test('adding a subtask writes one edge and an event on each task', async () => {
    const parent = await createTask(t.domain, alice, { title: 'Parent' });
    const child = await createTask(t.domain, alice, { title: 'Child' });
    const before = await t.db('tasks').where({ id: child }).first();
    await edit(t.domain, alice, parent, { subtasks: { add: [`T${child}`] } });
    expect(await edgesOf([parent])).toEqual([[parent, child]]);
    const parentEvent = await t.db('task_events').where({ task_id: parent, type: 'subtasks' }).first();
    expect(parentEvent).toMatchObject({ old_value: [], new_value: [child] });
    const childEvent = await t.db('task_events').where({ task_id: child, type: 'parents' }).first();
    expect(childEvent).toMatchObject({ old_value: [], new_value: [parent], actor_id: alice.id });
    expect((await t.db('tasks').where({ id: child }).first()).updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());

    await edit(t.domain, alice, child, { parents: { remove: [parent] } });
    expect(await edgesOf([parent])).toEqual([]);
    expect(await eventTypes(parent)).toEqual(['create', 'title', 'subscribers', 'subtasks', 'subtasks']);
  });

  test('a cycle is refused with its path, and nothing is written', async () => {
    const a = await createTask(t.domain, alice, { title: 'A' });
    const b = await createTask(t.domain, alice, { title: 'B' });
    const c = await createTask(t.domain, alice, { title: 'C' });
    await edit(t.domain, alice, a, { subtasks: { add: [b] } });
    await edit(t.domain, alice, b, { subtasks: { add: [c] } });
    const direct = await refusal(edit(t.domain, alice, b, { subtasks: { add: [a] } }));
    expect(direct.fields.subtasks).toBe(`T${a} can not be a subtask of T${b}: T${b} is already a subtask of T${a}.`);
    const long = await refusal(edit(t.domain, alice, a, { parents: { add: [c] } }));
    expect(long.fields.parents).toBe(`T${a} can not be a subtask of T${c}: T${c} is already below T${a} (T${a} › T${b} › T${c}).`);
    expect(await edgesOf([a, b, c])).toEqual([
      [a, b],
      [b, c],
    ]);
    expect(await eventTypes(a)).toEqual(['create', 'title', 'subscribers', 'subtasks']);
    expect(await eventTypes(c)).toEqual(['create', 'title', 'subscribers', 'parents']);
  });

  test('a path through a task the actor may not see is refused without naming it', async () => {
    const a = await createTask(t.domain, alice, { title: 'Open A' });
    const secret = await createTask(t.domain, maya, { title: 'Secret', view: 'maintainers' });
    const c = await createTask(t.domain, alice, { title: 'Open C' });
    await edit(t.domain, maya, a, { subtasks: { add: [secret] } });
    await edit(t.domain, maya, secret, { subtasks: { add: [c] } });
    const err = await refusal(edit(t.domain, alice, c, { subtasks: { add: [a] } }));
    expect(err.fields.subtasks).toBe(`T${a} can not be a subtask of T${c}: T${c} is already below T${a}.`);
  });

  test('self links, links already there, missing and hidden tasks are refused before anything is written', async () => {
    const a = await createTask(t.domain, alice, { title: 'Self' });
    const b = await createTask(t.domain, alice, { title: 'Other' });
    const secret = await createTask(t.domain, maya, { title: 'Secret', view: 'maintainers' });
    expect((await refusal(edit(t.domain, alice, a, { parents: { add: [a] } }))).fields.parents).toBe('A task can not be its own parent.');
    await edit(t.domain, alice, a, { subtasks: { add: [b] } });
    const again = await refusal(edit(t.domain, alice, a, { subtasks: { add: [b] } }));
    expect(again.fields.subtasks).toBe(`T${b} is already a subtask of this task.`);
    const missing = await refusal(edit(t.domain, alice, a, { subtasks: { add: [999999, secret] } }));
    expect(missing.fields.subtasks).toBe(`There are no tasks T999999, T${secret}.`);
    const tooMany = await edit(t.domain, alice, a, { subtasks: { add: Array.from({ length: 101 }, (_v, i) => i + 1) } }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ status: 413, message: 'Name at most 100 tasks at once.' });
    expect(await edgesOf([a])).toEqual([[a, b]]);
  });

  test('setting the subtasks keeps those the actor may not see', async () => {
    const a = await createTask(t.domain, alice, { title: 'Set parent' });
    const b = await createTask(t.domain, alice, { title: 'Visible child' });
    const secret = await createTask(t.domain, maya, { title: 'Secret child', view: 'maintainers' });
    await edit(t.domain, maya, a, { subtasks: { add: [b, secret] } });
    await edit(t.domain, alice, a, { subtasks: { set: [] } });
    expect(await edgesOf([a])).toEqual([[a, secret]]);
  });

  test('a subtask closing tells each parent, without touching the parent row', async () => {
    const p1 = await createTask(t.domain, alice, { title: 'Parent one' });
    const p2 = await createTask(t.domain, alice, { title: 'Parent two' });
    const child = await createTask(t.domain, alice, { title: 'Closing child' });
    await edit(t.domain, alice, child, { parents: { add: [p1, p2] } });
    const rowBefore = await t.db('tasks').where({ id: p1 }).first();
    await edit(t.domain, maya, child, { status: 'resolved' });
    for (const p of [p1, p2]) {
      const e = await t.db('task_events').where({ task_id: p, type: 'subtask-status' }).first();
      expect(e).toMatchObject({ actor_id: maya.id, new_value: { task: child, from: 'open', to: 'resolved' } });
    }
    expect((await t.db('tasks').where({ id: p1 }).first()).updated_at).toEqual(rowBefore.updated_at);
  });

  test('creating a task with a parent links it and tells the parent', async () => {
    const parent = await createTask(t.domain, alice, { title: 'Epic' });
    const { taskId } = await applyEdit(t.domain, alice, null, [
      { type: 'title', value: 'Born a subtask' },
      { type: 'parents', value: { add: [parent] } },
    ]);
    expect(await edgesOf([taskId])).toEqual([[parent, taskId]]);
    expect(await eventTypes(parent)).toContain('subtasks');
  });

  test('the graph of a task is read in one query: transitively up to the limit, then only direct relatives', async () => {
    const center = await createTask(t.domain, alice, { title: 'Hub' });
    const hidden = await createTask(t.domain, maya, { title: 'Hidden branch', view: 'maintainers' });
    const made = await t.db.raw(
      `INSERT INTO tasks (title, status, priority, author_id, view_policy) SELECT 'Bulk ' || g, 'open', 50, ?, 'users' FROM generate_series(1, ?) g RETURNING id`,
      [alice.id, GRAPH_LIMIT + 5],
    );
    const bulk = (made.rows as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
    // Two parents above the hub; below it, a chain of subtasks; one hidden branch with a child of its own.
    const edges: [number, number][] = [
      [bulk[0]!, center],
      [bulk[1]!, bulk[0]!],
      [center, bulk[2]!],
      [center, hidden],
      [hidden, bulk[3]!],
    ];
    for (let i = 4; i < 40; i++) edges.push([i === 4 ? bulk[2]! : bulk[i - 1]!, bulk[i]!]);
    await t.db('task_subtasks').insert(edges.map(([p, c]) => ({ parent_id: p, child_id: c })));
    const task = (await findTask(t.db, center))!;

    const { result: small, statements: first } = await recordStatements(t.db, () => loadTaskGraph(t.db, alice, task.id));
    expect(first).toHaveLength(1);
    expect(small.truncated).toBe(false);
    expect(small.nodes.map((n) => [n.relation, n.depth])).toEqual([
      ['parent', 2],
      ['parent', 1],
      ['self', 0],
      ...Array.from({ length: 37 }, (_v, i) => ['subtask', i + 1]),
    ]);
    expect(small.nodes.some((n) => n.id === hidden || n.id === bulk[3])).toBe(false);
    expect((await loadTaskGraph(t.db, maya, task.id)).nodes).toHaveLength(42);

    // Past the limit: a fan of subtasks under the second one.
    await t.db('task_subtasks').insert(bulk.slice(40).map((c) => ({ parent_id: bulk[4]!, child_id: c })));
    const { result: big, statements: second } = await recordStatements(t.db, () => loadTaskGraph(t.db, alice, task.id));
    expect(second).toHaveLength(1);
    expect(big.truncated).toBe(true);
    expect(big.nodes.map((n) => [n.relation, n.id])).toEqual([
      ['parent', bulk[0]],
      ['self', center],
      ['subtask', bulk[2]],
    ]);
  });

  (onPostgres() ? test : test.skip)('two concurrent edits that together close a cycle: the second waits, then is refused', async () => {
    const a = await createTask(t.domain, alice, { title: 'Race A' });
    const b = await createTask(t.domain, alice, { title: 'Race B' });
    const c = await createTask(t.domain, alice, { title: 'Race C' });
    const d = await createTask(t.domain, alice, { title: 'Race D' });
    await edit(t.domain, alice, b, { subtasks: { add: [c] } });
    // A → B would be fine alone, and so would C → D → A... D is made a parent of A below.
    await edit(t.domain, alice, d, { subtasks: { add: [a] } });

    // The first edit runs in a transaction held open: its edge is written, not committed.
    const first = await t.db.transaction();
    let second: Promise<unknown>;
    try {
      await applyEdit({ db: first, tracker: t.tracker }, alice, a, [{ type: 'subtasks', value: { add: [b] } }]);
      // The second, on another connection, touches other tasks only (C gets subtask D).
      let settled = false;
      second = applyEdit(t.domain, alice, c, [{ type: 'subtasks', value: { add: [d] } }]).finally(() => (settled = true));
      second.catch(() => undefined);
      // It must wait for the first, whose edge it can not see yet.
      for (let i = 0; i < 100 && !settled; i++) {
        const waiting = await t.db.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'task_subtasks'::regclass`);
        if (waiting.rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(settled).toBe(false);
      await first.commit();
    } finally {
      if (!first.isCompleted()) await first.rollback();
    }
    const err = await refusal(second);
    expect(err.fields.subtasks).toBe(`T${d} can not be a subtask of T${c}: T${c} is already below T${d} (T${d} › T${a} › T${b} › T${c}).`);
    expect(await edgesOf([a, b, c, d])).toEqual(
      [
        [a, b],
        [b, c],
        [d, a],
      ].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!),
    );
  });

  (onPostgres() ? test : test.skip)('many concurrent edits around a ring never leave a cycle', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await createTask(t.domain, alice, { title: `Ring ${i}` }));
    const results = await Promise.allSettled(ids.map((id, i) => edit(t.domain, alice, id, { subtasks: { add: [ids[(i + 1) % ids.length]!] } })));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ValidationError);
    expect(await edgesOf(ids)).toHaveLength(5);
  });
});
