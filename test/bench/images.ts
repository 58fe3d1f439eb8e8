import type { Session } from './login';
import { COMMON_WORDS } from './words';

/** A real 1×1 PNG: the page's cost is in naming files, not in their bytes, which the page never reads. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const sentence = (n: number) => Array.from({ length: n }, (_, i) => COMMON_WORDS[(i * 7 + n) % COMMON_WORDS.length]).join(' ');

async function post(baseUrl: string, session: Session, path: string, fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    body: new URLSearchParams({ __csrf__: session.csrf, ...fields }).toString(),
  });
  await res.text();
  if (res.status !== 303) throw new Error(`POST ${path} answered ${res.status}`);
  return res.headers.get('location') ?? '';
}

/**
 * The task the `images` scenario reads: 20 comments like the seeded page
 * task's, five of them showing an uploaded image, all made through the web
 * forms and the upload endpoint as a person would. Returns its id.
 */
export async function makeImageTask(baseUrl: string, session: Session): Promise<number> {
  const created = await post(baseUrl, session, '/maniphest/task/edit/', { title: 'Bench: 20 comments and 5 images', description: sentence(30), view: 'users' });
  const id = Number(/\/T([0-9]+)/.exec(created)![1]);
  for (let i = 0; i < 20; i++) {
    let text = `${sentence(12 + i)}.`;
    if (i % 4 === 0) {
      const body = new FormData();
      body.append('file', new Blob([PIXEL], { type: 'image/png' }), `screenshot-${i}.png`);
      const res = await fetch(`${baseUrl}/file/upload`, { method: 'POST', headers: { cookie: session.cookie, 'X-CSRF-Token': session.csrf }, body });
      if (res.status !== 201) throw new Error(`Uploading an image answered ${res.status}`);
      text += `\n\n${((await res.json()) as { markup: string }).markup}`;
    }
    await post(baseUrl, session, `/T${id}/comment`, { comment: text });
  }
  return id;
}
