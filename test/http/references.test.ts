import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, textOf, timelineLines, type Page } from '../support/http';
import { activeMarkup, LAYOUT_TAGS, XSS_PAYLOADS } from '../support/xss-corpus';
import type { User } from '../../server/users/user';

/**
 * Cross-references as readers follow them: back-links and the Mentions panel,
 * subscribing the people a text mentions, never leaking a task the reader may
 * not see, hovercards, quotes and previews, and no active markup from any of it.
 */

/** A whole page is scanned, except the head tags its layout ships (its own script among them). */
const PAGE = { own: LAYOUT_TAGS };

/** The timeline as groups: each group's lines and the text of its comment, if any. */
function groups(page: Page) {
  return page.dom.querySelectorAll('.timeline .event-group').map((g) => ({
    lines: g.querySelectorAll('.event').map((e) => textOf(e)),
    comment: g.querySelector('.comment') ? textOf(g.querySelector('.comment')!) : null,
  }));
}

/** The Mentions panel: each listed task's name, state and whether it is struck through. */
function mentions(page: Page) {
  const list = (cls: string) =>
    page.dom.querySelectorAll(`.mentions .${cls} .task-link`).map((p) => ({
      name: textOf(p.querySelector('a')!),
      href: p.querySelector('a')!.getAttribute('href'),
      state: textOf(p.querySelector('.state')!),
      closed: p.querySelector('a')!.classList.contains('closed'),
    }));
  return { shown: page.dom.querySelector('.mentions') !== null, mentionedIn: list('mentioned-in'), mentionsHere: list('mentioned-here') };
}

