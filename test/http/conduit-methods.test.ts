import os from 'node:os';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createUser } from '../support/factories';
import type { User } from '../../server/users/user';

const PHID_USER = /^PHID-USER-[a-z2-7]{20}$/;

describe('conduit.ping, user.whoami, user.search, maniphest.status.search, maniphest.priority.search', () => {
  const t = useTestApp();
  let alice: User;
  let bob: User;
  let carol: User;
  let token: string;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'admin', realname: 'Alice Moreau', email: 'alice@example.com' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer', realname: 'Bob Okafor' });
    carol = await createUser(t.db, { username: 'carol', role: 'reader' });
    token = await tokenFor(t.db, alice);
  });

  test('conduit.ping answers with the host name, with or without a token', async () => {
    expect(await call(t.app, 'conduit.ping')).toEqual({ result: os.hostname(), error_code: null, error_info: null });
    expect(await call(t.app, 'conduit.ping', {}, token)).toEqual({ result: os.hostname(), error_code: null, error_info: null });
  });

  test('every account has its own stable PHID', async () => {
    const rows = await t.db('users').select('id', 'phid').orderBy('id');
    expect(rows.map((r: { phid: string }) => r.phid)).toEqual([alice.phid, bob.phid, carol.phid]);
    for (const r of rows) expect(r.phid).toMatch(PHID_USER);
    expect(new Set(rows.map((r: { phid: string }) => r.phid)).size).toBe(3);
  });

  test('user.whoami describes the token owner as Phabricator does', async () => {
    const me = await result(t.app, 'user.whoami', {}, token);
    expect(me).toEqual({
      phid: alice.phid,
      userName: 'alice',
      realName: 'Alice Moreau',
      image: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[0-9]+\/static\/img\/avatar\.svg$/),
      uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[0-9]+\/p\/alice\/$/),
      roles: ['admin', 'verified', 'approved', 'activated'],
      primaryEmail: 'alice@example.com',
    });
    const bobs = await result(t.app, 'user.whoami', {}, await tokenFor(t.db, bob));
    expect(bobs).toMatchObject({ userName: 'bob', roles: ['unverified', 'approved', 'activated'], primaryEmail: null });
  });

  test('user.search finds people by username and by PHID, newest first', async () => {
    const all = await result(t.app, 'user.search', {}, token);
    expect(all.data.map((u: { fields: { username: string } }) => u.fields.username)).toEqual(['carol', 'bob', 'alice']);
    expect(all.maps).toEqual({});
    expect(all.query).toEqual({ queryKey: null });
    expect(all.cursor).toEqual({ limit: 100, after: null, before: null, order: null });

    const byName = await result(t.app, 'user.search', { constraints: { usernames: ['BOB', 'nobody'] } }, token);
    expect(byName.data).toEqual([
      {
        id: bob.id,
        type: 'USER',
        phid: bob.phid,
        fields: {
          username: 'bob',
          realName: 'Bob Okafor',
          roles: ['approved', 'activated'],
          dateCreated: Math.floor(bob.createdAt.getTime() / 1000),
          dateModified: Math.floor(bob.updatedAt.getTime() / 1000),
          policy: { view: 'public', edit: 'no-one' },
        },
        attachments: {},
      },
    ]);
    const byPhid = await result(t.app, 'user.search', { constraints: { phids: [alice.phid, carol.phid] } }, token);
    expect(byPhid.data.map((u: { phid: string }) => u.phid)).toEqual([carol.phid, alice.phid]);
    expect((await result(t.app, 'user.search', { constraints: { usernames: [] } }, token)).data).toEqual([]);
  });

  test('user.search pages with cursors', async () => {
    const first = await result(t.app, 'user.search', { limit: 2 }, token);
    expect(first.data.map((u: { fields: { username: string } }) => u.fields.username)).toEqual(['carol', 'bob']);
    expect(first.cursor).toEqual({ limit: 2, after: String(bob.id), before: null, order: null });
    const second = await result(t.app, 'user.search', { limit: 2, after: first.cursor.after }, token);
    expect(second.data.map((u: { fields: { username: string } }) => u.fields.username)).toEqual(['alice']);
    expect(second.cursor).toEqual({ limit: 2, after: null, before: String(alice.id), order: null });
    const back = await result(t.app, 'user.search', { limit: 2, before: second.cursor.before }, token);
    expect(back.data.map((u: { fields: { username: string } }) => u.fields.username)).toEqual(['carol', 'bob']);
  });

  test('user.search refuses what it does not know, naming it', async () => {
    expect(await call(t.app, 'user.search', { constraints: { nameLike: 'a' } }, token)).toEqual({
      result: null,
      error_code: 'ERR-INVALID-CONSTRAINT',
      error_info: 'Constraint "nameLike" is not a valid constraint for this query. Valid constraints are: ids, phids, usernames.',
    });
    expect(await call(t.app, 'user.search', { queryKey: 'approval' }, token)).toMatchObject({
      error_code: 'ERR-BAD-QUERYKEY',
      error_info: 'Query key "approval" is not a built-in query of this search. Use one of: all, active.',
    });
    expect(await call(t.app, 'user.search', { limit: 101 }, token)).toMatchObject({
      error_code: 'ERR-INVALID-PAGE-SIZE',
      error_info: 'Maximum page size for Conduit API method calls is 100, but this call specified 101.',
    });
    expect(await call(t.app, 'user.search', { constraints: { ids: [2 ** 31] } }, token)).toMatchObject({
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "constraints.ids[0]" must be a user ID.',
    });
    expect(await call(t.app, 'user.search', { after: '2147483648' }, token)).toMatchObject({
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "after" must be a cursor from a previous page of this search.',
    });
    expect(await call(t.app, 'user.search', { constraints: { usernames: 'bob' } }, token)).toMatchObject({
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "constraints.usernames" must be a list of usernames.',
    });
  });

  test('maniphest.status.search lists the statuses with their roles', async () => {
    expect(await result(t.app, 'maniphest.status.search', {}, token)).toEqual({
      data: [
        { name: 'Open', value: 'open', closed: false, special: 'default' },
        { name: 'Resolved', value: 'resolved', closed: true, special: 'closed' },
        { name: 'Wontfix', value: 'wontfix', closed: true },
        { name: 'Invalid', value: 'invalid', closed: true },
        { name: 'Duplicate', value: 'duplicate', closed: true, special: 'duplicate' },
      ],
    });
  });

  test('maniphest.priority.search lists the priorities with their short names and keywords, most urgent first, as Phabricator', async () => {
    const { data } = await result(t.app, 'maniphest.priority.search', {}, token);
    expect(data.map((p: { value: number; short: string; keywords: string[] }) => [p.value, p.short, p.keywords])).toEqual([
      [100, 'Unbreak!', ['unbreak']],
      [90, 'Triage', ['triage']],
      [80, 'High', ['high']],
      [50, 'Normal', ['normal']],
      [25, 'Low', ['low']],
      [0, 'Wish', ['wish', 'wishlist']],
    ]);
    expect(data[0]).toEqual({ name: 'Unbreak Now!', short: 'Unbreak!', color: 'pink', keywords: ['unbreak'], value: 100 });
  });
});
