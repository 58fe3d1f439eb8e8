import type { ReferenceLookup, TaskTarget } from '../../server/markup/references';
import { MAX_EMBEDS, MAX_LINKS, scanText } from '../../server/markup/references';
import { referencesIn, renderMarkdown } from '../../server/markup/render';

/**
 * The recognition rules of task references and @mentions, each boundary case
 * as one row. The lookup knows a few tasks and people; anything else is
 * unknown and must render as the text that was typed.
 */
const TASKS = new Map<number, TaskTarget>([
  [1, { id: 1, title: 'Login page is slow', closed: false, stateText: 'Open, Normal', priorityColor: 'orange' }],
  [2, { id: 2, title: 'Cache the session', closed: false, stateText: 'Open, High', priorityColor: 'red' }],
  [5, { id: 5, title: 'Old crash', closed: true, stateText: 'Closed, Resolved', priorityColor: 'sky' }],
  [7, { id: 7, title: 'Quotes "and" <tags> & more', closed: false, stateText: 'Open, Low', priorityColor: 'yellow' }],
  [2147483647, { id: 2147483647, title: 'The last id', closed: false, stateText: 'Open, Wishlist', priorityColor: 'grey' }],
]);
const PEOPLE = ['alice', 'bob', 'bob.smith', 'o_neil'];

const lookup: ReferenceLookup = {
  task: (id) => TASKS.get(id),
  user: (name) => {
    const found = PEOPLE.find((p) => p === name.toLowerCase());
    return found ? { username: found } : undefined;
  },
};

const render = (markdown: string) => renderMarkdown(markdown, lookup);
/** The HTML of a one-paragraph text, without the paragraph around it. */
const inline = (markdown: string) => {
  const html = render(markdown);
  if (!html.startsWith('<p>') || !html.endsWith('</p>\n')) throw new Error(`not one paragraph: ${html}`);
  return html.slice(3, -5);
};

/** The exact HTML of a link to a known task, written out once so each row below stays readable. */
function T(id: number, text = `T${id}`, anchor?: number): string {
  const t = TASKS.get(id)!;
  const closed = t.closed ? ' closed' : '';
  return `<a href="/T${id}${anchor ? `#${anchor}` : ''}" class="task-ref${closed}" title="T${id}: ${t.title}" data-hovercard="/T${id}/hovercard">${text}</a>`;
}
function full(id: number): string {
  const t = TASKS.get(id)!;
  const closed = t.closed ? ' closed' : '';
  return `<a href="/T${id}" class="task-ref full pri-${t.priorityColor}${closed}" title="${t.stateText}" data-hovercard="/T${id}/hovercard">T${id}: ${t.title}</a>`;
}
const U = (name: string) => `<a href="/p/${name}/" class="user-ref">@${name}</a>`;

