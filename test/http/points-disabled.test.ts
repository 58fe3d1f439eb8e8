import type { Knex } from 'knex';
import { buildTrackerConfig } from '../../server/tracker-config';
import { applyEdit } from '../../server/tasks/editor';
import { Tracker } from '../../server/tasks/task';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkFields } from '../support/bulk';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { fieldError, formValues, loggedIn, textOf, timelineLines, type Browser } from '../support/http';

/**
 * Points switched off (the default) after a time with them on: the stored values and events are
 * kept but shown nowhere, and every way of setting or searching them says points are not enabled.
 */

const OFF = 'Points are not enabled on this install.';
const pointsOf = async (db: Knex, id: number) => (await db('tasks').where({ id }).first('points')).points as number | null;

describe('points, switched off', () => {
  const t = useTestApp();
  let mia: User;
  let browser: Browser;
  let token: string;
  let sized: number;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    browser = await loggedIn(t.app, 'mia');
    token = await tokenFor(t.db, mia);
    sized = await createTask(t.domain, mia, { title: 'Sized while points were on', priority: 'high' });
    // What an install that had points on left behind: the value on the row and its event, written as it wrote them.
    const before = new Tracker(buildTrackerConfig({ points: { enabled: true } }));
    await applyEdit({ db: t.db, tracker: before }, mia, sized, [{ type: 'points', value: 5 }]);
    await applyEdit({ db: t.db, tracker: before }, mia, sized, [{ type: 'points', value: 4 }, { type: 'comment', value: 'Resized after review.' }]);
  });

  test('the task page shows no points, no points control and no points event', async () => {
    const page = await browser.get(`/T${sized}`);
    expect(page.status).toBe(200);
    expect(page.dom.querySelector('.points-tag')).toBeNull();
    expect(page.dom.querySelector('input[name="points"]')).toBeNull();
    expect(timelineLines(page).join('\n')).not.toContain('point value');
    // The comment made with a points change still stands.
    expect(page.text).toContain('Resized after review.');
    expect(page.text).not.toContain('Points');
  });

  test('the forms have no points field; a forged one is refused and the stored value kept', async () => {
    const url = `/maniphest/task/edit/${sized}/`;
    const form = await browser.get(url);
    expect(form.dom.querySelector('input[name="points"]')).toBeNull();
    const refused = await browser.post(url, { ...formValues(form, 'form.task-form'), points: '8' }, url);
    expect(refused.status).toBe(422);
    expect(textOf(refused.dom.querySelector('form.task-form > .field-error')!)).toBe(OFF);
    expect(await pointsOf(t.db, sized)).toBe(4);
    const comment = await browser.post(`/T${sized}/comment`, { points: '8' }, `/T${sized}`);
    expect(comment.status).toBe(422);
    expect(comment.text).toContain(OFF);
  });

  test('lists show no points in rows or headers, offer no points filter or order, and refuse one', async () => {
    const list = await browser.get('/maniphest/query/?group=priority');
    expect(list.status).toBe(200);
    expect(list.dom.querySelectorAll('h2.group-header').map((h) => textOf(h))).toContain('High (1)');
    expect(list.dom.querySelector('.task-row .points')).toBeNull();
    expect(list.dom.querySelector('input[name="pointsMin"]')).toBeNull();
    expect(list.dom.querySelectorAll('select[name="order"] option').map((o) => o.getAttribute('value'))).not.toContain('points');
    const filtered = await browser.get('/maniphest/query/?pointsMin=1');
    expect(filtered.status).toBe(400);
    expect(filtered.text).toContain(OFF);
    const ordered = await browser.get('/maniphest/query/?order=points');
    expect(ordered.status).toBe(400);
    expect(fieldError(ordered, 'order', 'form.filters')).toBe(OFF);
  });

  test('the bulk form has no points field and refuses a forged one', async () => {
    const from = '/maniphest/query/';
    const list = await browser.get(from);
    expect(list.dom.querySelector('form#bulk-edit input[name="points"]')).toBeNull();
    const refused = await browser.post('/maniphest/bulk/', bulkFields(list, { points: '3', scope: 'selected' }, [sized]), from);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(OFF);
  });

  test('exports carry no points column', async () => {
    const csv = await browser.agent.get('/maniphest/query/export.csv');
    expect(csv.text.split('\r\n')[0]).toBe('id,monogram,title,status,priority,owner,author,created,updated,closed,due,url');
    const json = JSON.parse((await browser.agent.get('/maniphest/query/export.json')).text) as Record<string, unknown>[];
    expect(json[0]).not.toHaveProperty('points');
  });

  test('Conduit reads points as null, hides their transactions and refuses to set them', async () => {
    const found = await result(t.app, 'maniphest.search', { constraints: { ids: [sized] } }, token);
    expect(found.data[0].fields.points).toBeNull();
    const xactions = await result(t.app, 'transaction.search', { objectIdentifier: `T${sized}` }, token);
    expect((xactions.data as { type: string | null }[]).some((x) => x.type === 'points')).toBe(false);
    const refused = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${sized}`, transactions: [{ type: 'points', value: 3 }] }, token);
    // As Phabricator: switched off, "points" is no transaction type at all.
    expect(refused.error_code).toBe('ERR-CONDUIT-CALL');
    expect(refused.error_info).toMatch(/^Transaction with key "0" has invalid type "points"\. This type is not recognized\. Valid types are: title, description, status, priority, owner, comment, /);
    expect(refused.error_info).not.toContain('points,');
    const ordered = await call(t.app, 'maniphest.search', { order: 'points' }, token);
    expect(ordered.error_info).toBe('Parameter "order" can not be "points": points are not enabled on this install.');
    expect(await pointsOf(t.db, sized)).toBe(4);
  });
});
