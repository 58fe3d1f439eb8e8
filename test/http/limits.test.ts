import { MAX_LIST_ITEMS, MAX_MENTIONS } from '../../server/limits';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkFields } from '../support/bulk';
import { call, callFields, result, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { fieldError, formValues, loggedIn } from '../support/http';

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** 70,000 short distinct strings: a list that is long but fits in the 1 MB a request may carry. */
const short = (n: number) => Array.from({ length: n }, (_, i) => i.toString(36));
const mentions = (prefix: string, n: number) => names(prefix, n).map((name) => `@${name}`).join(' ');
const tooMany = `has more than 1,000 items; send at most 1,000 in one call.`;

describe('lists and texts past the limits are refused at the edge, and long lists never break a query', () => {
  const t = useTestApp();
  let mia: User;
  let token: string;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    token = await tokenFor(t.db, mia);
  });

  test('a description that mentions more than the cap of people is refused on the edit form, the text kept', async () => {
    const id = await createTask(t.domain, mia, { title: 'Many names' });
    const browser = await loggedIn(t.app, 'mia');
    const url = `/maniphest/task/edit/${id}/`;
    const description = mentions('someone', MAX_MENTIONS + 1);
    const refused = await browser.postRaw(url, { ...formValues(await browser.get(url), 'form.task-form'), description });
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'description', 'form.task-form')).toBe(
      'This text mentions 1,001 people; a text may mention at most 1,000 people and 1,000 tasks.',
    );
    expect(formValues(refused, 'form.task-form').description).toBe(description);
    expect((await t.db('tasks').where({ id }).first()).description).toBe('');

    const atCap = mentions('someone', MAX_MENTIONS);
    expect((await browser.postRaw(url, { ...formValues(await browser.get(url), 'form.task-form'), description: atCap })).status).toBe(303);
  });

  test('a comment that mentions more than the cap of tasks is refused, and so is the same through the API', async () => {
    const id = await createTask(t.domain, mia, { title: 'Many tasks' });
    const browser = await loggedIn(t.app, 'mia');
    const comment = Array.from({ length: MAX_MENTIONS + 5 }, (_, i) => `T${i + 1}`).join(' ');
    const refused = await browser.post(`/T${id}/comment`, { comment }, `/T${id}`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('This text mentions 1,005 tasks; a text may mention at most 1,000 people and 1,000 tasks.');
    expect(formValues(refused, 'form.comment-form').comment).toBe(comment);

    const api = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'comment', value: comment }] }, token);
    expect(api).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'This text mentions 1,005 tasks; a text may mention at most 1,000 people and 1,000 tasks.',
    });
    expect(await t.db('task_events').where({ task_id: id, type: 'comment' })).toEqual([]);
  });

  test('a task whose stored texts name 67,000 people (written before the cap) renders', async () => {
    const id = await createTask(t.domain, mia, { title: 'Written before the cap' });
    const alice = await createUser(t.db, { username: 'alice' });
    await t.db('tasks').where({ id }).update({ description: `${mentions('a', 33_000)} @alice` });
    const group = '00000000-0000-4000-8000-000000000001';
    await t.db('task_events').insert({ task_id: id, group_id: group, actor_id: mia.id, type: 'comment', new_value: JSON.stringify(mentions('b', 34_000)), source: 'web' });
    const page = await (await loggedIn(t.app, 'mia')).get(`/T${id}`);
    expect(page.status).toBe(200);
    expect(page.dom.querySelector(`a.user-ref[href="/p/${alice.username}/"]`)).not.toBeNull();
    expect(page.text).toContain('@a32999');
    expect(page.text).toContain('@b33999');
  });

  describe('the API refuses lists longer than the cap, and answers lists at the cap', () => {
    test.each([
      ['maniphest.search', 'ids', (n: number) => Array.from({ length: n }, (_, i) => i + 1)],
      ['maniphest.search', 'phids', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-TASK-', n))],
      ['maniphest.search', 'priorities', (n: number) => Array.from({ length: n }, (_, i) => i)],
      ['maniphest.search', 'statuses', (n: number) => Array<string>(n).fill('open')],
      ['maniphest.search', 'assigned', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-USER-', n))],
      ['maniphest.search', 'authorPHIDs', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-USER-', n))],
      ['maniphest.search', 'subscribers', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-USER-', n))],
      ['maniphest.search', 'closerPHIDs', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-USER-', n))],
      ['user.search', 'usernames', (n: number) => names('u', n)],
      ['user.search', 'phids', (n: number) => (n > MAX_LIST_ITEMS ? short(n) : names('PHID-USER-', n))],
      ['user.search', 'ids', (n: number) => Array.from({ length: n }, (_, i) => i + 1)],
    ])('%s constraints.%s', async (method, key, list) => {
      expect(await call(t.app, method, { constraints: { [key]: list(70_000) } }, token)).toEqual({
        result: null,
        error_code: 'ERR-CONDUIT-CALL',
        error_info: `Parameter "constraints.${key}" ${tooMany}`,
      });
      expect((await result(t.app, method, { constraints: { [key]: list(MAX_LIST_ITEMS) } }, token)).data).toEqual(expect.any(Array));
    });

    test('transaction.search constraints and maniphest.edit lists', async () => {
      const id = await createTask(t.domain, mia, { title: 'Edited by API' });
      for (const key of ['phids', 'authorPHIDs']) {
        expect((await call(t.app, 'transaction.search', { objectIdentifier: `T${id}`, constraints: { [key]: short(70_000) } }, token)).error_info).toBe(
          `Parameter "constraints.${key}" ${tooMany}`,
        );
      }
      const add = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'subscribers.add', value: short(70_000) }] }, token);
      expect(add).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: `Transaction with key "0" ${tooMany}` });
      const many = Array.from({ length: MAX_LIST_ITEMS + 1 }, () => ({ type: 'comment', value: 'x' }));
      expect((await call(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: many }, token)).error_info).toBe(`Parameter "transactions" ${tooMany}`);
    });
  });

  test('a full-text query past 1,000 characters is refused; one of 1,000 of any shape is answered', async () => {
    expect(await call(t.app, 'maniphest.search', { constraints: { query: 'title:w'.repeat(100_000) } }, token)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "constraints.query" is longer than 1,000 characters, the most a search takes.',
    });
    for (const unit of ['a ', 'x:*', 'title:w ', '"a ', '-a ', 'a OR ', '!&(']) {
      const query = unit.repeat(1000).slice(0, 1000);
      expect((await result(t.app, 'maniphest.search', { constraints: { query } }, token)).data).toEqual([]);
    }
    expect(t.errors).toEqual([]);
  });

  test('parameters nested 100,000 levels deep are refused, not an internal error', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    // Sent as text: JSON.stringify itself can not write a value this deep.
    const whole = await callFields(t.app, 'maniphest.search', { params: `{"constraints":{"ids":${deep}},"__conduit__":{"token":"${token}"}}` });
    expect(whole).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'The "params" field is nested more than 8 levels deep.' });
    const console = await callFields(t.app, 'maniphest.search', { 'api.token': token, 'params[constraints]': `{"ids":${deep}}` });
    expect(console.error_info).toBe('Parameter "constraints" is nested more than 8 levels deep.');
    expect(t.errors).toEqual([]);
  });

  test('a project naming more than 1,000 members is refused on its form; 1,000 are stored', async () => {
    const browser = await loggedIn(t.app, 'mia');
    const refused = await browser.post('/project/edit/', { name: 'Everyone', members: names('someone', 70_000).join(' ') }, '/project/edit/');
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'members')).toBe('This names 70,000 people; name at most 1,000.');
    await t.db.raw(`INSERT INTO users (username, realname, role, password_hash) SELECT 'member' || g, '', 'reader', 'x' FROM generate_series(1, 1000) AS g`);
    const created = await browser.post('/project/edit/', { name: 'Many members', members: names('member', 1001).slice(1).join(' ') }, '/project/edit/');
    expect(created.status).toBe(303);
    // The thousand named, and the creator.
    expect(Number(((await t.db('project_members').count({ n: '*' }).first()) as { n: string | number }).n)).toBe(1001);
  });

  test('bulk edit refuses 70,000 subscribers to add with a form error, and nothing is queued', async () => {
    const id = await createTask(t.domain, mia, { title: 'Bulk target' });
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/all/';
    const list = await browser.get(from);
    const page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', addSubscribers: names('someone', 70_000).join(',') }, [id]), from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'addSubscribers', 'form#bulk-edit')).toBe('This names 70,000 people; name at most 1,000 at once.');
    expect(await t.db('bulk_edits')).toEqual([]);
  });
});
