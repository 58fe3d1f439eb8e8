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

/** Every .hbs file under a folder, by path. */
function templatesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return templatesUnder(full);
    return e.name.endsWith('.hbs') ? [full] : [];
  });
}

describe('the page templates', () => {
  // One character past U+00FF anywhere in a page makes V8 hold the whole page two bytes a character:
  // a 100-row list then took 0.6 ms more to join and encode. Such signs are written as entities (&rarr;).
  it('write the signs past Latin-1 as entities, so a page of plain text stays one byte a character', () => {
    const views = path.resolve(__dirname, '../../views');
    const wide = templatesUnder(views)
      .filter((file) => !file.startsWith(path.join(views, 'mail')))
      .flatMap((file) =>
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => ([...line].some((c) => c.codePointAt(0)! > 0xff) ? [`${path.relative(views, file)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(wide).toEqual([]);
  });
});

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
