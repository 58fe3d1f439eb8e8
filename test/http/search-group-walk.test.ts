import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, type Page } from '../support/http';

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const next = (page: Page) => page.dom.querySelector('.pager a[rel="next"]')!.getAttribute('href')!;

/**
 * A grouped list whose order no index pairs with the grouping is read group by
 * group. Its cursor names a group; when that group empties between two pages,
 * the next page goes on from where the group stood, as a single sorted query would.
 */
describe('pages of a list read group by group, while tasks move between groups', () => {
  const t = useTestApp();
  const T: Record<string, string> = {};

  beforeAll(async () => {
    const maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    for (const name of ['amy', 'ben', 'cal', 'dan']) await createUser(t.db, { username: name, role: 'engineer' });
    for (const [title, owner, priority] of [
      ['a1', 'amy', 'high'],
      ['a2', 'amy', 'high'],
      ['b1', 'ben', 'normal'],
      ['b2', 'ben', 'normal'],
      ['c1', 'cal', 'low'],
      ['c2', 'cal', 'low'],
    ] as const) {
      T[title] = `T${await createTask(t.domain, maya, { title, owner, priority })}`;
    }
  });

  test('grouped by owner: the cursor owner loses every task, the next page goes on after it', async () => {
    const maya = await loggedIn(t.app, 'maya');
    const first = await maya.get('/maniphest/query/?order=title&group=owner&limit=3');
    expect(monograms(first)).toEqual([T.a1, T.a2, T.b1]);
    const maintainer = (await t.db('users').where({ username: 'maya' }).first())!;
    for (const title of ['b1', 'b2']) await edit(t.domain, maintainer, Number(T[title]!.slice(1)), { owner: 'dan' });
    // In (owner, title) order after (ben, b1): cal's two, then b1 and b2 under dan.
    expect(monograms(await maya.get(next(first)))).toEqual([T.c1, T.c2, T.b1]);
  });

  test('grouped by priority: the same, when the cursor priority empties', async () => {
    const maya = await loggedIn(t.app, 'maya');
    const first = await maya.get('/maniphest/query/?order=title&group=priority&limit=3');
    expect(monograms(first)).toEqual([T.a1, T.a2, T.b1]);
    const maintainer = (await t.db('users').where({ username: 'maya' }).first())!;
    for (const title of ['b1', 'b2']) await edit(t.domain, maintainer, Number(T[title]!.slice(1)), { priority: 'wish' });
    // Normal is now empty: Low's two, then the two Wishlist tasks.
    expect(monograms(await maya.get(next(first)))).toEqual([T.c1, T.c2, T.b1]);
  });
});
