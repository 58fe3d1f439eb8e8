import { demoReport, loadDemo } from '../../server/cli/demo';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { Browser } from '../support/http';

/**
 * The demo data reads like a tracker in use: tasks filed over months, with
 * cross-references, mentions, projects and subtasks; and `demo` never claims
 * the demo password for an account that existed before.
 */

const t = useTestApp();
const DAY = 24 * 3600_000;

describe('the demo data', () => {
  let report: string[];

  beforeAll(async () => {
    // An install whose administrator is already called alice, with a password of their own.
    await createUser(t.db, { username: 'alice', role: 'admin' });
    report = demoReport(await loadDemo(t.domain));
  });

  test('is spread over the last months, so created and updated orders differ', async () => {
    const tasks = await t.db('tasks').select('id', 'created_at', 'updated_at').orderBy('id');
    const created = tasks.map((r) => new Date(r.created_at).getTime());
    const now = Date.now();
    expect(now - Math.min(...created)).toBeGreaterThan(90 * DAY);
    expect(now - Math.max(...created)).toBeLessThan(14 * DAY);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(tasks.every((r) => new Date(r.updated_at).getTime() <= now && r.updated_at >= r.created_at)).toBe(true);
    const byUpdate = [...tasks].sort((a, b) => b.updated_at - a.updated_at || b.id - a.id).map((r) => r.id);
    const byCreation = [...tasks].sort((a, b) => b.created_at - a.created_at).map((r) => r.id);
    expect(byUpdate).not.toEqual(byCreation);
    // Each event is dated in its task's own history, not at the minute of the load.
    const events = await t.db('task_events').min('created_at as first').max('created_at as last').first();
    expect(new Date(events!.last).getTime() - new Date(events!.first).getTime()).toBeGreaterThan(90 * DAY);
  });

  test('has cross-references, mentions, projects and a subtask', async () => {
    expect(Number((await t.db('task_events').where({ type: 'mentioned' }).count({ n: '*' }))[0]!.n)).toBeGreaterThanOrEqual(5);
    const comments = await t.db('task_events').where({ type: 'comment' }).pluck('new_value');
    expect(comments.filter((c) => /@(alice|bob|carol|dave|erin)\b/.test(String(c))).length).toBeGreaterThanOrEqual(3);
    expect(comments.some((c) => /T\{|Tundefined/.test(String(c)))).toBe(false);
    expect(Number((await t.db('task_projects').count({ n: '*' }))[0]!.n)).toBeGreaterThanOrEqual(5);
    expect(Number((await t.db('task_subtasks').count({ n: '*' }))[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  test('says which accounts have the demo password, and that an existing one kept its own', () => {
    expect(report).toEqual([
      'Loaded 6 people and 30 tasks.',
      'Log in as alice (administrator), bob or carol (maintainers), dave or erin (engineers) or frank (reader). ' +
        'The password of bob, carol, dave, erin, frank is "trellis-demo"; alice already existed and kept its own password.',
    ]);
  });

  test('a back-link shows on the referenced task page', async () => {
    const first = await t.db('tasks').orderBy('id').first('id');
    const bob = new Browser(t.app);
    await bob.login('bob', 'trellis-demo');
    const page = await bob.get(`/T${first!.id}`);
    expect(page.status).toBe(200);
    expect(page.dom.querySelectorAll('.mentioned-in .task-link').length).toBeGreaterThanOrEqual(1);
  });
});
