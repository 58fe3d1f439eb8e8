import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { HELMET_OPTIONS, HSTS_OPTIONS } from '../../server/web/middleware/security-headers';
import { renderMarkdown } from '../../server/markup/render';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { loggedIn } from '../support/http';

const ROOT = path.resolve(__dirname, '../..');

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full, ext) : e.name.endsWith(ext) ? [full] : [];
  });
}

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

describe('security headers', () => {
  const t = useTestApp({ trustProxy: true });

  test('every page: a strict Content-Security-Policy, no framing, nosniff, Referrer-Policy; no HSTS over plain http', async () => {
    await createUser(t.db, { username: 'alice' });
    const b = await loggedIn(t.app, 'alice');
    for (const p of ['/login', '/maniphest/', '/settings/', '/no/such/page', '/static/css/trellis.css']) {
      const res = await b.agent.get(p);
      const csp = directives(String(res.headers['content-security-policy']));
      expect({ p, script: csp.get('script-src'), style: csp.get('style-src'), frames: csp.get('frame-ancestors') }).toEqual({
        p,
        script: "'self'",
        style: "'self'",
        frames: "'none'",
      });
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'none'");
      expect(csp.get('form-action')).toBe("'self'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test("every header and value is the one helmet itself sends with the same options, over http and https", async () => {
    const bare = express();
    bare.set('trust proxy', true);
    bare.use(helmet(HELMET_OPTIONS), (req, res, next) => (req.secure ? helmet.strictTransportSecurity(HSTS_OPTIONS)(req, res, next) : next()));
    bare.get('/login', (_req, res) => res.end());
    const own = (h: Record<string, unknown>, names: string[]) => Object.fromEntries(names.map((n) => [n, h[n]]));
    for (const proto of ['http', 'https']) {
      const expected = (await request(bare).get('/login').set('X-Forwarded-Proto', proto)).headers;
      const names = Object.keys(expected).filter((n) => !['date', 'connection', 'content-length', 'keep-alive'].includes(n));
      const got = (await request(t.app).get('/login').set('X-Forwarded-Proto', proto)).headers;
      expect({ proto, headers: own(got, names) }).toEqual({ proto, headers: own(expected, names) });
      expect(names.length).toBeGreaterThanOrEqual(proto === 'https' ? 12 : 11);
    }
  });

  test('over https (behind a proxy that says so), Strict-Transport-Security is sent', async () => {
    const res = await request(t.app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(res.headers['strict-transport-security']).toBe('max-age=15552000');
  });
});

describe('nothing inline for the policy to block', () => {
  test('templates have no inline script, event handler, style attribute, style element or javascript: URL', () => {
    const offences: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'views'), '.hbs')) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      for (const m of text.matchAll(/<script\b[^>]*>/gi)) if (!/\bsrc=/.test(m[0])) offences.push(`${rel}: inline <script>`);
      if (/<style\b/i.test(text)) offences.push(`${rel}: <style> element`);
      // Mail is read in mail clients, which drop style sheets and apply no CSP: its styles have to be inline.
      const mail = rel.startsWith(path.join('views', 'mail') + path.sep);
      if (!mail && /\sstyle\s*=/i.test(text)) offences.push(`${rel}: style attribute`);
      if (/\son[a-z]+\s*=/i.test(text)) offences.push(`${rel}: event handler attribute`);
      if (/javascript:/i.test(text)) offences.push(`${rel}: javascript: URL`);
    }
    expect(offences).toEqual([]);
  });

  test('scripts never write inline handlers, style attributes or eval', () => {
    const offences: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'static/js'), '.js')) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      if (/setAttribute\(\s*['"](style|on[a-z]+)['"]/.test(text)) offences.push(`${rel}: sets a style or handler attribute`);
      if (/\beval\(|new Function\(|setTimeout\(\s*['"]/.test(text)) offences.push(`${rel}: evaluates a string`);
      if (/\son[a-z]+=/.test(text.replace(/\/\/.*$/gm, ''))) offences.push(`${rel}: writes an inline handler`);
    }
    expect(offences).toEqual([]);
  });

  test('aligned Markdown table columns are classes, not style attributes', () => {
    const html = renderMarkdown('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |');
    expect(html).not.toMatch(/style=/);
    expect(html).toContain('<th class="align-left">a</th>');
    expect(html).toContain('<td class="align-center">2</td>');
    expect(html).toContain('<td class="align-right">3</td>');
  });
});