describe('the exact HTML of each kind of reference', () => {
  test('T1 links to the task, its full name in the title attribute', () => {
    expect(render('See T1.')).toBe(
      '<p>See <a href="/T1" class="task-ref" title="T1: Login page is slow" data-hovercard="/T1/hovercard">T1</a>.</p>\n',
    );
  });

  test('T1#456 links to the timeline entry', () => {
    expect(render('T1#456')).toBe('<p><a href="/T1#456" class="task-ref" title="T1: Login page is slow" data-hovercard="/T1/hovercard">T1#456</a></p>\n');
  });

  test('{T2} shows the full name in the colour of its priority, the state in the title attribute', () => {
    expect(render('{T2}')).toBe(
      '<p><a href="/T2" class="task-ref full pri-red" title="Open, High" data-hovercard="/T2/hovercard">T2: Cache the session</a></p>\n',
    );
  });

  test('a closed task is struck through, short or full', () => {
    expect(render('T5 and {T5}')).toBe(
      '<p><a href="/T5" class="task-ref closed" title="T5: Old crash" data-hovercard="/T5/hovercard">T5</a> and ' +
        '<a href="/T5" class="task-ref full pri-sky closed" title="Closed, Resolved" data-hovercard="/T5/hovercard">T5: Old crash</a></p>\n',
    );
  });

  test('a title is escaped in the attribute and in the text', () => {
    expect(render('T7 {T7}')).toBe(
      '<p><a href="/T7" class="task-ref" title="T7: Quotes &quot;and&quot; &lt;tags&gt; &amp; more" data-hovercard="/T7/hovercard">T7</a> ' +
        '<a href="/T7" class="task-ref full pri-yellow" title="Open, Low" data-hovercard="/T7/hovercard">T7: Quotes &quot;and&quot; &lt;tags&gt; &amp; more</a></p>\n',
    );
  });

  test('@bob links to the profile', () => {
    expect(render('Thanks @bob.')).toBe('<p>Thanks <a href="/p/bob/" class="user-ref">@bob</a>.</p>\n');
  });

  test('unknown tasks and people stay exactly the text that was typed', () => {
    expect(render('T99999 {T99999} T99999#3 @nobody')).toBe('<p>T99999 {T99999} T99999#3 @nobody</p>\n');
  });

  test('without a lookup nothing links, yet the text is unchanged', () => {
    expect(renderMarkdown('T1 {T1} @bob')).toBe('<p>T1 {T1} @bob</p>\n');
  });
});

describe('task references are whole words', () => {
  test.each([
    // Stays text: glued to a word or to another sigil.
    ['XT1', 'XT1'],
    ['aT1', 'aT1'],
    ['1T1', '1T1'],
    ['#T1', '#T1'],
    ['@T1', '@T1'],
    ['ABC-T1', 'ABC-T1'],
    ['T1a', 'T1a'],
    ['T1A', 'T1A'],
    ['T12b', 'T12b'],
    ['T1_', 'T1_'],
    ['_T1', '_T1'],
    ['T1__', 'T1__'],
    ['a_T1_', 'a_T1_'],
    ['t1', 't1'],
    ['T 1', 'T 1'],
    ['T-1', 'T-1'],
    ['Ｔ1', 'Ｔ1'],
    // Links: punctuation and space are boundaries.
    ['T1', T(1)],
    ['(T1)', `(${T(1)})`],
    ['[T1]', `[${T(1)}]`],
    ['T1.', `${T(1)}.`],
    ['T1,', `${T(1)},`],
    ['T1:', `${T(1)}:`],
    ['T1;', `${T(1)};`],
    ['T1!', `${T(1)}!`],
    ['T1?', `${T(1)}?`],
    ['"T1"', `&quot;${T(1)}&quot;`],
    ["'T1'", `'${T(1)}'`],
    ['<T1>', `&lt;${T(1)}&gt;`],
    ['T1-2', `${T(1)}-2`],
    ['T1/T2', `${T(1)}/${T(2)}`],
    ['T1,T2', `${T(1)},${T(2)}`],
    ['T1 T2', `${T(1)} ${T(2)}`],
    ['{ T1 }', `{ ${T(1)} }`],
    // Scripts written without spaces between words still link; only ASCII letters and digits glue.
    ['参见T1', `参见${T(1)}`],
  ])('%j', (markdown, html) => {
    expect(inline(markdown)).toBe(html);
  });
});

describe('task numbers', () => {
  test.each([
    ['T0', 'T0'],
    ['T00', 'T00'],
    ['T01', 'T01'],
    ['T007', 'T007'],
    ['{T0}', '{T0}'],
    ['{T01}', '{T01}'],
    ['T2147483647', T(2147483647)],
    ['{T2147483647}', full(2147483647)],
    ['T2147483648', 'T2147483648'],
    ['{T2147483648}', '{T2147483648}'],
    ['T99999999999999999999', 'T99999999999999999999'],
    ['T1#2147483648', 'T1#2147483648'],
  ])('%j', (markdown, html) => {
    expect(inline(markdown)).toBe(html);
  });
});

