import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, type Browser } from '../support/http';
import { pageStatements } from '../support/statements';
import type { User } from '../../server/users/user';

/**
 * A task page resolves every reference in its text with one query per kind,
 * however many comments and references it holds: the number of queries a
 * page costs does not grow with its comments. Pages are rendered afresh every
 * time here (no kept pages: kept-pages.test.ts).
 */
describe('the queries a task page costs', () => {
  const t = useTestApp({ pageCacheBytes: 0 });
  const d = () => ({ db: t.db, tracker: t.tracker });
  let author: User;
  let viewer: Browser;
  const targets: number[] = [];
  const people: string[] = [];
  let secret: number;

  beforeAll(async () => {
    author = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'erin', role: 'engineer' });
    for (let i = 0; i < 8; i++) people.push((await createUser(t.db, { username: `person${i}`, role: 'engineer' })).username);
    for (let i = 0; i < 12; i++) targets.push(await createTask(d(), author, { title: `Target ${i}`, status: i % 3 === 0 ? 'resolved' : 'open' }));
    secret = await createTask(d(), author, { title: 'Maintainers only', view: 'maintainers' });
    viewer = await loggedIn(t.app, 'erin');
  });

  /** Ten references: task links of each form, a hidden and a missing task, and people known and unknown. */
  function commentText(n: number): string {
    const task = (k: number) => targets[(n + k) % targets.length]!;
    const person = (k: number) => people[(n + k) % people.length]!;
    return [
      `See T${task(0)}, {T${task(1)}} and T${task(2)}#${n + 1}.`,
      `Also T${secret} and T${999999 + n}.`,
      `Ask @${person(0)}, @${person(1)} or @${person(2)}; not @ghost${n}.`,
      `Then {T${task(3)}}.`,
    ].join('\n\n');
  }

  async function taskWithComments(count: number): Promise<number> {
    const id = await createTask(d(), author, { title: `Busy task with ${count} comments`, description: commentText(0) });
    for (let n = 1; n <= count; n++) await edit(d(), author, id, { comment: commentText(n) });
    return id;
  }

  /** The SQL a page view issues, in order. */
  async function queriesOf(path: string): Promise<{ sql: string[]; refs: number }> {
    const { result: page, sql } = await pageStatements(t.db, () => viewer.get(path));
    expect(page.status).toBe(200);
    return { sql, refs: page.dom.querySelectorAll('.markup a.task-ref, .markup a.user-ref').length };
  }

  const fromTable = (sql: string[], table: string) => sql.filter((q) => new RegExp(`\\bfrom "${table}"`, 'i').test(q));

  test('each comment holds ten references', () => {
    const refs = [...commentText(3).matchAll(/\{?T[0-9]+|@[a-z0-9]+/g)];
    expect(refs).toHaveLength(10);
  });

  test('50 comments with 10 references each cost the same queries as 5', async () => {
    const small = await taskWithComments(5);
    const big = await taskWithComments(50);

    const few = await queriesOf(`/T${small}`);
    const many = await queriesOf(`/T${big}`);

    // The links really were resolved: 7 per text that erin may follow (the hidden, missing and ghost ones stay text).
    expect(few.refs).toBe(6 * 7);
    expect(many.refs).toBe(51 * 7);

    expect(many.sql).toHaveLength(few.sql.length);
    // One query loads every task the page names, one every person it names.
    expect(fromTable(many.sql, 'tasks')).toHaveLength(1);
    expect(fromTable(many.sql, 'users')).toHaveLength(1);
    // The rest: the session, the task with everything that hangs off it (events, edges, tags and cards...), and the task graph.
    expect(many.sql.length).toBeLessThanOrEqual(5);
  });
});
