import request from 'supertest';
import { useTestApp } from '../support/app';
import { conduitBody, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, textOf } from '../support/http';
import { parse } from 'node-html-parser';

const CSRF_REFUSAL = 'This form has expired or did not come from this site. Reload the page and submit it again.';
const UNREADABLE = 'The request body could not be read as form-encoded data.';

/**
 * Paths are case-sensitive, as in Phabricator: /api/ is the API and /API/ is
 * not, and every part of the app (router, CSRF exemption, error pages) agrees.
 */
describe('the case of a path', () => {
  const t = useTestApp();
  let token: string;
  let taskId: number;

  beforeAll(async () => {
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    token = await tokenFor(t.db, alice);
    taskId = await createTask(t.domain, alice, { title: 'Case matters', view: 'public' });
  });

  test.each(['/API/conduit.ping', '/Api/maniphest.search', '/API/'])('a form POST to %s without a form token is refused as a form, not as an unreadable API body', async (path) => {
    const res = await request(t.app).post(path).type('form').send({ 'api.token': token });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const text = textOf(parse(res.text).querySelector('main')!);
    expect(text).toContain(CSRF_REFUSAL);
    expect(text).not.toContain('could not be read');
  });

  test('with a form token, /API/… is a page that does not exist', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const page = await browser.post('/API/conduit.ping', {}, '/maniphest/');
    expect(page.status).toBe(404);
    expect(page.text).toContain('There is nothing here');
  });

  test('POST /api without a method is a Conduit call error that says how to call a method', async () => {
    const body = conduitBody(await request(t.app).post('/api').type('form').send({}));
    expect(body.error_code).toBe('ERR-CONDUIT-CALL');
    expect(body.error_info).toBe('Call Conduit methods with POST /api/<method>; this was POST /api.');
  });

  test('the API in its own case still answers, and a body it cannot read still says so', async () => {
    const ping = conduitBody(await request(t.app).post('/api/conduit.ping').type('form').send({}));
    expect(ping.error_code).toBeNull();
    const unreadable = conduitBody(await request(t.app).post('/api/conduit.ping').set('Content-Type', 'application/x-www-form-urlencoded; charset=klingon').send('a=b'));
    expect(unreadable).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: UNREADABLE });
  });

  test('task pages answer at /T<id> only', async () => {
    const browser = new Browser(t.app);
    expect((await browser.get(`/T${taskId}`)).status).toBe(200);
    expect((await browser.get(`/t${taskId}`)).status).toBe(404);
    expect((await browser.get('/MANIPHEST/')).status).toBe(404);
  });
});