describe('anchors and full names', () => {
  test.each([
    ['T1#456', T(1, 'T1#456', 456)],
    ['T1#456.', `${T(1, 'T1#456', 456)}.`],
    ['(T1#456)', `(${T(1, 'T1#456', 456)})`],
    ['T1#2147483647', T(1, 'T1#2147483647', 2147483647)],
    // Not an anchor: the task still links, the rest stays text.
    ['T1#', `${T(1)}#`],
    ['T1#0', `${T(1)}#0`],
    ['T1#04', `${T(1)}#04`],
    ['T1#4a', `${T(1)}#4a`],
    ['T1##4', `${T(1)}##4`],
    ['#T1#4', '#T1#4'],
    ['{T1}', full(1)],
    ['x{T1}', `x${full(1)}`],
    ['{T1}x', `${full(1)}x`],
    ['({T1})', `(${full(1)})`],
    ['{T1}#2', `${full(1)}#2`],
    ['{T1#2}', `{${T(1, 'T1#2', 2)}}`],
    ['{T1 }', `{${T(1)} }`],
    ['{{T1}}', `{${full(1)}}`],
    ['{t1}', '{t1}'],
  ])('%j', (markdown, html) => {
    expect(inline(markdown)).toBe(html);
  });
});

describe('references inside other Markdown', () => {
  test.each([
    // Emphasis shows no character of its own: the words around it decide.
    ['**T1**', `<strong>${T(1)}</strong>`],
    ['*T1*', `<em>${T(1)}</em>`],
    ['_T1_', `<em>${T(1)}</em>`],
    ['__T1__', `<strong>${T(1)}</strong>`],
    ['~~T1~~', `<s>${T(1)}</s>`],
    ['(**T1**)', `(<strong>${T(1)}</strong>)`],
    ['**T1**.', `<strong>${T(1)}</strong>.`],
    ['**{T1}**', `<strong>${full(1)}</strong>`],
    ['X**T1**', 'X<strong>T1</strong>'],
    ['**T1**a', '<strong>T1</strong>a'],
    ['**X**T1', '<strong>X</strong>T1'],
    ['T1**a**', 'T1<strong>a</strong>'],
    ['a*T1*', 'a<em>T1</em>'],
    ['*T1*a', '<em>T1</em>a'],
    ['a~~T1~~', 'a<s>T1</s>'],
    // Code is never scanned, and counts as a word next to a reference.
    ['`T1`', '<code>T1</code>'],
    ['`{T1} @bob T1#2`', '<code>{T1} @bob T1#2</code>'],
    ['x `T1` T2', `x <code>T1</code> ${T(2)}`],
    ['`x`T1', '<code>x</code>T1'],
    ['T1`x`', 'T1<code>x</code>'],
    // Never inside link text, link targets, or URLs.
    ['[T1](/x)', '<a href="/x">T1</a>'],
    ['[see T1 and @bob](/x)', '<a href="/x">see T1 and @bob</a>'],
    ['[{T1}](/x)', '<a href="/x">{T1}</a>'],
    ['[x](/T1)', '<a href="/T1">x</a>'],
    ['[T1](https://x.org/T2)', '<a href="https://x.org/T2" rel="nofollow noopener noreferrer">T1</a>'],
    ['https://x.org/T1', '<a href="https://x.org/T1" rel="nofollow noopener noreferrer">https://x.org/T1</a>'],
    ['https://x.org/?q=T1#T2', '<a href="https://x.org/?q=T1#T2" rel="nofollow noopener noreferrer">https://x.org/?q=T1#T2</a>'],
    ['<https://x.org/T1>', '<a href="https://x.org/T1" rel="nofollow noopener noreferrer">https://x.org/T1</a>'],
    ['<mailto:T1@x.org>', '<a href="mailto:T1@x.org" rel="nofollow noopener noreferrer">mailto:T1@x.org</a>'],
    ['see https://x.org/T2 for T1', `see <a href="https://x.org/T2" rel="nofollow noopener noreferrer">https://x.org/T2</a> for ${T(1)}`],
    ['![T1](/shot.png)', '<img src="/shot.png" alt="T1">'],
    // A link is a word too.
    ['[a](/x)T1', '<a href="/x">a</a>T1'],
    ['T1[a](/x)', 'T1<a href="/x">a</a>'],
    ['[a](/x) T1', `<a href="/x">a</a> ${T(1)}`],
    // Escapes and line edges.
    ['\\T1', `\\${T(1)}`],
    ['T1\\', `${T(1)}\\`],
    ['T1\nT2', `${T(1)}\n${T(2)}`],
    ['x\nT1', `x\n${T(1)}`],
    ['T1  \nT2', `${T(1)}<br>\n${T(2)}`],
    ['T\n1', 'T\n1'],
  ])('%j', (markdown, html) => {
    expect(inline(markdown)).toBe(html);
  });

  test.each([
    ['```\nT1 {T2} @bob\n```', '<pre><code>T1 {T2} @bob\n</code></pre>\n'],
    ['~~~\nT1\n~~~', '<pre><code>T1\n</code></pre>\n'],
    ['```text\nT1\n```', '<pre><code class="language-text">T1\n</code></pre>\n'],
    ['    T1 @bob', '<pre><code>T1 @bob\n</code></pre>\n'],
    ['Before\n\n    T1\n\nT2', `<p>Before</p>\n<pre><code>T1\n</code></pre>\n<p>${T(2)}</p>\n`],
    ['T1\n\nT2', `<p>${T(1)}</p>\n<p>${T(2)}</p>\n`],
    ['# T1', `<h1>${T(1)}</h1>\n`],
    ['> T1', `<blockquote>\n<p>${T(1)}</p>\n</blockquote>\n`],
    ['- T1\n- @bob', `<ul>\n<li>${T(1)}</li>\n<li>${U('bob')}</li>\n</ul>\n`],
    ['1. {T2}', `<ol>\n<li>${full(2)}</li>\n</ol>\n`],
    ['| a |\n|---|\n| T1 |', `<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>${T(1)}</td>\n</tr>\n</tbody>\n</table>\n`],
  ])('blocks: %j', (markdown, html) => {
    expect(render(markdown)).toBe(html);
  });
});

