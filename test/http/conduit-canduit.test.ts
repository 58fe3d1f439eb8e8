import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { tokenFor } from '../support/conduit';
import { createUser } from '../support/factories';

/**
 * canduit, a Phabricator Conduit client from the npm registry, pointed at
 * Trellis listening on a local port: what a team's existing scripts do.
 */
interface Canduit {
  exec(method: string, params: Record<string, unknown>, cb: (err: (Error & { code?: string }) | null, result: any) => void): void; // eslint-disable-line @typescript-eslint/no-explicit-any
}
type CanduitFactory = (opts: { api: string; token: string }, cb: (err: Error | null, client: Canduit) => void) => void;
// canduit ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createCanduit = require('canduit') as CanduitFactory;

function connect(api: string, token: string): Promise<Canduit> {
  return new Promise((resolve, reject) => createCanduit({ api, token }, (err, client) => (err ? reject(err) : resolve(client))));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exec(client: Canduit, method: string, params: Record<string, unknown> = {}): Promise<any> {
  return new Promise((resolve, reject) => client.exec(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

describe('the canduit client against a running Trellis', () => {
  const t = useTestApp();
  let server: Server;
  let api: string;
  let alice: User;
  let bob: User;
  let client: Canduit;

  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer', realname: 'Alice Moreau' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    client = await connect(api, await tokenFor(t.db, alice));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  test('ping and whoami', async () => {
    expect(typeof (await exec(client, 'conduit.ping'))).toBe('string');
    expect(await exec(client, 'user.whoami')).toMatchObject({ phid: alice.phid, userName: 'alice', realName: 'Alice Moreau' });
  });

  test('files a task, finds it, edits it and reads its transactions', async () => {
    const created = await exec(client, 'maniphest.edit', {
      transactions: [
        { type: 'title', value: 'Nightly build is red' },
        { type: 'priority', value: 'high' },
        { type: 'owner', value: bob.phid },
        { type: 'comment', value: 'Filed by the build bot.' },
      ],
    });
    expect(created.object.phid).toMatch(/^PHID-TASK-[a-z2-7]{20}$/);

    const found = await exec(client, 'maniphest.search', { constraints: { assigned: [bob.phid], statuses: ['open'] }, attachments: { subscribers: true } });
    expect(found.data.map((d: { phid: string }) => d.phid)).toEqual([created.object.phid]);
    expect(found.data[0].fields).toMatchObject({ name: 'Nightly build is red', ownerPHID: bob.phid, priority: { value: 80, name: 'High', color: 'red' } });
    // The author, and the owner by being given the task.
    expect([...found.data[0].attachments.subscribers.subscriberPHIDs].sort()).toEqual([alice.phid, bob.phid].sort());

    const closed = await exec(client, 'maniphest.edit', { objectIdentifier: `T${created.object.id}`, transactions: [{ type: 'status', value: 'resolved' }] });
    expect(closed.transactions).toHaveLength(1);

    const xactions = await exec(client, 'transaction.search', { objectIdentifier: created.object.phid });
    expect(xactions.data[0]).toMatchObject({ type: 'status', fields: { old: 'open', new: 'resolved' }, authorPHID: alice.phid });
    expect(xactions.data.find((x: { type: string }) => x.type === 'comment').comments[0].content.raw).toBe('Filed by the build bot.');

    const page = await exec(client, 'maniphest.search', { queryKey: 'all', limit: 1 });
    expect(page.cursor.limit).toBe(1);
  });

  test("errors arrive as canduit's errors, with Conduit's code and sentence", async () => {
    await expect(exec(client, 'maniphest.search', { limit: 1000 })).rejects.toMatchObject({
      code: 'ERR-INVALID-PAGE-SIZE',
      message: 'Maximum page size for Conduit API method calls is 100, but this call specified 1000.',
    });
    await expect(exec(client, 'maniphest.edit', { transactions: [{ type: 'title', value: '' }] })).rejects.toMatchObject({ code: 'ERR-CONDUIT-CORE', message: 'Tasks must have a title.' });
    const stranger = await connect(api, `api-${'z'.repeat(28)}`);
    await expect(exec(stranger, 'user.whoami')).rejects.toMatchObject({ code: 'ERR-INVALID-AUTH', message: `API token "api-${'z'.repeat(28)}" is not valid.` });
  });
});
