import { queueBulkEdit } from '../../server/tasks/bulk';
import { listTargets } from '../../server/tasks/bulk-repository';
import { createJobRunner } from '../../server/jobs/handlers';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn } from '../support/http';

describe('bulk edits run as jobs', () => {
  const t = useTestApp();
  const users = {} as Record<'mia' | 'ada' | 'erin', User>;

  beforeAll(async () => {
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.ada = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
  });

  /** An engineer's task, triaged as Normal, so every change below shows. */
  const task = (title: string) => createTask(t.domain, users.erin, { title, priority: 'normal' });
  const priorities = async (ids: number[]) => (await t.db('tasks').whereIn('id', ids).orderBy('id').pluck('priority')) as number[];

  const eventCount = async (ids: number[]) => (await t.db('task_events').whereIn('task_id', ids).count<{ n: number }[]>({ n: '*' }))[0]!.n;

  test('saving answers with a redirect, so reloading the report changes nothing again', async () => {
    const ids = [await task('One'), await task('Two')];
    const browser = await loggedIn(t.app, 'mia');
    const list = await browser.get('/maniphest/query/?authors=erin');
    const posted = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', priority: 'low' }, ids), '/maniphest/query/?authors=erin');
    expect(posted.status).toBe(303);
    const report = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'low' }, ids), '/maniphest/query/?authors=erin');
    // The second run finds every task already at Low.
    expect(report.dom.querySelector('.summary')!.textContent).toBe('0 tasks were changed.');
    const events = await eventCount(ids);
    const jobs = await t.db('bulk_edits').count<{ n: number }[]>({ n: '*' });
    const again = await browser.get(posted.location!);
    expect(again.status).toBe(200);
    expect(again.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(await eventCount(ids)).toBe(events);
    expect(await t.db('bulk_edits').count<{ n: string }[]>({ n: '*' })).toEqual(jobs);
  });

  test('a running edit shows its progress and reloads itself; the report follows when it is done', async () => {
    const ids = [await task('Slow one'), await task('Slow two')];
    // Queued without waking the runner: what a person sees while another process is still at work.
    const job = await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'wish' }], '/maniphest/query/?authors=erin');
    const browser = await loggedIn(t.app, 'mia');
    const running = await browser.get(`/maniphest/bulk/${job}/`);
    expect(running.status).toBe(200);
    expect(running.dom.querySelector('.progress')!.textContent).toBe('0 of 2 tasks done so far. This page reloads until the edit is finished.');
    expect(running.dom.querySelector('meta[http-equiv="refresh"]')!.getAttribute('content')).toBe('2');
    expect(await priorities(ids)).toEqual([50, 50]);

    await t.deps.jobs.kick();
    const done = await browser.get(`/maniphest/bulk/${job}/`);
    expect(done.dom.querySelector('.progress')).toBeNull();
    expect(done.dom.querySelector('meta[http-equiv="refresh"]')).toBeNull();
    expect(done.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(done.dom.querySelector('a[href="/maniphest/query/?authors=erin"]')!.textContent).toBe('Back to the list');
    expect(await priorities(ids)).toEqual([0, 0]);
  });

  test('only the person who started an edit sees its page', async () => {
    const job = await queueBulkEdit(t.db, users.mia, [await task('Private')], [{ type: 'priority', value: 'low' }], '/maniphest/');
    await t.deps.jobs.kick();
    for (const name of ['ada', 'erin']) {
      const page = await (await loggedIn(t.app, name)).get(`/maniphest/bulk/${job}/`);
      expect(page.status).toBe(404);
      expect(page.text).toContain('There is no such bulk edit.');
    }
    for (const path of ['/maniphest/bulk/999999/', '/maniphest/bulk/abc/', '/maniphest/bulk/99999999999/']) {
      expect((await (await loggedIn(t.app, 'mia')).get(path)).status).toBe(404);
    }
    expect((await new Browser(t.app).get(`/maniphest/bulk/${job}/`)).status).toBe(403);
  });

  test('a job whose process stopped is taken up by another once its lease lapses, where it was left off', async () => {
    const ids = [];
    for (const title of ['A', 'B', 'C']) ids.push(await task(title));
    const job = await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'high' }], '/maniphest/');
    // Another process claimed it and edited the first task before it died.
    const queued = t.db('jobs').where({ kind: 'bulk-edit' }).whereRaw(`payload ->> 'bulkEditId' = ?`, [String(job)]);
    await queued.clone().update({ claimed_until: t.db.raw(`now() + interval '1 minute'`) });
    await t.db('tasks').where({ id: ids[0] }).update({ priority: 80 });
    await t.db('bulk_edit_tasks').where({ bulk_edit_id: job, position: 1 }).update({ outcome: 'changed' });

    // While its lease holds, the job is left alone.
    await t.deps.jobs.kick();
    expect(await priorities(ids)).toEqual([80, 50, 50]);
    expect((await t.db('bulk_edits').where({ id: job }).first('finished_at')).finished_at).toBeNull();

    await queued.clone().update({ claimed_until: t.db.raw(`now() - interval '1 second'`) });
    await t.deps.jobs.kick();
    expect(await priorities(ids)).toEqual([80, 80, 80]);
    expect(await listTargets(t.db, job)).toEqual(ids.map((taskId) => ({ taskId, outcome: 'changed', reason: null })));
    expect(await queued.clone().first('claimed_until', 'attempts')).toEqual({ claimed_until: null, attempts: 1 });
    expect((await queued.clone().first('finished_at')).finished_at).not.toBeNull();
    // Only the two tasks edited here got priority events from this run.
    expect(await t.db('task_events').whereIn('task_id', ids).where({ type: 'priority', actor_id: users.mia.id }).pluck('task_id')).toEqual([ids[1], ids[2]]);
  });

  test('a started runner finds queued jobs by itself, without being woken', async () => {
    const id = await task('Found by polling');
    const job = await queueBulkEdit(t.db, users.mia, [id], [{ type: 'priority', value: 'high' }], '/maniphest/');
    const poller = createJobRunner({ ...t.deps, log: (line) => t.errors.push(line) });
    poller.start(20);
    try {
      for (let tries = 0; !(await t.db('bulk_edits').where({ id: job }).first('finished_at')).finished_at; tries++) {
        if (tries === 200) throw new Error('The runner never took the job.');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await poller.stop();
    }
    expect(await priorities([id])).toEqual([80]);
  });

  test('two runners on one database never take the same job', async () => {
    const jobs: number[] = [];
    const all: number[] = [];
    for (let j = 0; j < 4; j++) {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await task(`Job ${j} task ${i}`));
      all.push(...ids);
      jobs.push(await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'triage' }], '/maniphest/'));
    }
    const other = createJobRunner({ ...t.deps, log: (line) => t.errors.push(line) });
    await Promise.all([t.deps.jobs.kick(), other.kick()]);
    await other.stop();
    expect(await t.db('bulk_edits').whereIn('id', jobs).whereNull('finished_at').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    // Each task edited once: twelve priority changes, no more.
    expect(await t.db('task_events').whereIn('task_id', all).where({ type: 'priority', actor_id: users.mia.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 12 }]);
  });

  test('an edit started by someone whose account is disabled before it runs changes nothing', async () => {
    const id = await task('Left alone');
    const job = await queueBulkEdit(t.db, users.ada, [id], [{ type: 'priority', value: 'unbreak' }], '/maniphest/');
    await t.db('users').where({ id: users.ada.id }).update({ disabled_at: t.db.fn.now() });
    await t.deps.jobs.kick();
    expect(await listTargets(t.db, job)).toEqual([{ taskId: id, outcome: 'refused', reason: 'The account that started this bulk edit is disabled.' }]);
    expect(await priorities([id])).toEqual([50]);
  });
});
