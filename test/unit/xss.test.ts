import { parse } from 'node-html-parser';
import type { ReferenceLookup } from '../../server/markup/references';
import { renderMarkdown } from '../../server/markup/render';
import { activeMarkup, XSS_PAYLOADS } from '../support/xss-corpus';

/**
 * Every payload rendered as a description or comment would be, with a lookup
 * whose every string is itself a payload: titles, states, colours and
 * usernames reach the HTML only through the renderer's escaping.
 */
const at = (i: number) => XSS_PAYLOADS[((i % XSS_PAYLOADS.length) + XSS_PAYLOADS.length) % XSS_PAYLOADS.length]!;

const hostile: ReferenceLookup = {
  task: (id) => ({ id, title: at(id), closed: id % 2 === 0, stateText: at(id + 1), priorityColor: at(id + 2) }),
  user: (name) => ({ username: at(name.length) }),
};

/** The elements markdown-it and the reference rule may produce, and nothing else. */
const MARKDOWN_TAGS = new Set([
  'p', 'a', 'img', 'strong', 'em', 's', 'code', 'pre', 'span', 'blockquote', 'ul', 'ol', 'li', 'input', 'br', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);

function tagsIn(html: string): string[] {
  return parse(html, { blockTextElements: { script: true, style: true } })
    .querySelectorAll('*')
    .map((el) => el.rawTagName.toLowerCase())
    .filter((tag) => !MARKDOWN_TAGS.has(tag));
}

describe('the XSS corpus', () => {
  test('holds at least 100 different payloads', () => {
    expect(new Set(XSS_PAYLOADS).size).toBeGreaterThanOrEqual(100);
  });

  test('the scan finds active markup where there is some', () => {
    expect(activeMarkup('<p>fine <a href="/T1">T1</a> <a href="https://x.org/">x</a> <a href="mailto:a@b.c">m</a></p>')).toEqual([]);
    expect(activeMarkup('<p><script>alert(1)</script></p>')).not.toEqual([]);
    expect(activeMarkup('<img src=x onerror=alert(1)>')).toEqual(['<img onerror="alert(1)">']);
    expect(activeMarkup('<a href="jav&#x61;script:alert(1)">x</a>')).toEqual(['<a href="javascript:alert(1)">']);
    expect(activeMarkup('<a href=" java\tscript:x">x</a>')).toEqual(['<a href=" java\tscript:x">']);
    expect(activeMarkup('<img src="data:image/png;base64,AA">')).toEqual(['<img src="data:image/png;base64,AA">']);
    expect(activeMarkup('<p style="color:red">x</p>')).toEqual(['<p style="color:red">']);
    expect(activeMarkup('<pre><code><svg onload=alert(1)></svg></code></pre>')).not.toEqual([]);
    const found = activeMarkup('<math></math><iframe></iframe><object></object><embed><style></style>');
    expect(found.filter((p) => p.startsWith('element'))).toEqual(['element <math>', 'element <iframe>', 'element <object>', 'element <embed>', 'element <style>']);
  });
});

describe.each(XSS_PAYLOADS.map((payload, i) => ({ i, payload })))('payload $i: $payload', ({ i, payload }) => {
  test('rendered alone, nothing active survives', () => {
    const html = renderMarkdown(payload, hostile);
    expect(activeMarkup(html)).toEqual([]);
    expect(tagsIn(html)).toEqual([]);
  });

  test('as the title and name behind references, nothing active survives', () => {
    // References whose targets are this payload, and this payload around them.
    const [a, b, c] = [i + 1, i + 2, i + 3];
    const text = `{T${a}} T${a} T${b}#${b} @user${i}\n\n${payload} {T${c}}\n\n* T${a} ${payload} @a`;
    const html = renderMarkdown(text, hostile);
    expect(activeMarkup(html)).toEqual([]);
    expect(tagsIn(html)).toEqual([]);
    // The references did resolve, so the payloads really went through the link renderer.
    expect(parse(html).querySelectorAll('a.task-ref').length).toBeGreaterThanOrEqual(3);
    expect(parse(html).querySelectorAll('a.user-ref').length).toBeGreaterThanOrEqual(1);
  });
});

test('a payload title is shown as text, character for character', () => {
  const title = '"><script>alert(1)</script>';
  const html = renderMarkdown('{T1}', { task: () => ({ id: 1, title, closed: false, stateText: 'Open, Normal', priorityColor: 'orange' }), user: () => undefined });
  expect(html).toBe(
    '<p><a href="/T1" class="task-ref full pri-orange" title="Open, Normal" data-hovercard="/T1/hovercard">T1: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a></p>\n',
  );
  expect(parse(html).querySelector('a')!.textContent).toBe(`T1: ${title}`);
});
