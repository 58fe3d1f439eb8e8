import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyEdit } from '../../server/tasks/editor';
import type { User } from '../../server/users/user';
import { onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { startOutageApp, type OutageApp } from '../support/outage';

/**
 * The listening connection survives a database restart: it is dropped with
 * every other connection, opened again once the server answers, and the pages
 * still open hear of changes made after that. PostgreSQL only.
 */

const describePg = onPostgres() ? describe : describe.skip;

/** Reads an event stream's blocks as they come; resolves `next()` with the next "change". */
function follow(url: string): Promise<{ changes: number; close(): void }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
        const state = { changes: 0, close: () => res.destroy() };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (state.changes += chunk.split('event: change').length - 1));
        resolve(state);
      })
      .on('error', reject);
  });
}

describePg('live pages across a database restart', () => {
  let o: OutageApp;
  let server: Server;
  let mia: User;

  beforeAll(async () => {
    o = await startOutageApp({ connectMs: 1000, statementMs: 2500, acquireMs: 1000 }, 2);
    mia = await createUser(o.db, { username: 'mia', role: 'maintainer' });
    server = http.createServer(o.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await o?.close();
  });

  test('a page open through the restart hears of the changes after it', async () => {
    const id = await createTask(o.domain, mia, { title: 'Through the restart', view: 'public' });
    const stream = await follow(`http://127.0.0.1:${(server.address() as AddressInfo).port}/T${id}/live?since=999999999`);
    try {
      const heard = async (ms: number) => {
        const before = stream.changes;
        for (const until = Date.now() + ms; Date.now() < until && stream.changes === before; ) {
          await applyEdit(o.domain, mia, id, [{ type: 'comment', value: `At ${Date.now()}.` }]);
          await new Promise((r) => setTimeout(r, 300));
        }
        return stream.changes > before;
      };
      expect(await heard(5000)).toBe(true);

      await o.proxy.down();
      await new Promise((r) => setTimeout(r, 1500));
      await o.proxy.restore();

      // Attempts back off from half a second; a few seconds bring the connection back.
      expect(await heard(15_000)).toBe(true);
      expect(o.log.some((l) => l.includes('the live updates connection was lost'))).toBe(true);
    } finally {
      stream.close();
    }
  }, 40_000);
});
