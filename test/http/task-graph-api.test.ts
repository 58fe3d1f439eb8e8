import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, textOf } from '../support/http';

/** The graph in searches and through Conduit: filters, constraints, relation and merge transactions, the list mark. */
describe('finding and editing the task graph', () => {
  const t = useTestApp();
  let alice: User;
  let mia: User;
  let aliceToken: string;
  let miaToken: string;
  const ids = { epic: 0, open: 0, done: 0, secret: 0, loner: 0 };
  const phid = async (id: number) => (await t.db('tasks').where({ id }).first()).phid as string;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    aliceToken = await tokenFor(t.db, alice);
    miaToken = await tokenFor(t.db, mia);
    ids.epic = await createTask(t.domain, alice, { title: 'Epic' });
    ids.open = await createTask(t.domain, alice, { title: 'Open child' });
    ids.done = await createTask(t.domain, alice, { title: 'Done child' });
    ids.secret = await createTask(t.domain, mia, { title: 'Secret parent', view: 'maintainers' });
    ids.loner = await createTask(t.domain, alice, { title: 'Loner' });
    await edit(t.domain, alice, ids.epic, { subtasks: { add: [ids.open, ids.done] } });
    await edit(t.domain, mia, ids.done, { status: 'resolved' });
    await edit(t.domain, mia, ids.secret, { subtasks: { add: [ids.loner] } });
  });

  const search = async (token: string, constraints: Record<string, unknown>) =>
    ((await result(t.app, 'maniphest.search', { constraints, order: 'oldest' }, token)).data as { id: number }[]).map((d) => d.id);

  test('maniphest.search: parentIDs, subtaskIDs, hasParents, hasSubtasks, with hidden tasks counting for nothing', async () => {
    expect(await search(aliceToken, { parentIDs: [ids.epic] })).toEqual([ids.open, ids.done]);
    expect(await search(aliceToken, { subtaskIDs: [ids.done] })).toEqual([ids.epic]);
    expect(await search(aliceToken, { hasSubtasks: true })).toEqual([ids.epic]);
    expect(await search(aliceToken, { hasParents: true })).toEqual([ids.open, ids.done]);
    // The loner's only parent is hidden from alice: to her it has no parent at all.
    expect(await search(aliceToken, { hasParents: false, ids: [ids.loner] })).toEqual([ids.loner]);
    expect(await search(miaToken, { hasParents: true, ids: [ids.loner] })).toEqual([ids.loner]);
    expect(await search(aliceToken, { parentIDs: [ids.secret] })).toEqual([]);
    const tooMany = await call(t.app, 'maniphest.search', { constraints: { parentIDs: Array.from({ length: 101 }, (_v, i) => i + 1) } }, aliceToken);
    expect(tooMany.error_code).toBe('ERR-CONDUIT-CALL');
    expect(tooMany.error_info).toContain('at most 100 tasks');
  });

  test('the web filters do the same, and the list marks tasks with subtasks', async () => {
    const b = await loggedIn(t.app, 'alice');
    const list = await b.get(`/maniphest/query/?parents=T${ids.epic}&group=none&order=oldest`);
    expect(list.dom.querySelectorAll('.task-row .monogram').map((m) => textOf(m))).toEqual([`T${ids.open}`, `T${ids.done}`]);
    const withOpen = await b.get('/maniphest/query/?hasSubtasks=yes&group=none');
    expect(withOpen.dom.querySelectorAll('.task-row .monogram').map((m) => textOf(m))).toEqual([`T${ids.epic}`]);
    const all = await b.get('/maniphest/query/all/');
    const marked = all.dom.querySelectorAll('.task-row').filter((r) => r.querySelector('.has-subtasks')).map((r) => textOf(r.querySelector('.monogram')!));
    expect(marked).toEqual([`T${ids.epic}`]);
    const bad = await b.get('/maniphest/query/?parents=T1x&hasSubtasks=maybe');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('"T1x" is not a task');
    expect(bad.text).toContain('"maybe" is not a choice here');
  });

  test('maniphest.edit: parents and subtasks by PHID, monogram or ID; a hidden PHID is unknown', async () => {
    const a = await createTask(t.domain, alice, { title: 'API parent' });
    const b = await createTask(t.domain, alice, { title: 'API child' });
    const c = await createTask(t.domain, alice, { title: 'API grandchild' });
    const res = await result(t.app, 'maniphest.edit', { objectIdentifier: `T${b}`, transactions: [
      { type: 'parents.add', value: [await phid(a)] },
      { type: 'subtasks.set', value: [`T${c}`] },
    ] }, aliceToken);
    expect(res.transactions.length).toBe(2);
    expect(await t.db('task_subtasks').whereIn('child_id', [b, c]).orderBy('child_id').select('parent_id', 'child_id')).toEqual([
      { parent_id: a, child_id: b },
      { parent_id: b, child_id: c },
    ]);
    const cycle = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${c}`, transactions: [{ type: 'subtasks.add', value: [a] }] }, aliceToken);
    expect(cycle).toMatchObject({ error_code: 'ERR-CONDUIT-CORE', error_info: `T${a} can not be a subtask of T${c}: T${c} is already below T${a} (T${a} › T${b} › T${c}).` });
    const hidden = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${a}`, transactions: [{ type: 'parents.add', value: [await phid(ids.secret)] }] }, aliceToken);
    expect(hidden).toMatchObject({ error_code: 'ERR-CONDUIT-CORE', error_info: `No object exists with PHID "${await phid(ids.secret)}".` });
    const wrong = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${a}`, transactions: [{ type: 'subtasks.add', value: 'T1' }] }, aliceToken);
    expect(wrong.error_code).toBe('ERR-CONDUIT-CALL');
  });

  test('maniphest.edit: mergedinto closes the task as a duplicate of an open one', async () => {
    const survivor = await createTask(t.domain, alice, { title: 'Survivor' });
    const dup = await createTask(t.domain, alice, { title: 'Duplicate' });
    const refused = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${dup}`, transactions: [{ type: 'mergedinto', value: await phid(survivor) }] }, aliceToken);
    expect(refused).toMatchObject({ error_code: 'ERR-CONDUIT-CORE', error_info: 'You do not have permission to close tasks as duplicates.' });
    const self = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${dup}`, transactions: [{ type: 'mergedinto', value: await phid(dup) }] }, miaToken);
    expect(self.error_info).toBe('A task can not be merged into itself.');
    await result(t.app, 'maniphest.edit', { objectIdentifier: `T${dup}`, transactions: [{ type: 'mergedinto', value: await phid(survivor) }, { type: 'comment', value: 'Same thing.' }] }, miaToken);
    expect((await t.db('tasks').where({ id: dup }).first()).status).toBe('duplicate');
    // mia commented on the duplicate, which subscribed her there; the survivor inherits her.
    expect(await t.db('task_events').where({ task_id: survivor }).orderBy('id').pluck('type')).toEqual(['create', 'title', 'subscribers', 'mergedfrom', 'subscribers']);
    expect(await t.db('task_edges').where({ src_task_id: survivor }).select('type', 'dst_task_id')).toEqual([{ type: 'merged-from', dst_task_id: dup }]);
  });
});
