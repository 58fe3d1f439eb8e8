import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { fieldError, formValues, loggedIn } from '../support/http';

/**
 * An event the viewer may not see (a "mentioned this in" line from a task
 * hidden from them) must show through nothing: not the edit form's version,
 * not a page, not an API cursor; and a hidden task must answer every API
 * call exactly as a missing one does.
 */
describe('hidden events and tasks show through no counter and no answer', () => {
  const t = useTestApp();
  let boss: User; // maintainer: sees everything
  let eng: User; // engineer: sees no maintainers-only task
  let other: User;
  let engToken: string;
  let bossToken: string;

  beforeAll(async () => {
    boss = await createUser(t.db, { username: 'boss', role: 'maintainer' });
    eng = await createUser(t.db, { username: 'eng', role: 'engineer' });
    other = await createUser(t.db, { username: 'other', role: 'engineer' });
    engToken = await tokenFor(t.db, eng);
    bossToken = await tokenFor(t.db, boss);
  });

  const lastEventId = async (id: number) => Number((await t.db('task_events').where({ task_id: id }).max({ id: 'id' }).first())!.id);
  const secretMention = (id: number, title = 'Salary review') => createTask(t.domain, boss, { title, view: 'maintainers', description: `About T${id}.` });

  test('pages and the edit form are the same, byte for byte, before and after a hidden task mentions the task', async () => {
    const id = await createTask(t.domain, eng, { title: 'Printer jams' });
    await edit(t.domain, eng, id, { comment: 'Tray 2 again.' });
    const browser = await loggedIn(t.app, 'eng');
    const before = { page: (await browser.get(`/T${id}`)).html, form: (await browser.get(`/maniphest/task/edit/${id}/`)).html };
    const visibleVersion = await lastEventId(id);
    await secretMention(id);
    expect(await lastEventId(id)).toBeGreaterThan(visibleVersion);

    const form = await browser.get(`/maniphest/task/edit/${id}/`);
    expect(formValues(form, 'form.task-form').version).toBe(String(visibleVersion));
    expect({ page: (await browser.get(`/T${id}`)).html, form: form.html }).toEqual(before);
    // The maintainer, who sees the mentioning task, gets the newest event as the version.
    const bossForm = await (await loggedIn(t.app, 'boss')).get(`/maniphest/task/edit/${id}/`);
    expect(formValues(bossForm, 'form.task-form').version).toBe(String(await lastEventId(id)));
  });

  test('the lost-edit check still catches a change made after the form was loaded, and only that', async () => {
    const id = await createTask(t.domain, eng, { title: 'Old title' });
    const browser = await loggedIn(t.app, 'eng');
    const url = `/maniphest/task/edit/${id}/`;

    await secretMention(id);
    const fresh = formValues(await browser.get(url), 'form.task-form');
    expect((await browser.postRaw(url, { ...fresh, title: 'Saved over a hidden event' })).status).toBe(303);

    const loaded = formValues(await browser.get(url), 'form.task-form');
    await secretMention(id, 'Another secret');
    await edit(t.domain, other, id, { title: 'Their title' });
    await secretMention(id, 'A third secret');
    const refused = await browser.postRaw(url, { ...loaded, title: 'My title' });
    expect(refused.status).toBe(409);
    expect(fieldError(refused, 'title', 'form.task-form')).toBe('Someone else changed this while you were editing; it is now "Their title". Save again to replace it with yours.');
    expect((await t.db('tasks').where({ id }).first()).title).toBe('Their title');
  });

  test('transaction.search pages over visible events only: no hidden cursor, no short or empty page, in both directions', async () => {
    const id = await createTask(t.domain, eng, { title: 'Many back-links' });
    const secret = await secretMention(id);
    for (let i = 0; i < 3; i++) await edit(t.domain, eng, id, { comment: `Visible ${i}` });
    // More hidden events in a row than the search reads at once.
    const group = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    await t.db('task_events').insert(
      Array.from({ length: 450 }, (_, i) => ({ task_id: id, group_id: group(i), actor_id: boss.id, type: 'mentioned', new_value: JSON.stringify(secret), source: 'web' })),
    );
    await edit(t.domain, eng, id, { comment: 'Newest visible' });
    const hidden = (await t.db('task_events').where({ task_id: id, type: 'mentioned' }).select('id')).map((r: { id: number }) => String(r.id));
    const visible = (await t.db('task_events').where({ task_id: id }).whereNot({ type: 'mentioned' }).orderBy('id', 'desc').select('id')).map((r: { id: number }) => r.id);
    expect(visible.length).toBeGreaterThan(4);
    const newest = (await result(t.app, 'transaction.search', { objectIdentifier: id, limit: 1 }, bossToken)).data as { id: number }[];
    expect(newest.map((e) => e.id)).toEqual([visible[0]]);

    const forward: number[] = [];
    const cursors: (string | null)[] = [];
    let after: string | null = null;
    do {
      const page = await result(t.app, 'transaction.search', { objectIdentifier: id, limit: 2, ...(after ? { after } : {}) }, engToken);
      expect(page.data.length).toBeGreaterThan(0);
      forward.push(...page.data.map((e: { id: number }) => e.id));
      cursors.push(page.cursor.after, page.cursor.before);
      after = page.cursor.after;
    } while (after);
    expect(forward).toEqual(visible);

    const backward: number[] = [];
    let before: string | null = String(visible[visible.length - 1]);
    do {
      const page = await result(t.app, 'transaction.search', { objectIdentifier: id, limit: 2, before }, engToken);
      expect(page.data.length).toBeGreaterThan(0);
      backward.unshift(...page.data.map((e: { id: number }) => e.id));
      cursors.push(page.cursor.after, page.cursor.before);
      before = page.cursor.before;
    } while (before);
    expect(backward).toEqual(visible.slice(0, -1));
    expect(cursors.filter((c) => c !== null && hidden.includes(c))).toEqual([]);
  });

  describe('every API method answers a hidden task exactly as a missing one', () => {
    let hidden: { id: number; phid: string };
    let missing: { id: number; phid: string };

    beforeAll(async () => {
      const id = await createTask(t.domain, boss, { title: 'Hidden', view: 'maintainers', description: `Mentions @eng.` });
      const row = await t.db('tasks').where({ id }).first();
      hidden = { id, phid: row.phid };
      missing = { id: id + 1000, phid: `PHID-TASK-${'z'.repeat(20)}` };
    });

    /** The whole answer, with the task's own identifier written as a placeholder, so the two can be compared. */
    async function answer(method: string, params: (task: { id: number; phid: string }) => Record<string, unknown>, task: { id: number; phid: string }) {
      const body = await call(t.app, method, params(task), engToken);
      return JSON.stringify(body).replaceAll(task.phid, '<phid>').replaceAll(String(task.id), '<id>');
    }

    const identifiers: [string, (task: { id: number; phid: string }) => unknown][] = [
      ['id', (task) => task.id],
      ['id as text', (task) => String(task.id)],
      ['monogram', (task) => `T${task.id}`],
      ['PHID', (task) => task.phid],
    ];
    const transactionSets: [string, unknown][] = [
      ['a comment', [{ type: 'comment', value: 'Hello' }]],
      ['an unknown user PHID', [{ type: 'subscribers.add', value: ['PHID-USER-aaaaaaaaaaaaaaaaaaaa'] }]],
      ['an unknown status', [{ type: 'status', value: 'nonsense' }]],
      ['an empty title', [{ type: 'title', value: '' }]],
      ['a change the caller may not make', [{ type: 'view', value: 'public' }]],
      ['no transactions', []],
    ];

    test.each(identifiers.flatMap(([name, ident]) => transactionSets.map(([what, transactions]) => [name, what, ident, transactions] as const)))(
      'maniphest.edit by %s with %s',
      async (_name, _what, ident, transactions) => {
        const params = (task: { id: number; phid: string }) => ({ objectIdentifier: ident(task), transactions });
        const answers = [await answer('maniphest.edit', params, hidden), await answer('maniphest.edit', params, missing)];
        expect(answers[0]).toBe(answers[1]);
        expect(answers[0]).toContain('ERR-CONDUIT-CORE');
      },
    );

    test.each(identifiers)('transaction.search by %s, plain and with constraints', async (_name, ident) => {
      for (const extra of [{}, { limit: 1 }, { constraints: { authorPHIDs: [boss.phid] } }, { constraints: { phids: ['PHID-XACT-TASK-x'] } }, { after: '1' }]) {
        const params = (task: { id: number; phid: string }) => ({ objectIdentifier: ident(task), ...extra });
        expect(await answer('transaction.search', params, hidden)).toBe(await answer('transaction.search', params, missing));
      }
    });

    test('maniphest.search by ids and PHIDs', async () => {
      for (const params of [(task: { id: number; phid: string }) => ({ constraints: { ids: [task.id] } }), (task: { id: number; phid: string }) => ({ constraints: { phids: [task.phid] } })]) {
        expect(await answer('maniphest.search', params, hidden)).toBe(await answer('maniphest.search', params, missing));
      }
    });
  });
});