describe('@mentions', () => {
  test.each([
    ['@bob', U('bob')],
    ['@bob.', `${U('bob')}.`],
    ['@bob...', `${U('bob')}...`],
    ['@bob,', `${U('bob')},`],
    ['@bob:', `${U('bob')}:`],
    ['@bob!', `${U('bob')}!`],
    ["@bob's", `${U('bob')}'s`],
    ['(@bob)', `(${U('bob')})`],
    ['@Bob', U('bob')],
    ['@BOB.', `${U('bob')}.`],
    ['@bob.smith', U('bob.smith')],
    ['@bob.smith.', `${U('bob.smith')}.`],
    ['@o_neil', U('o_neil')],
    ['@bob_', `${U('bob')}_`],
    ['@alice @bob', `${U('alice')} ${U('bob')}`],
    ['**@bob**', `<strong>${U('bob')}</strong>`],
    // An unknown name is plain text.
    ['@nobody', '@nobody'],
    ['@nobody.', '@nobody.'],
    ['@bobby', '@bobby'],
    // Not inside addresses or words.
    ['x@bob', 'x@bob'],
    ['alice@bob', 'alice@bob'],
    ['1@bob', '1@bob'],
    ['_@bob', '_@bob'],
    ['.@bob', '.@bob'],
    ['-@bob', '-@bob'],
    ['/@bob', '/@bob'],
    ['@@bob', '@@bob'],
    ['@-bob', '@-bob'],
    ['@ bob', '@ bob'],
    ['@', '@'],
    ['mail bob@example.com', 'mail <a href="mailto:bob@example.com" rel="nofollow noopener noreferrer">bob@example.com</a>'],
    ['`@bob`', '<code>@bob</code>'],
    ['[@bob](/x)', '<a href="/x">@bob</a>'],
    ['*X*@bob', '<em>X</em>@bob'],
  ])('%j', (markdown, html) => {
    expect(inline(markdown)).toBe(html);
  });
});

