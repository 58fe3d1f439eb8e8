import type { Knex } from 'knex';
import { buildTrackerConfig } from '../../server/tracker-config';
import { taskMailRenderer } from '../../server/mail/task-render';
import type { MailMessage } from '../../server/mail/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';

/**
 * Points switched on, through Conduit as Phabricator's clients use it (maniphest.edit,
 * maniphest.search, transaction.search, maniphest.gettasktransactions), and in mail.
 */

const tracker = buildTrackerConfig({ points: { enabled: true, label: 'Story Points' } });

const pointsOf = async (db: Knex, id: number) => (await db('tasks').where({ id }).first('points')).points as number | null;
const eventCount = async (db: Knex, id: number) => Number((await db('task_events').where({ task_id: id }).count<{ n: string }[]>({ n: '*' }))[0]!.n);

describe('points, switched on, through the API and mail', () => {
  const t = useTestApp({ tracker });
  let mia: User;
  let erin: User;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    for (const [title, points] of [['Zork one', 5], ['Zork two', 7], ['Zork three', null], ['Zork four', 0.5]] as const) {
      const id = await createTask(t.domain, mia, { title });
      if (points !== null) await edit(t.domain, mia, id, { points });
    }
  });

  describe('through Conduit', () => {
    let token: string;
    beforeAll(async () => {
      token = await tokenFor(t.db, erin);
    });

    test('maniphest.edit sets, changes and removes points; maniphest.search reads them', async () => {
      const made = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'API sized' }, { type: 'points', value: 3 }] }, token);
      const id = made.object.id as number;
      expect(await pointsOf(t.db, id)).toBe(3);
      await result(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'points', value: '0.5' }] }, token);
      let found = await result(t.app, 'maniphest.search', { constraints: { ids: [id] } }, token);
      expect(found.data[0].fields.points).toBe(0.5);
      await result(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'points', value: null }] }, token);
      found = await result(t.app, 'maniphest.search', { constraints: { ids: [id] } }, token);
      expect(found.data[0].fields.points).toBeNull();
      const xactions = await result(t.app, 'transaction.search', { objectIdentifier: `T${id}` }, token);
      const points = (xactions.data as { type: string; fields: unknown }[]).filter((x) => x.type === 'points').map((x) => x.fields);
      expect(points).toEqual([
        { old: 0.5, new: null },
        { old: 3, new: 0.5 },
        { old: null, new: 3 },
      ]);
      const legacy = await result(t.app, 'maniphest.gettasktransactions', { ids: [id] }, token);
      expect((legacy[String(id)] as { transactionType: string; oldValue: unknown; newValue: unknown }[]).filter((x) => x.transactionType === 'points').map((x) => [x.oldValue, x.newValue])).toEqual([
        [null, 3],
        [3, 0.5],
        [0.5, null],
      ]);
      expect(found.data[0].fields).toHaveProperty('points');
    });

    test.each([
      [-1, 'Points value must be nonnegative.'],
      ['lots', 'Points value must be numeric or empty.'],
      [50000, 'Points value must be at most 10000.'],
    ])('maniphest.edit refuses %p and writes nothing', async (value, message) => {
      const id = await createTask(t.domain, erin, { title: `API refuses ${value}` });
      const before = await eventCount(t.db, id);
      const body = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'title', value: 'Changed' }, { type: 'points', value }] }, token);
      expect(body.error_code).not.toBeNull();
      expect(body.error_info).toContain(message);
      expect(await eventCount(t.db, id)).toBe(before);
    });

    test('a value of the wrong kind is named as such', async () => {
      const id = await createTask(t.domain, erin, { title: 'API wrong kind' });
      const body = await call(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'points', value: [3] }] }, token);
      expect(body.error_info).toBe('Transaction with key "0" (type "points") must have a number, or null to remove the points as its value.');
    });

    test('maniphest.search orders by points', async () => {
      const found = await result(t.app, 'maniphest.search', { constraints: { query: 'zork' }, order: 'points' }, token);
      expect((found.data as { fields: { name: string } }[]).map((d) => d.fields.name)).toEqual(['Zork two', 'Zork one', 'Zork four', 'Zork three']);
    });
  });

  test('mail about the change says it in the timeline sentence', async () => {
    const reader = await createUser(t.db, { username: 'mo', role: 'engineer', email: 'mo@example.com' });
    const id = await createTask(t.domain, mia, { title: 'Mail me the points' });
    await edit(t.domain, mia, id, { subscribers: { add: [reader.id] } });
    await edit(t.domain, mia, id, { points: 8 });
    const rows = (await t.db('mail_messages').where({ task_id: id, user_id: reader.id }).orderBy('id').select('id')) as { id: number }[];
    expect(rows.length).toBeGreaterThan(0);
    const render = taskMailRenderer(t.tracker, t.deps.config, t.deps.secret);
    const texts = [];
    for (const row of rows) texts.push((await render(t.db, { id: row.id } as MailMessage))?.text ?? '');
    expect(texts.join('\n')).toContain('mia set the point value for this task to 8.');
  });
});
