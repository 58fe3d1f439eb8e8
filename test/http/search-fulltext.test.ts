import { findUserByUsername } from '../../server/users/repository';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, textOf, type Browser, type Page } from '../support/http';

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const titleHtml = (page: Page, monogram: string) =>
  page.dom
    .querySelectorAll('.task-row')
    .find((r) => r.querySelector('.monogram')!.textContent.trim() === monogram)!
    .querySelector('.task-title')!.innerHTML;

describe('full-text search', () => {
  const t = useTestApp();
  const T: Record<string, string> = {};
  const list = (...names: string[]) => names.map((n) => T[n]!);
  let alice: Browser | undefined;
  const search = async (text: string, extra = '') => {
    alice ??= await loggedIn(t.app, 'alice');
    const page = await alice.get(`/maniphest/query/?text=${encodeURIComponent(text)}${extra}`);
    expect(page.status).toBe(200);
    return page;
  };

  beforeAll(async () => {
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    // One priority for all, so the default grouping never reorders by anything but the search.
    const tasks: [string, string, string][] = [
      ['title', 'Crash when saving drafts', 'Happens every time.'],
      ['description', 'Slow dashboard', 'The app crashes on the dashboard.'],
      ['comment', 'Broken export', 'The CSV file is empty.'],
      ['phrase', 'Login page is slow', 'Mobile login takes ten seconds.'],
      ['words', 'Mobile layout', 'The page for login is slow on mobile.'],
      ['other', 'Search is slow to load', 'Indexes are missing.'],
    ];
    for (const [name, title, description] of tasks) T[name] = `T${await createTask(t.domain, alice, { title, description, priority: 'normal' })}`;
    await edit(t.domain, alice, Number(T.comment!.slice(1)), { comment: 'It crashed for me yesterday as well.' });
    // Only maintainers see this one.
    T.secret = `T${await createTask(t.domain, alice, { title: 'Crash in the secret admin panel', priority: 'normal', view: 'maintainers' })}`;
  });

  test('English stemming: "crashes" finds crash, crashes and crashed', async () => {
    const page = await search('crashes', '&order=oldest&group=none');
    expect(monograms(page)).toEqual(list('title', 'description', 'comment', 'secret'));
    expect(monograms(await search('crashing', '&order=oldest&group=none'))).toEqual(list('title', 'description', 'comment', 'secret'));
  });

  test('relevance, the default order of a search, ranks the title over the description over a comment', async () => {
    const page = await search('crash', '&group=none');
    expect(page.dom.querySelector('select[name="order"] option[selected]')!.getAttribute('value')).toBe('relevance');
    // Equal ranks fall back to the newest task first.
    expect(monograms(page)).toEqual(list('secret', 'title', 'description', 'comment'));
    expect(monograms(await search('crash'))).toEqual(list('secret', 'title', 'description', 'comment'));
  });

  test('quoted phrases match the words together, in order', async () => {
    expect(monograms(await search('login page', '&order=oldest'))).toEqual(list('phrase', 'words'));
    expect(monograms(await search('"login page"', '&order=oldest'))).toEqual(list('phrase'));
    expect(monograms(await search('"page login"', '&order=oldest'))).toEqual([]);
  });

  test('a quoted phrase never spans the title and the description, nor two comments', async () => {
    const author = (await findUserByUsername(t.db, 'alice'))!;
    const id = await createTask(t.domain, author, { title: 'Thumbnails are sluggish', description: 'Webhooks fire twice.', priority: 'normal' });
    await edit(t.domain, author, id, { comment: 'Seen with large avatars' });
    await edit(t.domain, author, id, { comment: 'Uploads from phones too' });
    expect(monograms(await search('"sluggish webhooks"', '&order=oldest'))).toEqual([]);
    expect(monograms(await search('"avatars uploads"', '&order=oldest'))).toEqual([]);
    expect(monograms(await search('"large avatars"', '&order=oldest'))).toEqual([`T${id}`]);
  });

  test('-word excludes tasks that hold the word anywhere', async () => {
    expect(monograms(await search('slow', '&order=oldest'))).toEqual(list('description', 'phrase', 'words', 'other'));
    expect(monograms(await search('slow -mobile', '&order=oldest'))).toEqual(list('description', 'other'));
    expect(monograms(await search('crash -yesterday', '&order=oldest&group=none'))).toEqual(list('title', 'description', 'secret'));
  });

  test('title:word searches titles only', async () => {
    expect(monograms(await search('title:slow', '&order=oldest'))).toEqual(list('description', 'phrase', 'other'));
    expect(monograms(await search('title:crashes', '&order=oldest&group=none'))).toEqual(list('title', 'secret'));
    expect(monograms(await search('title:login', '&order=oldest'))).toEqual(list('phrase'));
    expect(monograms(await search('login', '&order=oldest'))).toEqual(list('phrase', 'words'));
    // Scoped and unscoped words together: slow in the title, mobile anywhere.
    expect(monograms(await search('title:slow mobile', '&order=oldest'))).toEqual(list('phrase'));
    expect(monograms(await search('title:"dashboard slow"', '&order=oldest'))).toEqual(list('description'));
  });

  test('a comment is found right after it is posted', async () => {
    const bob = await loggedIn(t.app, 'bob');
    const url = `/${T.other}`;
    expect(monograms(await bob.get('/maniphest/query/?text=zeppelin'))).toEqual([]);
    const posted = await bob.post(`${url}/comment`, { comment: 'Reproduced with two zeppelins attached.' }, url);
    expect(posted.status).toBe(303);
    expect(monograms(await bob.get('/maniphest/query/?text=zeppelin'))).toEqual(list('other'));
    const [row] = await t.db('tasks').where({ id: Number(T.other!.slice(1)) }).select(t.db.raw(`comments_vector @@ to_tsquery('english', 'zeppelin') AS indexed`));
    expect(row.indexed).toBe(true);
    // A later comment adds to the index rather than replacing it.
    expect((await bob.post(`${url}/comment`, { comment: 'Also with a blimp.' }, url)).status).toBe(303);
    expect(monograms(await bob.get('/maniphest/query/?text=zeppelin+blimp'))).toEqual(list('other'));
  });

  test('an edited title or description is found at once, and the old words no longer are', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const id = Number(T.words!.slice(1));
    await edit(t.domain, (await t.db('users').where({ username: 'alice' }).first())!, id, { title: 'Responsive layout', description: 'Breaks on tablets.' });
    expect(monograms(await alice.get('/maniphest/query/?text=tablet'))).toEqual(list('words'));
    expect(monograms(await alice.get('/maniphest/query/?text=title%3Aresponsive'))).toEqual(list('words'));
    expect(monograms(await alice.get('/maniphest/query/?text=title%3Amobile'))).toEqual([]);
  });

  test('matching words are highlighted in titles', async () => {
    const page = await search('crashes saving', '&group=none');
    expect(titleHtml(page, T.title!)).toBe('<mark>Crash</mark> when <mark>saving</mark> drafts');
    const other = await search('crash', '&group=none');
    // A match in the description leaves the title as it is.
    expect(titleHtml(other, T.description!)).toBe('Slow dashboard');
    expect(titleHtml(await search('title:crash'), T.title!)).toBe('<mark>Crash</mark> when saving drafts');
    // An excluded word is not a match.
    expect(titleHtml(await search('drafts -yesterday'), T.title!)).toBe('Crash when saving <mark>drafts</mark>');
  });

  test('a title holding HTML is escaped around the highlight', async () => {
    const alice = (await t.db('users').where({ username: 'alice' }).first())!;
    const title = `Fix <b>gotcha</b> & "gotcha" in <script>alert(1)</script> it's`;
    const id = await createTask(t.domain, alice, { title });
    const page = await search('gotcha');
    expect(titleHtml(page, `T${id}`)).toBe(
      'Fix &lt;b&gt;<mark>gotcha</mark>&lt;/b&gt; &amp; &quot;<mark>gotcha</mark>&quot; in &lt;script&gt;alert(1)&lt;/script&gt; it&#39;s',
    );
    expect(page.dom.querySelector('.task-list script')).toBeNull();
    expect(page.dom.querySelector('.task-list b')).toBeNull();
    expect(textOf(page.dom.querySelector('.task-title')!)).toBe(title);
  });

  test('a title holding the highlight markers themselves is shown as it is, without stray marks', async () => {
    const alice = (await t.db('users').where({ username: 'alice' }).first())!;
    const id = await createTask(t.domain, alice, { title: 'Quokka sighting report' });
    // The editor strips control characters now; rows stored before it did may still hold them.
    await t.db('tasks').where({ id }).update({ title: 'Quokka \u0001sighting\u0002 report' });
    const page = await search('quokka');
    expect(titleHtml(page, `T${id}`)).toBe('Quokka \u0001sighting\u0002 report');
  });

  test('a search never shows a task the viewer may not see', async () => {
    const bob = await loggedIn(t.app, 'bob');
    expect(monograms(await bob.get('/maniphest/query/?text=crash&group=none'))).toEqual(list('title', 'description', 'comment'));
    expect(monograms(await bob.get('/maniphest/query/?text=secret+admin'))).toEqual([]);
  });

  test('odd input is a search like any other, never an error', async () => {
    for (const text of ['the', '"', 'crash & | ! ( ) : * <-> \\', "title:'' title:&", '-', 'title:', 'a\u0000b', '"unclosed phrase', 'x'.repeat(1000)]) {
      const page = await search(text);
      expect(page.text).not.toContain('Something went wrong');
    }
    expect(textOf((await search('the')).dom.querySelector('.empty')!)).toBe('No tasks found. Create a task.');
    // Text without a single searchable word finds nothing, in any order.
    expect(monograms(await search('title:&', '&order=newest'))).toEqual([]);
    expect(monograms(await search('crash &', '&order=oldest&group=none'))).toEqual(list('title', 'description', 'comment', 'secret'));
  });

  test('text longer than 1000 characters is refused with a message', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const page = await alice.get(`/maniphest/query/?text=${'x'.repeat(1001)}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('This is too long.');
  });
});
