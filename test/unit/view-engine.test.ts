import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { viewEngine } from '../../server/web/view-engine';

function renderWith(files: Record<string, string>, view: string, model: object): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-views-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, 'views', name)), { recursive: true });
    fs.writeFileSync(path.join(root, 'views', name), text);
  }
  const app = express();
  app.engine('hbs', viewEngine(root));
  app.set('view engine', 'hbs');
  app.set('views', path.join(root, 'views'));
  return new Promise((resolve, reject) =>
    app.render(view, { ...model, cache: true }, (err: Error | null, html?: string) => {
      fs.rmSync(root, { recursive: true, force: true });
      if (err) reject(err);
      else resolve(html!);
    }),
  );
}

describe('the view engine', () => {
  it('keeps the lines of a partial on a line of its own as written, preformatted text included', async () => {
    const html = await renderWith(
      {
        'layouts/main.hbs': '<body>{{{body}}}</body>',
        'partials/code.hbs': '<pre>{{text}}</pre>\n',
        'page.hbs': '<div>\n      {{> code}}\n</div>',
      },
      'page',
      { text: 'first line\n  second line' },
    );
    expect(html).toContain('<pre>first line\n  second line</pre>');
  });

  it('escapes what a model says', async () => {
    const html = await renderWith({ 'layouts/main.hbs': '{{{body}}}', 'page.hbs': '<p>{{text}}</p>' }, 'page', { text: '<script>' });
    expect(html).toBe('<p>&lt;script&gt;</p>');
  });
});