/** A page as a comparison sees it: the request id is the one thing allowed to differ. */
function fingerprint(page: Page) {
  return { status: page.status, html: page.html.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<request id>') };
}

/** A hovercard's facts, as label and value pairs. */
function facts(card: Page) {
  return card.dom.querySelectorAll('dt').map((dt) => [textOf(dt), textOf(dt.nextElementSibling!)]);
}

const idOf = (page: Page) => Number(/^\/T([0-9]+)$/.exec(page.location ?? '')?.[1]);

describe('cross-references', () => {
  const t = useTestApp();
  const d = () => ({ db: t.db, tracker: t.tracker });
  const users = {} as Record<'alice' | 'bob' | 'erin' | 'mia' | 'maxine' | 'rita', User>;
  let alice: Browser;
  let bob: Browser;
  let erin: Browser;
  let mia: Browser;
  let visitor: Browser;

  beforeAll(async () => {
    users.alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.maxine = await createUser(t.db, { username: 'maxine', role: 'maintainer' });
    users.rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    alice = await loggedIn(t.app, 'alice');
    bob = await loggedIn(t.app, 'bob');
    erin = await loggedIn(t.app, 'erin');
    mia = await loggedIn(t.app, 'mia');
    visitor = new Browser(t.app);
  });

  async function file(b: Browser, fields: Record<string, string>): Promise<number> {
    const page = await b.post('/maniphest/task/edit/', fields, '/maniphest/task/edit/');
    expect(page.status).toBe(303);
    return idOf(page);
  }

  async function comment(b: Browser, id: number, text: string, extra: Record<string, string> = {}) {
    const page = await b.post(`/T${id}/comment`, { comment: text, ...extra }, `/T${id}`);
    expect(page.status).toBe(303);
  }

  async function editTask(b: Browser, id: number, fields: Record<string, string>) {
    const page = await b.post(`/maniphest/task/edit/${id}/`, fields, `/maniphest/task/edit/${id}/`);
    expect(page.status).toBe(303);
  }

  async function edges(...ids: number[]) {
    return t.db('task_edges').whereIn('src_task_id', ids).orderBy(['src_task_id', 'type', 'dst_task_id']).select('src_task_id', 'type', 'dst_task_id');
  }

  async function subscriberNames(id: number) {
    const rows = await t.db('task_subscribers as s').join('users as u', 'u.id', 's.user_id').where('s.task_id', id).orderBy('u.username').select('u.username');
    return rows.map((r: { username: string }) => r.username);
  }

  describe('back-links', () => {
    let t1: number;
    let t2: number;

    beforeAll(async () => {
      t1 = await file(alice, { title: 'Login page is slow', priority: 'high' });
      t2 = await file(alice, { title: 'Cache the session', priority: 'normal' });
    });

    test('a comment on T2 mentioning T1 gives T1 one line, however often T2 mentions it again', async () => {
      await comment(alice, t2, `This is caused by T${t1}.`);
      const line = `alice mentioned this in T${t2}: Cache the session.`;
      expect(timelineLines(await alice.get(`/T${t1}`))).toEqual(['alice created this task.', 'alice triaged this task as High priority.', line]);

      await comment(alice, t2, `Still T${t1}, and {T${t1}}, and T${t1}#1, and T${t1} again.`);
      await comment(bob, t2, `I agree about T${t1}.`);
      await editTask(alice, t2, { description: `Follows from T${t1}.` });
      await editTask(alice, t2, { description: `Follows from T${t1} and {T${t1}}.` });

      const lines = timelineLines(await alice.get(`/T${t1}`));
      expect(lines.filter((l) => l.includes('mentioned this in'))).toEqual([line]);
      // The link in the line goes to the mentioning task.
      const link = (await alice.get(`/T${t1}`)).dom.querySelector('.event-mentioned a.task-ref')!;
      expect(link.getAttribute('href')).toBe(`/T${t2}`);
      expect(await edges(t1, t2)).toEqual([
        { src_task_id: t1, type: 'mentioned-in', dst_task_id: t2 },
        { src_task_id: t2, type: 'mentions', dst_task_id: t1 },
      ]);
    });

    test('a description mentioning a task at creation gives it a back-link too', async () => {
      const t3 = await file(alice, { title: 'Write a load test', description: `Measure T${t1} first.` });
      const lines = timelineLines(await alice.get(`/T${t1}`));
      expect(lines.filter((l) => l.includes('mentioned this in'))).toEqual([
        `alice mentioned this in T${t2}: Cache the session.`,
        `alice mentioned this in T${t3}: Write a load test.`,
      ]);
      expect(await edges(t3)).toEqual([{ src_task_id: t3, type: 'mentions', dst_task_id: t1 }]);
    });

    test('titles never create mentions', async () => {
      const before = await t.db('task_events').where({ type: 'mentioned' }).count<{ n: string }[]>({ n: '*' });
      const t4 = await file(alice, { title: `Follow-up to T${t1} and {T${t2}}` });
      await editTask(alice, t4, { title: `Really a follow-up to T${t2} and @bob` });
      expect(await edges(t4)).toEqual([]);
      expect(await t.db('task_events').where({ type: 'mentioned' }).count<{ n: string }[]>({ n: '*' })).toEqual(before);
      expect(await subscriberNames(t4)).toEqual(['alice']);
      // A title is text, also where the page shows it.
      const page = await alice.get(`/T${t4}`);
      expect(page.dom.querySelector('h1 .title')!.textContent).toBe(`Really a follow-up to T${t2} and @bob`);
      expect(page.dom.querySelectorAll('h1 a')).toEqual([]);
    });

    test('a task mentioning itself makes no edge and no line', async () => {
      await comment(alice, t2, `As T${t2} says.`);
      expect(await edges(t2)).toEqual([{ src_task_id: t2, type: 'mentions', dst_task_id: t1 }]);
      expect(timelineLines(await alice.get(`/T${t2}`)).filter((l) => l.includes('mentioned this in'))).toEqual([]);
    });

    test('the Mentions panels list both directions, with status, closed tasks struck through', async () => {
      const t5 = await file(alice, { title: 'Old slowness report' });
      await comment(alice, t1, `Duplicate of the older T${t5}.`);

      let panel = mentions(await alice.get(`/T${t1}`));
      expect(panel.shown).toBe(true);
      expect(panel.mentionedIn.map((m) => m.name)).toEqual([`T${t2}: Cache the session`, expect.stringMatching(/^T[0-9]+: Write a load test$/)]);
      expect(panel.mentionedIn[0]).toEqual({ name: `T${t2}: Cache the session`, href: `/T${t2}`, state: 'Open, Normal', closed: false });
      expect(panel.mentionsHere).toEqual([{ name: `T${t5}: Old slowness report`, href: `/T${t5}`, state: 'Open, Needs Triage', closed: false }]);

      expect(mentions(await alice.get(`/T${t2}`))).toEqual({
        shown: true,
        mentionedIn: [],
        mentionsHere: [{ name: `T${t1}: Login page is slow`, href: `/T${t1}`, state: 'Open, High', closed: false }],
      });
      expect(mentions(await alice.get(`/T${t5}`)).mentionedIn).toEqual([
        { name: `T${t1}: Login page is slow`, href: `/T${t1}`, state: 'Open, High', closed: false },
      ]);

      await comment(mia, t2, 'Done.', { status: 'resolved' });
      await comment(mia, t5, 'Stale.', { status: 'wontfix' });
      panel = mentions(await alice.get(`/T${t1}`));
      expect(panel.mentionedIn[0]).toEqual({ name: `T${t2}: Cache the session`, href: `/T${t2}`, state: 'Closed, Resolved', closed: true });
      expect(panel.mentionsHere).toEqual([{ name: `T${t5}: Old slowness report`, href: `/T${t5}`, state: 'Closed, Wontfix', closed: true }]);
      const item = (await alice.get(`/T${t1}`)).dom.querySelector(`.mentions .mentioned-in .task-link`)!;
      expect(item.classList.contains('closed')).toBe(true);
      // In text, too, a closed task is struck through.
      const ref = (await alice.get(`/T${t1}`)).dom.querySelector(`.comment a.task-ref[href="/T${t5}"]`)!;
      expect(ref.classList.contains('closed')).toBe(true);
    });

    test('a task nothing mentions has no Mentions panel', async () => {
      const lonely = await file(alice, { title: 'Nobody links here' });
      expect(mentions(await alice.get(`/T${lonely}`)).shown).toBe(false);
    });
  });

  describe('subscribing the people a text mentions', () => {
    test('@bob in a comment subscribes him in the same group; an unknown name subscribes no one', async () => {
      const id = await createTask(d(), users.alice, { title: 'Deploy checklist' });
      await comment(alice, id, 'Could @bob look at this? And @nobody too.');
      const page = await alice.get(`/T${id}`);
      expect(groups(page).at(-1)).toEqual({ lines: ['alice added a subscriber: bob.'], comment: 'Could @bob look at this? And @nobody too.' });
      expect(await subscriberNames(id)).toEqual(['alice', 'bob']);
      const body = page.dom.querySelectorAll('.comment')[0]!;
      expect(body.querySelectorAll('a').map((a) => [a.getAttribute('href'), a.textContent])).toEqual([['/p/bob/', '@bob']]);
      // The subscriber line and the comment are one submission.
      const { group_id } = await t.db('task_events').where({ task_id: id, type: 'comment' }).first('group_id');
      expect((await t.db('task_events').where({ group_id }).orderBy('id').select('type')).map((r: { type: string }) => r.type).sort()).toEqual([
        'comment',
        'subscribers',
      ]);
    });

    test('a mention of someone already subscribed, or of oneself, adds nobody', async () => {
      const id = await createTask(d(), users.alice, { title: 'Rotate logs' });
      await comment(alice, id, 'Note to @alice: rotate.');
      expect(groups(await alice.get(`/T${id}`)).at(-1)).toEqual({ lines: ['alice added a comment.'], comment: 'Note to @alice: rotate.' });
      expect(await subscriberNames(id)).toEqual(['alice']);
    });

    test('a mentioned reader who can see the task is subscribed', async () => {
      const id = await createTask(d(), users.alice, { title: 'Docs typo', view: 'users' });
      await comment(alice, id, 'Reported by @rita.');
      expect(await subscriberNames(id)).toEqual(['alice', 'rita']);
    });

    test('a mentioned person who cannot see the task is not subscribed', async () => {
      const id = await createTask(d(), users.mia, { title: 'Audit the admin panel', view: 'maintainers' });
      await comment(mia, id, '@erin and @maxine, please review.');
      expect(await subscriberNames(id)).toEqual(['maxine', 'mia']);
      expect(groups(await mia.get(`/T${id}`)).at(-1)!.lines).toEqual(['mia added a subscriber: maxine.']);
      expect((await erin.get(`/T${id}`)).status).toBe(404);
    });

    test('after bob unsubscribes, editing the description that mentions him does not bring him back', async () => {
      const id = await createTask(d(), users.alice, { title: 'Flaky test' });
      await editTask(alice, id, { description: 'Ask @bob about it.' });
      expect(groups(await alice.get(`/T${id}`)).at(-1)!.lines).toEqual(['alice updated the task description.', 'alice added a subscriber: bob.']);
      expect(await subscriberNames(id)).toEqual(['alice', 'bob']);

      expect((await bob.post(`/T${id}/subscribe`, { action: 'unsubscribe' }, `/T${id}`)).status).toBe(303);
      expect(await subscriberNames(id)).toEqual(['alice']);

      await editTask(alice, id, { description: 'Ask @bob about it; he wrote the retry logic.' });
      await editTask(alice, id, { description: 'Ask @bob about it; he wrote the retry logic and its tests.' });
      expect(await subscriberNames(id)).toEqual(['alice']);
      const lines = timelineLines(await alice.get(`/T${id}`));
      expect(lines.slice(-3)).toEqual(['bob unsubscribed.', 'alice updated the task description.', 'alice updated the task description.']);
    });
  });

  describe('a task the reader may not see is never revealed', () => {
    let secret: number;
    let missing: number;
    let visible: number;
    let other: number;
    let secretComment: number;

    beforeAll(async () => {
      secret = await createTask(d(), users.mia, { title: 'Security hole in login', view: 'maintainers', priority: 'unbreak' });
      missing = secret + 100000;
      visible = await file(mia, {
        title: 'Public roadmap',
        view: 'users',
        description: `Secret: T${secret} {T${secret}} T${secret}#1\n\nMissing: T${missing} {T${missing}} T${missing}#1`,
      });
      other = await createTask(d(), users.mia, { title: 'Harden the login form', view: 'users' });
      await comment(mia, secret, `Related to T${other}.`);
      secretComment = (await t.db('task_events').where({ task_id: secret, type: 'comment' }).first('id')).id;
    });

    test('the link renders exactly like a link to a missing task: plain text, no title', async () => {
      const page = await erin.get(`/T${visible}`);
      const paragraphs = page.dom.querySelectorAll('.description .markup p').map((p) => p.innerHTML);
      expect(paragraphs).toEqual([`Secret: T${secret} {T${secret}} T${secret}#1`, `Missing: T${missing} {T${missing}} T${missing}#1`]);
      expect(paragraphs[0]!.replace(`Secret: `, '').split(String(secret)).join('N')).toBe(paragraphs[1]!.replace('Missing: ', '').split(String(missing)).join('N'));
      expect(page.html).not.toContain('Security hole');
      expect(page.dom.querySelectorAll(`a[href^="/T${secret}"]`)).toEqual([]);

      // A maintainer sees the links.
      const own = await mia.get(`/T${visible}`);
      expect(own.dom.querySelectorAll('.description a.task-ref').map((a) => a.textContent)).toEqual([`T${secret}`, `T${secret}: Security hole in login`, `T${secret}#1`]);
    });

    test('its hovercard answers exactly like that of a missing task', async () => {
      const hidden = await erin.get(`/T${secret}/hovercard`);
      expect(hidden.status).toBe(404);
      expect(fingerprint(hidden)).toEqual(fingerprint(await erin.get(`/T${missing}/hovercard`)));
      expect(hidden.html).not.toContain('Security hole');
      expect((await mia.get(`/T${secret}/hovercard`)).status).toBe(200);
    });

    test('the Mentions panel and the timeline leave it out; a maintainer sees both', async () => {
      const page = await erin.get(`/T${other}`);
      expect(timelineLines(page)).toEqual(['mia created this task.']);
      expect(mentions(page).mentionedIn).toEqual([]);
      expect(page.html).not.toContain('Security hole');
      expect(page.dom.querySelectorAll(`a[href^="/T${secret}"]`)).toEqual([]);

      const own = await mia.get(`/T${other}`);
      expect(timelineLines(own)).toEqual(['mia created this task.', `mia mentioned this in T${secret}: Security hole in login.`]);
      expect(mentions(own).mentionedIn).toEqual([
        { name: `T${secret}: Security hole in login`, href: `/T${secret}`, state: 'Open, Unbreak Now!', closed: false },
      ]);

      // The roadmap mentions it too: the engineer sees no Mentions panel there, the maintainer does.
      expect(mentions(await erin.get(`/T${visible}`)).mentionsHere).toEqual([]);
      expect(mentions(await mia.get(`/T${visible}`)).mentionsHere.map((m) => m.href)).toEqual([`/T${secret}`]);
    });

    test('a preview, a quote or a reply cannot reach it either', async () => {
      const preview = await erin.post('/markup/preview', { text: `T${secret} {T${secret}}` }, `/T${visible}`);
      expect(preview.status).toBe(200);
      expect(preview.html).toBe(`<p>T${secret} {T${secret}}</p>\n`);

      expect((await erin.get(`/T${secret}/quote/${secretComment}`)).status).toBe(404);
      // Asking to quote the secret task's comment from a visible task prefills nothing.
      const reply = await erin.get(`/T${visible}?quote=${secretComment}`);
      expect(reply.status).toBe(200);
      expect(reply.dom.querySelector('#comment-text')!.textContent).toBe('');
    });
  });

  describe('hovercards, quotes and previews', () => {
    let id: number;
    let commentId: number;

    beforeAll(async () => {
      id = await createTask(d(), users.alice, { title: 'Hovercards <3 "quotes"', priority: 'high', owner: 'bob' });
      await comment(alice, id, 'First line with T1.\n\nSecond paragraph, @bob.');
      commentId = (await t.db('task_events').where({ task_id: id, type: 'comment' }).first('id')).id;
    });

    test('a hovercard shows title, status, priority and owner', async () => {
      const card = await alice.get(`/T${id}/hovercard`);
      expect(card.status).toBe(200);
      expect(card.html).not.toContain('<html');
      expect(textOf(card.dom.querySelector('h3')!)).toBe(`T${id}: Hovercards <3 "quotes"`);
      expect(facts(card)).toEqual([
        ['Status', 'Open'],
        ['Priority', 'High'],
        ['Assigned', 'bob'],
      ]);
      expect(card.dom.querySelector('h3 a')!.getAttribute('href')).toBe(`/T${id}`);
      // A visitor may not see an All Users task: its card is as missing as the task.
      expect((await visitor.get(`/T${id}/hovercard`)).status).toBe(404);
    });

    test('a closed task without owner reads so on its card', async () => {
      const closed = await createTask(d(), users.mia, { title: 'Closed one' });
      await comment(mia, closed, 'Not a bug.', { status: 'invalid' });
      const card = await alice.get(`/T${closed}/hovercard`);
      expect(textOf(card.dom.querySelector('h3')!)).toBe(`T${closed}: Closed one`);
      expect(facts(card)).toEqual([
        ['Status', 'Invalid'],
        ['Priority', 'Needs Triage'],
        ['Assigned', 'None'],
      ]);
      expect(card.dom.querySelector('h3 a')!.classList.contains('closed')).toBe(true);
    });

    test.each(['99999999', '0', '01', 'abc', '99999999999999999999'])('the hovercard of T%s is a 404', async (n) => {
      expect((await alice.get(`/T${n}/hovercard`)).status).toBe(404);
    });

    test('a quote is the comment behind "> " with a link to its anchor', async () => {
      const res = await alice.agent.get(`/T${id}/quote/${commentId}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const quote = `In T${id}#${commentId}, @alice wrote:\n\n> First line with T1.\n>\n> Second paragraph, @bob.\n\n`;
      expect(res.text).toBe(quote);

      const page = await alice.get(`/T${id}?quote=${commentId}`);
      expect(page.status).toBe(200);
      expect(page.dom.querySelector('#comment-text')!.textContent.replace(/^\n/, '')).toBe(quote);
      // The Quote action links there, so it works without JavaScript.
      const action = page.dom.querySelector('.comment-actions a.quote')!;
      expect(action.getAttribute('href')).toBe(`/T${id}?quote=${commentId}#comment`);
      expect(action.getAttribute('data-quote')).toBe(`/T${id}/quote/${commentId}`);
    });

    test('only comments of that task can be quoted', async () => {
      const created = (await t.db('task_events').where({ task_id: id, type: 'create' }).first('id')).id;
      expect((await alice.get(`/T${id}/quote/${created}`)).status).toBe(404);
      const elsewhere = await createTask(d(), users.alice, { title: 'Elsewhere' });
      expect((await alice.get(`/T${elsewhere}/quote/${commentId}`)).status).toBe(404);
      expect((await alice.get(`/T${id}/quote/0`)).status).toBe(404);
      expect((await alice.get(`/T${elsewhere}?quote=${commentId}`)).dom.querySelector('#comment-text')!.textContent).toBe('');
    });

    test('a preview renders through the same renderer, references resolved for the viewer', async () => {
      const preview = await alice.post('/markup/preview', { text: `**Hi** @bob, see {T${id}} and @nobody.` }, `/T${id}`);
      expect(preview.status).toBe(200);
      expect(preview.html).toBe(
        `<p><strong>Hi</strong> <a href="/p/bob/" class="user-ref">@bob</a>, see ` +
          `<a href="/T${id}" class="task-ref full pri-red" title="Open, High" data-hovercard="/T${id}/hovercard">T${id}: Hovercards &lt;3 &quot;quotes&quot;</a> and @nobody.</p>\n`,
      );
    });

    test('a visitor may not preview, and a preview needs its CSRF token', async () => {
      const page = await visitor.post('/markup/preview', { text: 'T1' }, '/login');
      expect(page.status).toBe(403);
      expect(page.text).toContain('You must log in to do that.');
      expect((await alice.postRaw('/markup/preview', { text: 'T1' })).status).toBe(403);
    });
  });

  describe('the XSS corpus through titles, descriptions, comments and hovercards', () => {
    const ids: number[] = [];
    const commentIds: number[] = [];
    let token: string;

    beforeAll(async () => {
      token = await alice.csrf('/maniphest/');
    });

    test.each(XSS_PAYLOADS.map((payload, i) => ({ i, payload })))('payload $i is stored as typed, as one line of plain text in titles', async ({ i, payload }) => {
      // Each task names the one before it, whose title is the previous payload.
      const prev = ids[i - 1];
      const refs = prev ? `{T${prev}} T${prev} T${prev}#1 @alice` : '@alice';
      const created = await alice.postRaw('/maniphest/task/edit/', { __csrf__: token, title: payload, description: `${payload}\n\n${refs} ${payload}` });
      expect(created.status).toBe(303);
      const id = idOf(created);
      ids.push(id);
      const commented = await alice.postRaw(`/T${id}/comment`, { __csrf__: token, comment: `${refs}\n\n${payload}` });
      expect(commented.status).toBe(303);
      const row = await t.db('task_events').where({ task_id: id, type: 'comment' }).first('id', 'new_value');
      commentIds.push(row.id);
      // A title is one line: breaks and tabs read as spaces, NUL as U+FFFD, other control characters go.
      const asTitle = payload
        .replaceAll('\u0000', '\uFFFD')
        .replace(/[\t\n\r]+/g, ' ')
        .replace(/[\u0000-\u001f\u007f]/g, '')
        .trim();
      expect((await t.db('tasks').where({ id }).first('title')).title).toBe(asTitle);
      expect(row.new_value).toBe(`${refs}\n\n${payload}`.replaceAll('\u0000', '\uFFFD').replace(/\r\n?/g, '\n'));
    });

    test.each(XSS_PAYLOADS.map((payload, i) => ({ i, payload })))('payload $i leaves no active markup in the pages that show it', async ({ i, payload }) => {
      const id = ids[i]!;
      const page = await alice.get(`/T${id}`);
      expect(page.status).toBe(200);
      expect(activeMarkup(page.html, PAGE)).toEqual([]);
      if (i > 0) expect(page.dom.querySelectorAll(`.description a.task-ref[href="/T${ids[i - 1]}"]`)).toHaveLength(2);
      if (i + 1 < ids.length) expect(timelineLines(page).some((l) => l.startsWith(`alice mentioned this in T${ids[i + 1]}: `))).toBe(true);

      const card = await alice.get(`/T${id}/hovercard`);
      expect(card.status).toBe(200);
      expect(activeMarkup(card.html)).toEqual([]);

      const reply = await alice.get(`/T${id}?quote=${commentIds[i]}`);
      expect(reply.dom.querySelector('#comment-text')!.textContent).toContain(`In T${id}#${commentIds[i]}, @alice wrote:`);
      expect(activeMarkup(reply.html, PAGE)).toEqual([]);

      const form = await alice.get(`/maniphest/task/edit/${id}/`);
      expect(form.status).toBe(200);
      expect(activeMarkup(form.html, PAGE)).toEqual([]);

      const preview = await alice.postRaw('/markup/preview', { __csrf__: token, text: `{T${id}} ${payload}` });
      expect(preview.status).toBe(200);
      expect(activeMarkup(preview.html)).toEqual([]);
      expect(preview.dom.querySelectorAll(`a.task-ref[href="/T${id}"]`)).toHaveLength(1);
    });

    test('task lists and search results show every payload title inert', async () => {
      const list = await alice.get('/maniphest/query/authored/');
      expect(list.status).toBe(200);
      expect(activeMarkup(list.html, PAGE)).toEqual([]);
      expect(list.dom.querySelectorAll('.task-title').length).toBeGreaterThanOrEqual(100);
      // Matches are marked in the title: the one place a list builds title HTML itself.
      const found = await alice.get('/maniphest/query/?text=alert');
      expect(found.status).toBe(200);
      expect(activeMarkup(found.html, PAGE)).toEqual([]);
      expect(found.dom.querySelectorAll('.task-title').length).toBeGreaterThanOrEqual(50);
    });
  });
});
