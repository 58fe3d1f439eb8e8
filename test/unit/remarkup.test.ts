import { parseMarkup, referencesIn, renderMarkdown, renderMarkup } from '../../server/markup/render';
import type { ReferenceLookup } from '../../server/markup/references';
import { remarkupToMarkdown } from '../../server/markup/remarkup';

/** Remarkup, as imported from Phabricator, rendered by Trellis's own (safe) Markdown renderer. */

const lookup: ReferenceLookup = {
  task: (id) => ({ id, title: 'Foo', closed: false, stateText: 'Open, Normal', priorityColor: 'orange' }),
  user: (username) => ({ username }),
};
const html = (text: string) => renderMarkup(parseMarkup(text, 'remarkup'), lookup);

test('references read as in Phabricator: T123, {T123}, @name', () => {
  const out = html('See {T12} and T5, @alice.');
  expect(out).toContain('<a href="/T12" class="task-ref full pri-orange"');
  expect(out).toContain('>T12: Foo</a>');
  expect(out).toContain('<a href="/T5" class="task-ref"');
  expect(out).toContain('<a href="/p/alice/" class="user-ref">@alice</a>');
});

test('inline styles: **bold**, //italic//, `code`, ##mono##, and URLs with // stay links', () => {
  const out = html('**bold** //italic// `code // kept` ##mono## http://example.com/a//b');
  expect(out).toContain('<strong>bold</strong> <em>italic</em> <code>code // kept</code> <code>mono</code>');
  expect(out).toContain('<a href="http://example.com/a//b"');
});

test('[[ url | text ]] links, limited to safe schemes', () => {
  expect(html('[[ https://example.com | Example ]]')).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">Example</a>');
  expect(html('[[ javascript:alert(1) | click ]]')).not.toContain('href="javascript');
});

test('code blocks: ```lang=…, a lang= paragraph, two-space indent; no references inside', () => {
  expect(html('```lang=php\necho "T5";\n```')).toMatch(/<pre><code class="language-php">[\s\S]*T5[\s\S]*<\/code><\/pre>/);
  expect(html('```lang=php\necho "T5";\n```')).not.toContain('href="/T5"');
  expect(html('```\nlang=js\nvar x;\n```')).toContain('<code class="language-js">');
  expect(html('lang=js\nvar x = 1;\n\nafter')).toMatch(/<code class="language-js">[\s\S]*<p>after<\/p>/);
  expect(html('intro\n\n  indented code\n  more\n\nafter')).toContain('<pre><code>indented code\nmore\n</code></pre>');
  expect(referencesIn('```\nT5\n```\nT6', 'remarkup').taskIds).toEqual(new Set([6]));
});

test('quotes, NOTE:/WARNING: callouts, tables, numbered lists, = headers =, single line breaks kept', () => {
  expect(html('> quoted\n> more')).toBe('<blockquote>\n<p>quoted<br>\nmore</p>\n</blockquote>\n');
  const callouts = html('NOTE: mind the gap\nWARNING: hot');
  expect(callouts).toContain('<blockquote class="callout callout-note">\n<p><strong>NOTE:</strong> mind the gap');
  expect(callouts).toContain('<blockquote class="callout callout-warning">\n<p><strong>WARNING:</strong> hot');
  expect(html('(IMPORTANT) read this')).toContain('<blockquote class="callout callout-important">');
  // A Markdown quote that opens with the same words stays a plain quote.
  expect(renderMarkdown('> **NOTE:** mind the gap')).toContain('<blockquote>\n');
  expect(html('| a | b |\n| c | d |')).toMatch(/<table>[\s\S]*<td>c<\/td>[\s\S]*<\/table>/);
  expect(html('# first\n# second')).toContain('<ol>\n<li>first</li>\n<li>second</li>\n</ol>');
  expect(html('= Header =')).toBe('<h1>Header</h1>\n');
  expect(html('one\ntwo')).toBe('<p>one<br>\ntwo</p>\n');
});

test('raw HTML stays text', () => {
  expect(html('<script>alert(1)</script> //x//')).toContain('&lt;script&gt;');
  expect(remarkupToMarkdown('<b>hi</b>')).toBe('<b>hi</b>');
});
