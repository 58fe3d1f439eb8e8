import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, textOf, type Browser, type Page } from '../support/http';
import type { User } from '../../server/users/user';

/**
 * Parsed Markdown is kept between requests (server/markup/render.ts). What a
 * reference shows is still decided on each view, for that viewer: a card
 * follows its task's title, status and visibility at once, and a text read by
 * someone who may see the task first never shows it to someone who may not.
 */
describe('kept Markdown and the references in it', () => {
  const t = useTestApp();
  const d = () => ({ db: t.db, tracker: t.tracker });
  let alice: User;
  let maintainer: Browser;
  let engineer: Browser;
  let target: number;
  let host: number;

  /** The comment's references as the page renders them: each link's text, title and classes; plain text when unlinked. */
  function comment(page: Page) {
    const markup = page.dom.querySelector('.timeline .comment')!;
    return {
      text: textOf(markup),
      links: markup.querySelectorAll('a.task-ref').map((a) => ({ text: textOf(a), title: a.getAttribute('title'), classes: a.getAttribute('class') })),
    };
  }

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'erin', role: 'engineer' });
    target = await createTask(d(), alice, { title: 'Old title', priority: 'high' });
    host = await createTask(d(), alice, { title: 'Host' });
    await edit(d(), alice, host, { comment: `The card {T${target}} and the link T${target}.` });
    maintainer = await loggedIn(t.app, 'alice');
    engineer = await loggedIn(t.app, 'erin');
  });

  test('a card shows the title and status its task has now', async () => {
    expect(comment(await engineer.get(`/T${host}`)).links).toEqual([
      { text: `T${target}: Old title`, title: 'Open, High', classes: 'task-ref full pri-red' },
      { text: `T${target}`, title: `T${target}: Old title`, classes: 'task-ref' },
    ]);

    await edit(d(), alice, target, { title: 'New title', status: 'resolved' });

    expect(comment(await engineer.get(`/T${host}`)).links).toEqual([
      { text: `T${target}: New title`, title: 'Closed, Resolved', classes: 'task-ref full pri-red closed' },
      { text: `T${target}`, title: `T${target}: New title`, classes: 'task-ref closed' },
    ]);
  });

  test('a task hidden since is shown to no one who may not see it, even right after someone who may', async () => {
    await edit(d(), alice, target, { view: 'maintainers' });

    const seen = comment(await maintainer.get(`/T${host}`));
    expect(seen.links.map((l) => l.text)).toEqual([`T${target}: New title`, `T${target}`]);

    const unseen = comment(await engineer.get(`/T${host}`));
    expect(unseen.links).toEqual([]);
    expect(unseen.text).toBe(`The card {T${target}} and the link T${target}.`);
    expect((await engineer.get(`/T${host}`)).html).not.toContain('New title');

    await edit(d(), alice, target, { view: 'users' });
    expect(comment(await engineer.get(`/T${host}`)).links.map((l) => l.text)).toEqual([`T${target}: New title`, `T${target}`]);
  });

  test('the same text on another task, and an edited comment, render as their own words', async () => {
    const other = await createTask(d(), alice, { title: 'Other host' });
    await edit(d(), alice, other, { comment: `The card {T${target}} and the link T${target}.` });
    expect(comment(await engineer.get(`/T${other}`)).text).toBe(comment(await engineer.get(`/T${host}`)).text);

    const [event] = await t.db('task_events').where({ task_id: other, type: 'comment' }).select('id');
    const csrf = await maintainer.csrf(`/T${other}/comment/${event.id}/edit`);
    const saved = await maintainer.postRaw(`/T${other}/comment/${event.id}/edit`, { __csrf__: csrf, comment: 'Now about **nothing**.' });
    expect(saved.status).toBe(303);
    const page = await engineer.get(`/T${other}`);
    expect(comment(page).text).toBe('Now about nothing.');
    expect(page.dom.querySelector('.timeline .comment strong')).not.toBeNull();
  });
});
