import request from 'supertest';
import { startTestApp, stopTestApp, useTestApp, type TestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, textOf } from '../support/http';

/** A day relative to today (UTC, the test install's zone), as YYYY-MM-DD. */
const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

describe('the due date calendar feed', () => {
  const t = useTestApp();

  test('made on the settings page, it lists the open tasks assigned to its owner; a revoked or replaced address answers 404', async () => {
    const admin = await createUser(t.db, { username: 'boss', role: 'admin' });
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const bob = await createUser(t.db, { username: 'bob' });
    const mine = await createTask(t.domain, admin, { title: 'Ship, then rest; really', owner: alice.id });
    const timed = await createTask(t.domain, admin, { title: 'Call the printer people', owner: alice.id });
    await createTask(t.domain, admin, { title: 'No date here', owner: alice.id });
    const closed = await createTask(t.domain, admin, { title: 'Already done', owner: alice.id });
    const others = await createTask(t.domain, admin, { title: "Bob's task", owner: bob.id });
    await edit(t.domain, admin, mine, { due: day(5) });
    await edit(t.domain, admin, timed, { due: `${day(2)}T14:30` });
    await edit(t.domain, admin, closed, { due: day(1), status: 'resolved' });
    await edit(t.domain, admin, others, { due: day(1) });

    const b = await loggedIn(t.app, 'alice');
    let page = await b.get('/settings/calendar/');
    expect(page.status).toBe(200);
    expect(textOf(page.dom.querySelector('.feed-status')!)).toBe('You have no calendar feed.');
    // A POST without the CSRF token changes nothing.
    expect((await b.postRaw('/settings/calendar/', {})).status).toBe(403);
    expect(await t.db('calendar_feeds').count({ n: '*' }).first()).toEqual({ n: 0 });

    page = await b.post('/settings/calendar/', {}, '/settings/calendar/');
    expect(page.status).toBe(200);
    const url = new URL(textOf(page.dom.querySelector('.feed-url')!));
    expect(url.pathname).toMatch(/^\/maniphest\/calendar\/[a-z2-7]{32}\.ics$/);
    const secret = url.pathname.slice('/maniphest/calendar/'.length, -4);
    // Only the hash is stored.
    const row = await t.db('calendar_feeds').where({ user_id: alice.id }).first();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(secret);
    expect((await b.get('/settings/calendar/')).html).not.toContain(secret);

    // Calendar apps have no session.
    const visitor = await request(t.app).get(url.pathname);
    expect(visitor.status).toBe(200);
    expect(visitor.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const ics = visitor.text;
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    const phids = Object.fromEntries((await t.db('tasks').select('id', 'phid')).map((r: { id: number; phid: string }) => [r.id, r.phid]));
    const events = ics.split('BEGIN:VEVENT\r\n').slice(1).map((e) => e.split('\r\n').filter((l) => /^(UID|DTSTART|SUMMARY|URL)/.test(l)));
    expect(events).toEqual([
      [`UID:${phids[timed]}-due@trellis`, `DTSTART:${day(2).replaceAll('-', '')}T143000Z`, `SUMMARY:T${timed}: Call the printer people`, expect.stringMatching(new RegExp(`^URL:http://127\\.0\\.0\\.1:[0-9]+/T${timed}$`))],
      [`UID:${phids[mine]}-due@trellis`, `DTSTART;VALUE=DATE:${day(5).replaceAll('-', '')}`, `SUMMARY:T${mine}: Ship\\, then rest\\; really`, expect.stringMatching(new RegExp(`/T${mine}$`))],
    ]);

    // A task reassigned away leaves the feed.
    await edit(t.domain, admin, mine, { owner: bob.id });
    expect((await request(t.app).get(url.pathname)).text).not.toContain(`T${mine}:`);

    // A new address replaces the old one, which then answers 404; revoking ends the new one.
    page = await b.post('/settings/calendar/', {}, '/settings/calendar/');
    const second = new URL(textOf(page.dom.querySelector('.feed-url')!)).pathname;
    expect(second).not.toBe(url.pathname);
    expect((await request(t.app).get(url.pathname)).status).toBe(404);
    expect((await request(t.app).get(second)).status).toBe(200);
    const revoked = await b.post('/settings/calendar/revoke', {}, '/settings/calendar/');
    expect(revoked.status).toBe(303);
    expect((await request(t.app).get(second)).status).toBe(404);
    expect(textOf((await b.get('/settings/calendar/')).dom.querySelector('.feed-status')!)).toBe('You have no calendar feed.');
    expect((await request(t.app).get('/maniphest/calendar/not-a-secret.ics')).status).toBe(404);
  });

  test('a disabled account\'s feed answers 404; a visitor is sent to log in', async () => {
    const carol = await createUser(t.db, { username: 'carol' });
    const b = await loggedIn(t.app, 'carol');
    const page = await b.post('/settings/calendar/', {}, '/settings/calendar/');
    const path = new URL(textOf(page.dom.querySelector('.feed-url')!)).pathname;
    expect((await request(t.app).get(path)).status).toBe(200);
    await t.db('users').where({ id: carol.id }).update({ disabled_at: new Date() });
    expect((await request(t.app).get(path)).status).toBe(404);
    const visitor = await request(t.app).get('/settings/calendar/');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fsettings%2Fcalendar%2F');
  });
});

describe('the request log of a feed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logRequests: true });
  });
  afterAll(() => stopTestApp(t));

  test('names the route, never the secret', async () => {
    await createUser(t.db, { username: 'gil' });
    const b = await loggedIn(t.app, 'gil');
    const page = await b.post('/settings/calendar/', {}, '/settings/calendar/');
    const path = new URL(textOf(page.dom.querySelector('.feed-url')!)).pathname;
    t.errors.splice(0);
    expect((await request(t.app).get(path)).status).toBe(200);
    const secret = path.slice('/maniphest/calendar/'.length, -4);
    const lines = t.errors.splice(0).map((l) => JSON.parse(l) as { path: string; status: number });
    expect(lines).toMatchObject([{ path: '/maniphest/calendar/:secret.ics', status: 200 }]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});
