import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { loggedIn, textOf } from '../support/http';

describe('group headers count their group', () => {
  const t = useTestApp();

  beforeAll(async () => {
    const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    // Rows written directly: ten thousand tasks through the editor would take minutes.
    await t.db.raw(
      `INSERT INTO tasks (title, status, priority, author_id, view_policy)
       SELECT 'Crowded ' || n, 'open', CASE WHEN n <= 10001 THEN 50 WHEN n <= 10004 THEN 80 ELSE 100 END, ?, 'users'
       FROM generate_series(1, 10005) AS n`,
      [mia.id],
    );
  });

  const headers = async (query: string) => {
    const page = await (await loggedIn(t.app, 'mia')).get(`/maniphest/query/?${query}`);
    expect(page.status).toBe(200);
    return page.dom.querySelectorAll('.group-header').map((h) => textOf(h));
  };

  test('each group on the page is counted exactly up to 10,000, then "10,000+"', async () => {
    expect(await headers('statuses=open&limit=5')).toEqual(['Unbreak Now! (1)', 'High (3)', 'Normal (10,000+)']);
    // A later page counts its own groups the same way.
    expect(await headers('statuses=open&priorities=normal&limit=5')).toEqual(['Normal (10,000+)']);
    expect(await headers('statuses=open&priorities=high&limit=5')).toEqual(['High (3)']);
  });

  test('a search ordered by relevance, counted in its own scan, reads the same', async () => {
    expect(await headers('text=crowded&limit=5')).toEqual(['Unbreak Now! (1)', 'High (3)', 'Normal (10,000+)']);
    expect(await headers('text=crowded&priorities=high,unbreak&limit=5')).toEqual(['Unbreak Now! (1)', 'High (3)']);
  });
});
