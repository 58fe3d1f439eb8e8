import { cleanFileName, imageKind } from '../../server/files/content';
import { renderMarkdown } from '../../server/markup/render';
import type { ReferenceLookup } from '../../server/markup/references';

describe('what an upload is, by its content', () => {
  test.each([
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0], 'image/png'],
    ['JPEG', [0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
    ['GIF', [...Buffer.from('GIF89a')], 'image/gif'],
    ['WebP', [...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8 ')], 'image/webp'],
    ['SVG', [...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')], null],
    ['HTML', [...Buffer.from('<!doctype html><script>')], null],
    ['a truncated PNG signature', [0x89, 0x50, 0x4e], null],
    ['nothing', [], null],
  ])('%s', (_name, bytes, kind) => {
    expect(imageKind(Buffer.from(bytes as number[]))).toBe(kind);
  });
});

describe('a file name as stored', () => {
  test.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\a\\shot.png', 'shot.png'],
    ['...hidden', 'hidden'],
    ['tab\there\u0000.txt', 'tabhere.txt'],
    ['', 'file'],
    ['x'.repeat(300), 'x'.repeat(200)],
  ])('%j is %j', (raw, clean) => {
    expect(cleanFileName(raw)).toBe(clean);
  });
});

describe('{F12} in Markdown', () => {
  const lookup: ReferenceLookup = {
    task: () => undefined,
    user: () => undefined,
    file: (id) => (id === 12 ? { id, name: 'a "b".png', size: 2048, image: true } : id === 13 ? { id, name: 'notes.svg', size: 10, image: false } : undefined),
  };

  test('an image is a thumbnail linking to itself, escaped', () => {
    expect(renderMarkdown('{F12}', lookup)).toBe(
      '<p><a href="/file/data/F12/a%20%22b%22.png" class="file-image" title="F12: a &quot;b&quot;.png"><img src="/file/data/F12/a%20%22b%22.png" alt="a &quot;b&quot;.png" class="file-thumb" loading="lazy"></a></p>\n',
    );
  });

  test('any other file is a link with its name and size; an unknown or hidden one stays text, as in code', () => {
    expect(renderMarkdown('{F13} {F14} `{F12}`', lookup)).toBe(
      '<p><a href="/file/data/F13/notes.svg" class="file-ref">notes.svg</a> <span class="file-size">(10 B)</span> {F14} <code>{F12}</code></p>\n',
    );
  });
});
