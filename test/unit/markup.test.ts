import { parse } from 'node-html-parser';
import { HIGHLIGHT_BLOCK_LIMIT, HIGHLIGHT_TEXT_LIMIT, isSafeUrl, renderMarkdown } from '../../server/markup/render';

const EXTERNAL = 'nofollow noopener noreferrer';

/** Every link the rendered HTML holds, as the browser would see it. */
function links(markdown: string) {
  return parse(renderMarkdown(markdown))
    .querySelectorAll('a')
    .map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel') ?? null, text: a.textContent }));
}

describe('renderMarkdown', () => {
  test('renders Markdown', () => {
    expect(renderMarkdown('It takes **ten** seconds.\n\n- one\n- two')).toBe(
      '<p>It takes <strong>ten</strong> seconds.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n',
    );
  });

  test.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n'],
    ['<img src=x onerror=alert(1)>', '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n'],
    ['Hello <b onclick="x()">there</b>', '<p>Hello &lt;b onclick=&quot;x()&quot;&gt;there&lt;/b&gt;</p>\n'],
    ['<div>\n<iframe src="/evil"></iframe>\n</div>', '<p>&lt;div&gt;\n&lt;iframe src=&quot;/evil&quot;&gt;&lt;/iframe&gt;\n&lt;/div&gt;</p>\n'],
    ['<!-- hidden -->', '<p>&lt;!-- hidden --&gt;</p>\n'],
  ])('escapes raw HTML: %j', (markdown, html) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });

  test('escapes HTML inside code', () => {
    expect(renderMarkdown('`<b>`\n\n```\n<script>\n```')).toBe('<p><code>&lt;b&gt;</code></p>\n<pre><code>&lt;script&gt;\n</code></pre>\n');
  });

  describe('drops links to dangerous schemes', () => {
    test.each([
      '[click](javascript:alert(1))',
      '[click](JaVaScRiPt:alert(1))',
      '[click](JAVASCRIPT:alert(1))',
      '[click](<javascript:alert(1)>)',
      '[click](  javascript:alert(1)  )',
      '[click](javascript:alert(1) "title")',
      '[click](jav&#x61;script:alert(1))',
      '[click](&#106;avascript:alert(1))',
      '[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))',
      '[click](javascript&colon;alert(1))',
      '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[click](DATA:text/html,<script>alert(1)</script>)',
      '[click](vbscript:msgbox(1))',
      '[click](VbScRiPt:msgbox(1))',
      '[click][ref]\n\n[ref]: javascript:alert(1)',
      '<javascript:alert(1)>',
      '<data:text/html,hi>',
      '![x](javascript:alert(1))',
      '![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)',
    ])('%j', (markdown) => {
      const html = renderMarkdown(markdown);
      expect(links(markdown)).toEqual([]);
      expect(parse(html).querySelectorAll('img')).toEqual([]);
      expect(html).not.toMatch(/(href|src)=/);
    });
  });

  test('a scheme split by whitespace or control characters is no scheme at all', () => {
    // The browser reads these as relative paths, because %20 and %09 cannot be part of a scheme.
    expect(links('[a](<java script:alert(1)>)')).toEqual([{ href: 'java%20script:alert(1)', rel: null, text: 'a' }]);
    expect(links('[a](<java\tscript:alert(1)>)')).toEqual([{ href: 'java%09script:alert(1)', rel: null, text: 'a' }]);
    expect(links('[a](jav&#x09;ascript:alert(1))')).toEqual([{ href: 'jav%09ascript:alert(1)', rel: null, text: 'a' }]);
  });

  test.each([
    ['[site](http://example.com/a?b=1&c=2)', 'http://example.com/a?b=1&c=2'],
    ['[site](https://example.com/)', 'https://example.com/'],
    ['[site](HTTPS://example.com/)', 'HTTPS://example.com/'],
    ['[mail](mailto:bob@example.com)', 'mailto:bob@example.com'],
    ['[cdn](//cdn.example.com/x.js)', '//cdn.example.com/x.js'],
    ['<https://example.com/auto>', 'https://example.com/auto'],
    ['see https://example.com/bare now', 'https://example.com/bare'],
  ])('keeps the external link in %j, marked nofollow', (markdown, href) => {
    expect(links(markdown)).toEqual([expect.objectContaining({ href, rel: EXTERNAL })]);
  });

  test.each([
    ['[task](/T12)', '/T12'],
    ['[event](/T12#45)', '/T12#45'],
    ['[anchor](#top)', '#top'],
    ['[page](maniphest/?page=2)', 'maniphest/?page=2'],
    ['[colon later](/search?q=a:b)', '/search?q=a:b'],
  ])('keeps the relative link in %j, without rel', (markdown, href) => {
    expect(links(markdown)).toEqual([expect.objectContaining({ href, rel: null })]);
  });

  test('an image from a safe place stays', () => {
    const img = parse(renderMarkdown('![logo](https://example.com/logo.png)')).querySelector('img')!;
    expect(img.getAttribute('src')).toBe('https://example.com/logo.png');
    expect(img.getAttribute('alt')).toBe('logo');
  });
});

describe('isSafeUrl', () => {
  test.each(['http://x.org', 'https://x.org', 'mailto:a@b.c', '/T1', 'T1', '#x', '?q=1', '//x.org', ''])('allows %j', (url) => {
    expect(isSafeUrl(url)).toBe(true);
  });

  test.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'java\u0000script:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html,x',
    'vbscript:x',
    'file:///etc/passwd',
    'ftp://x.org',
  ])('refuses %j', (url) => {
    expect(isSafeUrl(url)).toBe(false);
  });
});

describe('highlighting is capped', () => {
  const block = (chars: number) => '```js\n' + 'let a = 1;\n'.repeat(Math.floor(chars / 11)) + '```\n';
  const highlighted = (html: string) => (html.match(/<pre><code class="language-js">(.*?)<\/code><\/pre>/gs) ?? []).map((b) => b.includes('hljs-keyword'));

  test('a block within the cap is highlighted, a longer one is shown as plain code', () => {
    expect(highlighted(renderMarkdown(block(HIGHLIGHT_BLOCK_LIMIT - 20)))).toEqual([true]);
    const long = renderMarkdown(block(HIGHLIGHT_BLOCK_LIMIT + 20));
    expect(highlighted(long)).toEqual([false]);
    expect(long).toContain('let a = 1;\nlet a = 1;');
  });

  test('blocks after the text has used its highlighting budget are shown as plain code', () => {
    const perText = Math.floor(HIGHLIGHT_TEXT_LIMIT / (HIGHLIGHT_BLOCK_LIMIT - 20));
    const text = Array.from({ length: perText + 2 }, () => block(HIGHLIGHT_BLOCK_LIMIT - 20)).join('\n');
    expect(highlighted(renderMarkdown(text))).toEqual([...Array<boolean>(perText).fill(true), false, false]);
    // The budget is the text's own: the next render starts afresh.
    expect(highlighted(renderMarkdown(block(100)))).toEqual([true]);
  });
});