describe('scanText', () => {
  test('splits text into text and references', () => {
    expect(scanText('see T1, {T2} and T3#4 with @Bob.')).toEqual([
      'see ',
      { kind: 'task', id: 1, anchor: null, full: false, raw: 'T1' },
      ', ',
      { kind: 'task', id: 2, anchor: null, full: true, raw: '{T2}' },
      ' and ',
      { kind: 'task', id: 3, anchor: 4, full: false, raw: 'T3#4' },
      ' with ',
      { kind: 'user', username: 'Bob', raw: '@Bob' },
      '.',
    ]);
  });

  test('the characters around a text decide its edges', () => {
    expect(scanText('T1', 'X', '')).toEqual(['T1']);
    expect(scanText('T1', '', 'a')).toEqual(['T1']);
    expect(scanText('T1', ' ', '.')).toEqual([{ kind: 'task', id: 1, anchor: null, full: false, raw: 'T1' }]);
  });
});

describe('referencesIn', () => {
  test('names the tasks and lowercased usernames a text refers to, known or not', () => {
    const refs = referencesIn('T1, T1 again, {T2}, T3#4, T99999 and @Bob, @bob. @nobody');
    expect([...refs.taskIds].sort((a, b) => a - b)).toEqual([1, 2, 3, 99999]);
    expect([...refs.usernames].sort()).toEqual(['bob', 'nobody']);
  });

  test('follows the same rules as the renderer', () => {
    const refs = referencesIn(
      ['XT1 #T2 T3a T0 T01 T2147483648 `T4` [T5](/x) https://x.org/T6 X**T10**', '', '    T7 @alice', '', '```', 'T8 @bob', '```', '', 'x@carol a@dave.org'].join('\n'),
    );
    expect([...refs.taskIds]).toEqual([]);
    expect([...refs.usernames]).toEqual([]);
  });

  test('an empty text refers to nothing', () => {
    expect(referencesIn('')).toEqual({ taskIds: new Set(), usernames: new Set() });
  });
});

describe('embedded task cards are capped per text', () => {
  test(`the first ${MAX_EMBEDS} {T} embeds are cards, the rest plain links; unknown tasks do not count`, () => {
    const text = ['{T99999}', ...Array<string>(MAX_EMBEDS + 50).fill('{T2}')].join(' ');
    const html = render(text);
    expect(html.split(full(2)).length - 1).toBe(MAX_EMBEDS);
    expect(html.split(T(2)).length - 1).toBe(50);
    expect(html.startsWith(`<p>{T99999} ${full(2)}`)).toBe(true);
    expect(html.endsWith(`${T(2)} ${T(2)}</p>\n`)).toBe(true);
  });

  test('the count starts afresh for each text', () => {
    render(Array<string>(MAX_EMBEDS + 1).fill('{T2}').join(' '));
    expect(render('{T2}')).toBe(`<p>${full(2)}</p>\n`);
  });

  test(`after ${MAX_LINKS} links, references of any kind are left as typed`, () => {
    const text = Array.from({ length: MAX_LINKS + 10 }, (_, i) => (i % 2 ? '@bob' : 'T1')).join(' ');
    const html = render(`T99999 ${text}`);
    expect(html.split(T(1)).length - 1 + html.split(U('bob')).length - 1).toBe(MAX_LINKS);
    expect(html.endsWith(`${U('bob')} T1 @bob T1 @bob T1 @bob T1 @bob T1 @bob</p>\n`)).toBe(true);
  });

  test('a 256 KB text of embeds renders a page of about its own size', () => {
    const source = '{T2} '.repeat(52_000);
    const html = render(source);
    // Uncapped, every embed was a card of 119 bytes: 6 MB, and 16 MB with long titles.
    expect(html.length).toBeLessThan(2 * source.length);
    expect(html.split(full(2)).length - 1).toBe(MAX_EMBEDS);
    expect(html.split(T(2)).length - 1).toBe(MAX_LINKS - MAX_EMBEDS);
  });
});
