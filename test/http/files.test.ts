import request from 'supertest';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, textOf } from '../support/http';

/**
 * Files: uploads with the CSRF token checked first and a size limit, {F12}
 * shown as a thumbnail or a link, served from a path that never runs as HTML
 * with the type its content proves, and visible to exactly those who may see
 * a task that names it, and its uploader.
 */

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const HTML = Buffer.from('<html><script>alert(1)</script></html>');

describe('files', () => {
  const t = useTestApp({ maxFileBytes: 4096 });
  const users = {} as Record<'alice' | 'bob' | 'mia', User>;
  let alice: Browser;
  let bob: Browser;
  let mia: Browser;

  beforeAll(async () => {
    users.alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    [alice, bob, mia] = await Promise.all([loggedIn(t.app, 'alice'), loggedIn(t.app, 'bob'), loggedIn(t.app, 'mia')]);
  });

  const fileCount = async () => Number((await t.db('files').count('* as n'))[0]!.n);

  async function upload(who: Browser, name: string, data: Buffer, token?: string) {
    const csrf = token ?? (await who.csrf('/maniphest/'));
    return who.agent.post('/file/upload').set('X-CSRF-Token', csrf).attach('file', data, { filename: name, contentType: 'application/octet-stream' });
  }

  async function uploaded(who: Browser, name: string, data: Buffer): Promise<number> {
    const res = await upload(who, name, data);
    expect(res.status).toBe(201);
    return res.body.id as number;
  }

  test('an image: uploaded, shown as a thumbnail that opens it, listed in the side panel, served inline as its type', async () => {
    const id = await uploaded(alice, 'screen shot.png', PNG);
    const task = await createTask(t.domain, users.mia, { title: 'Broken layout', view: 'public' });
    expect((await alice.post(`/T${task}/comment`, { comment: `See {F${id}}.` }, `/T${task}`)).status).toBe(303);

    const page = await new Browser(t.app).get(`/T${task}`);
    const img = page.dom.querySelector('.comment a.file-image img.file-thumb')!;
    expect(img.getAttribute('src')).toBe(`/file/data/F${id}/screen%20shot.png`);
    expect(page.dom.querySelector('.comment a.file-image')!.getAttribute('href')).toBe(`/file/data/F${id}/screen%20shot.png`);
    expect(textOf(page.dom.querySelector('.curtain .files')!)).toBe('screen shot.png (72 B)');

    const res = await request(t.app).get(`/file/data/F${id}/screen%20shot.png`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe(`inline; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0);
  });

  test('an SVG, and HTML named .png, are never inline: a link with name and size, served as a download', async () => {
    const svg = await uploaded(alice, 'logo.svg', SVG);
    const fake = await uploaded(alice, 'cat.png', HTML);
    const task = await createTask(t.domain, users.mia, { title: 'Logos', view: 'public' });
    await alice.post(`/T${task}/comment`, { comment: `{F${svg}} and {F${fake}}` }, `/T${task}`);
    const page = await alice.get(`/T${task}`);
    expect(page.dom.querySelectorAll('.comment img')).toHaveLength(0);
    expect(textOf(page.dom.querySelector('.comment')!)).toBe(`logo.svg (${SVG.length} B) and cat.png (${HTML.length} B)`);
    for (const [id, name] of [[svg, 'logo.svg'], [fake, 'cat.png']] as const) {
      const res = await alice.agent.get(`/file/data/F${id}/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toMatch(/^attachment; /);
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    }
  });

  test('path tricks in a name are neutralised', async () => {
    for (const [raw, clean] of [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\boot.ini', 'boot.ini'],
      ['.htaccess', 'htaccess'],
      ['a<b>|c?.txt', 'abc.txt'],
      ['../', 'file'],
    ]) {
      const res = await upload(alice, raw, Buffer.from('x'));
      expect({ raw, name: res.body.name }).toEqual({ raw, name: clean });
    }
  });

  test('without the CSRF token, or past the size limit, an upload is refused and nothing is stored', async () => {
    const before = await fileCount();
    expect((await upload(alice, 'a.png', PNG, 'forged')).status).toBe(403);
    expect((await alice.agent.post('/file/upload').attach('file', PNG, 'a.png')).status).toBe(403);
    const big = await upload(alice, 'big.bin', Buffer.alloc(5000, 1));
    expect(big.status).toBe(413);
    expect(big.text).toContain('This file is too large: at most 4.0 KB.');
    const huge = await upload(alice, 'huge.bin', Buffer.alloc(200 * 1024, 1));
    expect(huge.status).toBe(413);
    expect((await new Browser(t.app).agent.post('/file/upload').attach('file', PNG, 'a.png')).status).toBe(403);
    // A form body, not multipart: a clear 400, never a request left waiting.
    const form = await alice.agent.post('/file/upload').set('X-CSRF-Token', await alice.csrf('/maniphest/')).type('form').send({ file: 'not a file' });
    expect(form.status).toBe(400);
    expect(await fileCount()).toBe(before);
  });

  test('a file is visible to those who may see a task naming it, and to its uploader; no one else', async () => {
    const id = await uploaded(mia, 'secret.png', PNG);
    const path = `/file/data/F${id}/secret.png`;
    // Not yet named anywhere: the uploader alone.
    expect((await mia.agent.get(path)).status).toBe(200);
    expect((await alice.agent.get(path)).status).toBe(404);

    const secret = await createTask(t.domain, users.mia, { title: 'Secret', view: 'maintainers' });
    await mia.post(`/T${secret}/comment`, { comment: `{F${id}}` }, `/T${secret}`);
    expect((await alice.agent.get(path)).status).toBe(404);
    expect((await request(t.app).get(path)).status).toBe(404);
    expect((await request(t.app).get('/file/data/F999999/x.png')).status).toBe(404);

    // Naming a file one may not see shows it to no one: bob can not publish mia's file.
    const open = await createTask(t.domain, users.mia, { title: 'Open', view: 'public' });
    await bob.post(`/T${open}/comment`, { comment: `Look: {F${id}}` }, `/T${open}`);
    expect((await request(t.app).get(path)).status).toBe(404);
    expect(textOf((await request(t.app).get(`/T${open}`).then((r) => r.text)) ?? '')).toContain(`Look: {F${id}}`);

    // Named by someone who may see it, on a public task: now everyone.
    await mia.post(`/T${open}/comment`, { comment: `{F${id}}` }, `/T${open}`);
    expect((await request(t.app).get(path)).status).toBe(200);
  });
});
