import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { result, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, textOf, timelineLines, type Page } from '../support/http';

/**
 * Editing and removing comments, as Phabricator does: the author (or a
 * maintainer) edits, the comment says "Edited" and keeps its earlier versions
 * for anyone who may see the task, a removal leaves "This comment was removed
 * by …", and someone else's comment is refused with a 403.
 */

/** The comment groups of a task page: the body, and the marks and actions under it. */
function comments(page: Page) {
  return page.dom.querySelectorAll('.timeline .event-group.has-comment').map((g) => ({
    text: g.querySelector('.comment') ? textOf(g.querySelector('.comment')!) : null,
    edited: g.querySelector('.comment-edited') !== null,
    canEdit: g.querySelector('.comment-edit') !== null,
  }));
}

describe('editing and removing comments', () => {
  const t = useTestApp();
  const d = () => t.domain;
  const users = {} as Record<'alice' | 'bob' | 'carol' | 'mia', User>;
  let alice: Browser;
  let bob: Browser;
  let mia: Browser;

  beforeAll(async () => {
    users.alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.carol = await createUser(t.db, { username: 'carol', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    alice = await loggedIn(t.app, 'alice');
    bob = await loggedIn(t.app, 'bob');
    mia = await loggedIn(t.app, 'mia');
  });

  /** A task with one comment by alice; the comment's base URL. */
  async function commented(text = 'The printer is on fire.') {
    const id = await createTask(d(), users.mia, { title: 'Printer', view: 'public' });
    const page = await alice.post(`/T${id}/comment`, { comment: text }, `/T${id}`);
    expect(page.status).toBe(303);
    const after = await alice.get(`/T${id}`);
    const href = after.dom.querySelector('.comment-edit')!.getAttribute('href')!;
    return { id, base: href.replace(/\/edit$/, ''), commentId: Number(/comment\/([0-9]+)/.exec(href)![1]) };
  }

  test('the author edits a comment: new text, an Edited mark, and every version in its history', async () => {
    const { id, base, commentId } = await commented();
    const form = await alice.get(`${base}/edit`);
    expect(form.status).toBe(200);
    expect(textOf(form.dom.querySelector('textarea[name="comment"]')!)).toBe('The printer is on fire.');

    const saved = await alice.post(`${base}/edit`, { comment: 'The printer is **still** on fire.' }, `${base}/edit`);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/T${id}#${commentId}`);

    const page = await alice.get(`/T${id}`);
    expect(comments(page)).toEqual([{ text: 'The printer is still on fire.', edited: true, canEdit: true }]);
    // No line of its own in the timeline: the comment says it was edited.
    expect(timelineLines(page).filter((l) => /edited|comment/.test(l))).toEqual(['alice added a comment.']);

    // Anyone who may see the task sees the history, a visitor too on a public task.
    const history = await new Browser(t.app).get(`${base}/history`);
    expect(history.status).toBe(200);
    expect(history.dom.querySelectorAll('.comment-version h2').map((h) => textOf(h).replace(/, .*/, ''))).toEqual(['Version 2 by alice', 'Version 1 by alice']);
    expect(history.dom.querySelectorAll('.comment-version .comment').map((c) => textOf(c))).toEqual(['The printer is still on fire.', 'The printer is on fire.']);
  });

  test("someone else's comment: an engineer is refused with a 403 and nothing changes", async () => {
    const { id, base } = await commented('Mine alone.');
    expect((await bob.get(`/T${id}`)).dom.querySelector('.comment-edit')).toBeNull();
    expect((await bob.get(`${base}/edit`)).status).toBe(403);
    const refused = await bob.post(`${base}/edit`, { comment: 'Rewritten by bob.' }, `/T${id}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You may only edit or remove your own comments.');
    expect((await bob.post(`${base}/remove`, {}, `/T${id}`)).status).toBe(403);
    expect(comments(await alice.get(`/T${id}`))).toEqual([{ text: 'Mine alone.', edited: false, canEdit: true }]);
  });

  test('a maintainer removes a comment: the notice names them, the text and its history are gone', async () => {
    const { id, base } = await commented('Something regrettable.');
    await alice.post(`${base}/edit`, { comment: 'Something more regrettable.' }, `${base}/edit`);
    expect((await mia.get(`${base}/remove`)).status).toBe(200);
    const removed = await mia.post(`${base}/remove`, {}, `${base}/remove`);
    expect(removed.status).toBe(303);

    const page = await alice.get(`/T${id}`);
    expect(page.text).toContain('This comment was removed by mia.');
    expect(page.html).not.toContain('regrettable');
    expect(page.dom.querySelector('.comment-edit')).toBeNull();
    const history = await alice.get(`${base}/history`);
    expect(history.text).toContain('This comment was removed by mia.');
    expect(history.html).not.toContain('regrettable');
    // A removed comment stays removed.
    const again = await alice.post(`${base}/edit`, { comment: 'Back again.' }, `/T${id}`);
    expect(again.status).toBe(409);
    // Quoting it gives nothing to quote.
    expect((await alice.get(`/T${id}/quote/${base.split('/').pop()}`)).text).not.toContain('regrettable');
  });

  test('an empty edit is refused with the form kept; a request without the CSRF token is a 403', async () => {
    const { base } = await commented('Keep me.');
    const empty = await alice.post(`${base}/edit`, { comment: '   ' }, `${base}/edit`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('A comment can not be empty; remove it instead.');
    expect(empty.dom.querySelector('textarea[name="comment"]')).not.toBeNull();
    expect((await alice.postRaw(`${base}/edit`, { comment: 'No token.' })).status).toBe(403);
    expect((await alice.postRaw(`${base}/remove`, {})).status).toBe(403);
  });

  test('mentions and references follow the new text; search finds the new words, not the old ones', async () => {
    const other = await createTask(d(), users.mia, { title: 'Toner supply', view: 'public' });
    const { id, base } = await commented('Nothing to see yet, quokka.');
    await alice.post(`${base}/edit`, { comment: `Ask @carol about T${other}, wombat.` }, `${base}/edit`);

    const page = await alice.get(`/T${id}`);
    expect(page.dom.querySelectorAll('.subscribers a').map((a) => textOf(a))).toContain('carol');
    expect(timelineLines(await alice.get(`/T${other}`))).toContain(`alice mentioned this in T${id}: Printer.`);

    const found = (q: string) => alice.get(`/maniphest/query/?text=${q}&group=none`).then((p) => p.dom.querySelector(`main a[href="/T${id}"]`) !== null);
    expect(await found('wombat')).toBe(true);
    expect(await found('quokka')).toBe(false);
  });

  test('a task one may not see: its comments can be neither read back nor revised', async () => {
    const id = await createTask(d(), users.mia, { title: 'Secret', view: 'maintainers' });
    await mia.post(`/T${id}/comment`, { comment: 'Maintainers only.' }, `/T${id}`);
    const base = (await mia.get(`/T${id}`)).dom.querySelector('.comment-edit')!.getAttribute('href')!.replace(/\/edit$/, '');
    expect((await mia.get(`${base}/history`)).status).toBe(200);
    // Exactly as a missing task: 404 (a visitor is first asked to log in before any edit, missing task or not).
    for (const path of [`${base}/history`, `${base}/edit`, `${base}/remove`]) expect((await alice.get(path)).status).toBe(404);
    expect((await new Browser(t.app).get(`${base}/history`)).status).toBe(404);
    expect((await alice.post(`${base}/edit`, { comment: 'Let me in.' }, '/maniphest/')).status).toBe(404);
  });

  test("transaction.search shows an edited comment's version and a removed one's empty text, and no extra transactions", async () => {
    const token = await tokenFor(t.db, users.alice);
    const first = await commented('Version one.');
    await alice.post(`${first.base}/edit`, { comment: 'Version two.' }, `${first.base}/edit`);
    const second = await commented('Gone soon.');
    await alice.post(`${second.base}/remove`, {}, `${second.base}/remove`);

    const comment = async (taskId: number) => {
      const r = (await result(t.app, 'transaction.search', { objectIdentifier: `T${taskId}` }, token)) as { data: { type: string | null; comments: Record<string, unknown>[] }[] };
      expect(r.data.filter((x) => x.type === null)).toEqual([]);
      return r.data.find((x) => x.type === 'comment')!.comments[0]!;
    };
    expect(await comment(first.id)).toMatchObject({ version: 2, removed: false, content: { raw: 'Version two.' } });
    expect(await comment(second.id)).toMatchObject({ version: 2, removed: true, content: { raw: '' } });
  });
});
