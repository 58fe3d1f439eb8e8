import request from 'supertest';
import { METHODS } from '../../server/conduit/registry';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, timelineLines } from '../support/http';

const SITE = /^http:\/\/127\.0\.0\.1:[0-9]+$/;

/** The older methods arcanist and many scripts still call, in Phabricator's shapes. */
describe("Phabricator's older Conduit methods", () => {
  const t = useTestApp();
  let maya: User; // maintainer
  let erin: User; // engineer
  let rita: User; // reader
  const tok: Record<string, string> = {};
  const task: Record<string, number> = {};
  const phid: Record<string, string> = {};

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    for (const u of [maya, erin, rita]) tok[u.username] = await tokenFor(t.db, u);
    task.fire = await createTask(t.domain, erin, { title: 'Printer on fire', priority: 'unbreak', owner: 'maya', description: 'Smoke.' });
    task.docs = await createTask(t.domain, erin, { title: 'Write the docs', priority: 'normal' });
    task.secret = await createTask(t.domain, maya, { title: 'Salary review', priority: 'high', view: 'maintainers' });
    task.done = await createTask(t.domain, maya, { title: 'Old driver', priority: 'low' });
    await edit(t.domain, maya, task.done, { status: 'resolved' });
    await edit(t.domain, maya, task.fire, { subtasks: { add: [task.docs, task.secret] } });
    for (const row of await t.db('tasks').select('id', 'phid')) phid[Object.keys(task).find((k) => task[k] === row.id)!] = row.phid;
  });

  const ok = (method: string, params: Record<string, unknown>, who = 'erin') => result(t.app, method, params, tok[who]!);
  const refused = (method: string, params: Record<string, unknown>, who = 'erin') => call(t.app, method, params, tok[who]!);

  test('maniphest.info: one task, flat, ids and dates as strings; a hidden task is missing', async () => {
    const info = await ok('maniphest.info', { task_id: task.fire });
    expect(info).toEqual({
      id: String(task.fire),
      phid: phid.fire,
      authorPHID: erin.phid,
      ownerPHID: maya.phid,
      ccPHIDs: [maya.phid, erin.phid],
      status: 'open',
      statusName: 'Open',
      isClosed: false,
      priority: 'Unbreak Now!',
      priorityColor: 'pink',
      title: 'Printer on fire',
      description: 'Smoke.',
      projectPHIDs: [],
      uri: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:[0-9]+/T${task.fire}$`)),
      auxiliary: {},
      objectName: `T${task.fire}`,
      dateCreated: expect.stringMatching(/^[0-9]{10}$/),
      dateModified: expect.stringMatching(/^[0-9]{10}$/),
      // Its subtasks, as far as the caller may see them.
      dependsOnTaskPHIDs: [phid.docs],
    });
    expect((await ok('maniphest.info', { task_id: task.fire }, 'maya')).dependsOnTaskPHIDs).toEqual([phid.docs, phid.secret]);
    expect((await ok('maniphest.info', { task_id: String(task.done) })).isClosed).toBe(true);
    const hidden = await refused('maniphest.info', { task_id: task.secret });
    expect(hidden).toEqual({ result: null, error_code: 'ERR-BAD-TASK', error_info: 'No such Maniphest task exists.' });
    expect(await refused('maniphest.info', { task_id: 999999 })).toEqual(hidden);
    expect((await refused('maniphest.info', {})).error_info).toBe('Parameter "task_id" is required.');
  });

  test('maniphest.query: a map from PHID to task, with its filters, status constants, orders and offset', async () => {
    const keys = (r: Record<string, { objectName: string }>) => Object.values(r).map((x) => x.objectName);
    const all = await ok('maniphest.query', {});
    expect(Object.keys(all)).toEqual([phid.fire, phid.docs, phid.done]);
    // Each request has its own port here, which is in the URI.
    const info = await ok('maniphest.info', { task_id: task.fire });
    expect({ ...all[phid.fire], uri: null }).toEqual({ ...info, uri: null });
    expect(keys(await ok('maniphest.query', {}, 'maya'))).toEqual([`T${task.fire}`, `T${task.secret}`, `T${task.docs}`, `T${task.done}`]);
    expect(keys(await ok('maniphest.query', { status: 'status-open' }))).toEqual([`T${task.fire}`, `T${task.docs}`]);
    expect(keys(await ok('maniphest.query', { status: 'status-resolved' }))).toEqual([`T${task.done}`]);
    expect(keys(await ok('maniphest.query', { status: 'status-spite' }))).toEqual([]);
    expect(keys(await ok('maniphest.query', { order: 'order-created' }))).toEqual([`T${task.done}`, `T${task.docs}`, `T${task.fire}`]);
    expect(keys(await ok('maniphest.query', { order: 'order-created', limit: 1, offset: 1 }))).toEqual([`T${task.docs}`]);
    expect(keys(await ok('maniphest.query', { ownerPHIDs: [maya.phid] }))).toEqual([`T${task.fire}`, `T${task.done}`]);
    expect(keys(await ok('maniphest.query', { authorPHIDs: [erin.phid], ccPHIDs: [maya.phid] }))).toEqual([`T${task.fire}`]);
    expect(keys(await ok('maniphest.query', { ids: [task.docs, task.secret], phids: [phid.docs] }))).toEqual([`T${task.docs}`]);
    expect(keys(await ok('maniphest.query', { fullText: 'printer' }))).toEqual([`T${task.fire}`]);
    // Nothing found is an empty map, never a list.
    expect(await ok('maniphest.query', { ids: [task.secret] })).toEqual({});
    expect((await refused('maniphest.query', { status: 'status-bogus' })).error_info).toBe(
      'Parameter "status" must be one of: status-any, status-open, status-closed, status-resolved, status-wontfix, status-invalid, status-spite, status-duplicate.',
    );
    expect((await refused('maniphest.query', { offset: 20000 })).error_info).toBe('Parameter "offset" must be an integer from 0 to 10,000.');
  });

  test('maniphest.createtask files a task through the editor, with its permission checks', async () => {
    const made = await ok('maniphest.createtask', { title: 'Paper jam', description: 'Tray 2.', priority: 80, ownerPHID: erin.phid, ccPHIDs: [maya.phid] });
    expect(made).toMatchObject({ title: 'Paper jam', description: 'Tray 2.', priority: 'High', ownerPHID: erin.phid, authorPHID: erin.phid, status: 'open' });
    expect(made.ccPHIDs).toEqual(expect.arrayContaining([erin.phid, maya.phid]));
    const page = await (await loggedIn(t.app, 'erin')).get(`/T${made.id}`);
    expect(timelineLines(page)[0]).toBe('erin created this task.');
    // Choosing who sees a task is for maintainers, on every channel.
    const restricted = await refused('maniphest.createtask', { title: 'Hidden', viewPolicy: 'PHID-PLCY-trellismaintainers' });
    expect(restricted.error_code).toBe('ERR-CONDUIT-CORE');
    const byMaya = await ok('maniphest.createtask', { title: 'Hidden', viewPolicy: 'PHID-PLCY-trellismaintainers', editPolicy: 'PHID-PLCY-trellismaintainers' }, 'maya');
    expect((await t.db('tasks').where({ id: Number(byMaya.id) }).first()).view_policy).toBe('maintainers');
    expect((await refused('maniphest.createtask', { title: 'Nope' }, 'rita')).error_code).toBe('ERR-CONDUIT-CORE');
    expect(await refused('maniphest.createtask', { description: 'No title' })).toEqual({ result: null, error_code: 'ERR-INVALID-PARAMETER', error_info: 'You must specify a title.' });
    expect((await refused('maniphest.createtask', { title: 'x', editPolicy: 'admin' })).error_info).toBe(
      'Trellis has no separate edit policy: who may edit a task follows its visibility and each person\'s role. For this task "editPolicy" can only be "users".',
    );
    expect((await refused('maniphest.createtask', { title: 'x', auxiliary: { 'std:maniphest:points': 3 } })).error_code).toBe('ERR-INVALID-PARAMETER');
    const before = await t.db('tasks').count({ n: '*' }).first();
    expect((await refused('maniphest.createtask', { title: 'x', auxiliary: { a: 1 } })).result).toBeNull();
    expect(await t.db('tasks').count({ n: '*' }).first()).toEqual(before);
  });

  test('maniphest.update edits by id or PHID; lists replace; no effect and hidden tasks are refused as Phabricator does', async () => {
    const id = await createTask(t.domain, erin, { title: 'Flaky test' });
    const updated = await ok('maniphest.update', { id, status: 'resolved', comments: 'Fixed in the build.', priority: 25 }, 'maya');
    expect(updated).toMatchObject({ id: String(id), status: 'resolved', isClosed: true, priority: 'Low' });
    const lines = timelineLines(await (await loggedIn(t.app, 'maya')).get(`/T${id}`));
    expect(lines).toContain('maya closed this task as Resolved.');
    expect(lines).toContain('maya triaged this task as Low priority.');
    const byPhid = await ok('maniphest.update', { phid: updated.phid, ccPHIDs: [maya.phid] }, 'maya');
    expect(byPhid.ccPHIDs).toEqual([maya.phid]);
    expect(await refused('maniphest.update', { id, ccPHIDs: [maya.phid] }, 'maya')).toEqual({ result: null, error_code: 'ERR-NO-EFFECT', error_info: 'Update has no effect.' });
    expect(await refused('maniphest.update', { id }, 'maya')).toEqual({ result: null, error_code: 'ERR-NO-EFFECT', error_info: 'Update has no effect.' });
    // Closing is for maintainers; a reader changes nothing.
    expect((await refused('maniphest.update', { id: task.docs, status: 'resolved' })).error_code).toBe('ERR-CONDUIT-CORE');
    expect((await refused('maniphest.update', { id: task.docs, comments: 'Hi' }, 'rita')).error_code).toBe('ERR-CONDUIT-CORE');
    const hidden = await refused('maniphest.update', { id: task.secret, comments: 'Peek.' });
    expect(hidden).toEqual({ result: null, error_code: 'ERR-BAD-TASK', error_info: 'No such Maniphest task exists.' });
    expect(await refused('maniphest.update', { phid: phid.secret, comments: 'Peek.' })).toEqual(hidden);
    expect(await refused('maniphest.update', { id: 999999, comments: 'Peek.' })).toEqual(hidden);
    expect((await refused('maniphest.update', { comments: 'Which?' })).error_info).toBe('Specify a task to update with "id" or "phid".');
  });

  test('maniphest.gettasktransactions: each visible task\'s transactions, oldest first, with raw types', async () => {
    const id = await createTask(t.domain, erin, { title: 'History' });
    await edit(t.domain, maya, id, { owner: 'erin', priority: 'high', comment: 'Mine now.' });
    const r = await ok('maniphest.gettasktransactions', { ids: [id, task.secret] });
    expect(Object.keys(r)).toEqual([String(id)]);
    const types = r[String(id)].map((x: { transactionType: string }) => x.transactionType);
    expect(types[0]).toBe('core:create');
    expect(types).toEqual(expect.arrayContaining(['title', 'reassign', 'priority', 'core:comment', 'core:subscribers']));
    const reassign = r[String(id)].find((x: { transactionType: string }) => x.transactionType === 'reassign');
    expect(reassign).toEqual({
      taskID: String(id),
      transactionID: expect.stringMatching(/^[0-9]+$/),
      transactionPHID: expect.stringMatching(/^PHID-XACT-TASK-/),
      transactionType: 'reassign',
      oldValue: null,
      newValue: erin.phid,
      meta: {},
      comments: null,
      authorPHID: maya.phid,
      dateCreated: expect.stringMatching(/^[0-9]{10}$/),
    });
    expect(r[String(id)].find((x: { transactionType: string }) => x.transactionType === 'core:comment').comments).toBe('Mine now.');
    expect(r[String(id)].find((x: { transactionType: string }) => x.transactionType === 'priority')).toMatchObject({ oldValue: 90, newValue: 80 });
    expect(await ok('maniphest.gettasktransactions', { ids: [task.secret] })).toEqual({});
  });

  test('maniphest.querystatuses', async () => {
    expect(await ok('maniphest.querystatuses', {})).toEqual({
      defaultStatus: 'open',
      defaultClosedStatus: 'resolved',
      duplicateStatus: 'duplicate',
      openStatuses: ['open'],
      closedStatuses: ['resolved', 'wontfix', 'invalid', 'duplicate'],
      allStatuses: ['open', 'resolved', 'wontfix', 'invalid', 'duplicate'],
      statusMap: { open: 'Open', resolved: 'Resolved', wontfix: 'Wontfix', invalid: 'Invalid', duplicate: 'Duplicate' },
    });
  });

  test('conduit.query lists every method; conduit.getcapabilities needs no token', async () => {
    const methods = await ok('conduit.query', {});
    expect(Object.keys(methods)).toEqual(METHODS.map((m) => m.name).sort());
    expect(methods['maniphest.info']).toEqual({ description: expect.any(String), params: { task_id: 'required id' }, return: 'wild' });
    expect(await call(t.app, 'conduit.getcapabilities')).toEqual({
      result: { authentication: ['token'], signatures: [], input: ['json', 'urlencoded'], output: ['json', 'human'] },
      error_code: null,
      error_info: null,
    });
  });

  test('each has its page in the console, with its parameters', async () => {
    const browser = await loggedIn(t.app, 'erin');
    for (const name of ['maniphest.info', 'maniphest.query', 'maniphest.createtask', 'maniphest.update', 'maniphest.gettasktransactions', 'maniphest.querystatuses', 'conduit.query', 'conduit.getcapabilities']) {
      const page = await browser.get(`/conduit/method/${name}/`);
      expect([name, page.status]).toEqual([name, 200]);
      const documented = METHODS.find((m) => m.name === name)!.docs.map((d) => d.name);
      expect(page.dom.querySelectorAll('.conduit-params tbody tr code').filter((_c, i) => i % 2 === 0).map((c) => c.textContent)).toEqual(documented);
    }
  });

  test('output=human answers with a page for people, errors included', async () => {
    const res = await request(t.app).post('/api/maniphest.info').type('form').send({ 'api.token': tok.erin!, task_id: String(task.fire), output: 'human' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Method Call Result');
    expect(res.text).toContain('&quot;title&quot;: &quot;Printer on fire&quot;');
    const bad = await request(t.app).post('/api/maniphest.info').type('form').send({ 'api.token': tok.erin!, task_id: '<b>1</b>', output: 'human' });
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('ERR-CONDUIT-CALL');
    expect(bad.text).not.toContain('<b>');
    expect(new URL((await ok('maniphest.info', { task_id: task.fire })).uri).origin).toMatch(SITE);
  });
});
