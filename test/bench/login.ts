/** Logs in through the real login form, as a browser would, for the session cookie and its CSRF token. */

export interface Session {
  cookie: string;
  csrf: string;
}

function cookiesOf(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
  return jar;
}

function csrfOf(html: string, where: string): string {
  const m = /name="__csrf__" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`No CSRF token on ${where}`);
  return m[1]!;
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

export async function logIn(baseUrl: string, username: string, password: string): Promise<Session> {
  const form = await fetch(`${baseUrl}/login`, { redirect: 'manual' });
  const jar = cookiesOf(form);
  const token = csrfOf(await form.text(), '/login');
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header(jar) },
    body: new URLSearchParams({ __csrf__: token, username, password, next: '/' }).toString(),
  });
  await res.text();
  const session = cookiesOf(res).get('trellis_session');
  if (res.status !== 303 || !session) throw new Error(`Logging in as ${username} answered ${res.status}, not 303 with a session cookie.`);
  const cookie = `trellis_session=${session}`;
  // The token is bound to the session, so it is read again from a page seen while logged in.
  const page = await fetch(`${baseUrl}/maniphest/task/edit/`, { headers: { cookie }, redirect: 'manual' });
  if (page.status !== 200) throw new Error(`The create form answered ${page.status} to ${username}.`);
  return { cookie, csrf: csrfOf(await page.text(), '/maniphest/task/edit/') };
}
