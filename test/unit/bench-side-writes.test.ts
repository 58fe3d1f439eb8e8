import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSideWrites } from '../bench/side-writes';
import type { Scenario } from '../bench/scenarios';

describe("the bench's writes beside the reads", () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: { path: string; cookie?: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ path: req.url!, cookie: req.headers.cookie, body });
        res.writeHead(req.url === '/refused' ? 403 : 303, { location: '/T1' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const write = (path: string): Scenario => {
    let n = 0;
    return { name: 'comment', title: 'add a comment (POST)', kind: 'write', method: 'POST', path, expect: 303, auth: true, next: () => ({ path, body: `comment=${++n}` }) };
  };

  test('posts each write with its own body and the writer’s cookie, never ahead of the pace, and waits for every answer when stopped', async () => {
    seen.length = 0;
    const started = Date.now();
    const writer = startSideWrites(baseUrl, write('/T1/comment'), 'trellis_session=writer', 40);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const elapsed = (Date.now() - started) / 1000;
    const done = await writer.stop();
    expect(done.sent).toBeGreaterThanOrEqual(1);
    expect(done.sent).toBeLessThanOrEqual(Math.floor(elapsed * 40) + 1);
    expect(done.answered).toEqual({ 303: done.sent });
    expect(seen).toHaveLength(done.sent);
    // Sent at once when the clock falls behind, they may arrive in any order: each is a new write all the same.
    expect(seen.map((s) => s.body).sort()).toEqual(Array.from({ length: done.sent }, (_v, i) => `comment=${i + 1}`).sort());
    expect(new Set(seen.map((s) => s.cookie))).toEqual(new Set(['trellis_session=writer']));
  });

  test('counts what the app refused, and a write it could not send, by what happened', async () => {
    const writer = startSideWrites(baseUrl, write('/refused'), 'c=1', 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await writer.stop();
    expect(refused.sent).toBeGreaterThanOrEqual(1);
    expect(refused.answered).toEqual({ 403: refused.sent });
    const nowhere = startSideWrites('http://127.0.0.1:1', write('/T1/comment'), 'c=1', 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lost = await nowhere.stop();
    expect(lost.sent).toBeGreaterThanOrEqual(1);
    expect(lost.answered).toEqual({ error: lost.sent });
  });

  test('refuses a scenario that is not a paced write', () => {
    const read: Scenario = { name: 'task', title: 'task page', kind: 'page', method: 'GET', path: '/T1', expect: 200, auth: true };
    expect(() => startSideWrites(baseUrl, read, 'c=1', 1)).toThrow('task is not a write the bench can pace.');
  });
});
