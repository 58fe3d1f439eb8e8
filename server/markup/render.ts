import hljs from 'highlight.js';
import MarkdownIt from 'markdown-it';
import taskLists from 'markdown-it-task-lists';
import { escapeHtml } from './escape';
import { NO_REFERENCES, referencePlugin, type Reference, type ReferenceLookup } from './references';
import { remarkupToMarkdown } from './remarkup';

/** Which markup a stored text is written in: Trellis's Markdown, or Remarkup imported from Phabricator. */
export type Markup = 'markdown' | 'remarkup';

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** Allows http, https, mailto and relative URLs; everything else (javascript:, data:, …) is refused. */
export function isSafeUrl(url: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme; so must we.
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (!scheme) return true;
  return SAFE_SCHEMES.has(scheme[1] + ':');
}

/**
 * Highlighting is capped per block and per text: many of highlight.js's
 * grammars take time quadratic in a block's length on some inputs (a
 * 250 KB block would take minutes), while a block of a few thousand
 * characters takes milliseconds. Code past the caps is shown unhighlighted.
 */
export const HIGHLIGHT_BLOCK_LIMIT = 5000;
export const HIGHLIGHT_TEXT_LIMIT = 10000;

/** Server-side highlighting for fenced code with a known language; the rest is escaped as is. */
function highlight(code: string, language: string): string {
  const lang = language.trim().toLowerCase();
  if (!lang || !hljs.getLanguage(lang)) return '';
  try {
    return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
  } catch {
    return escapeHtml(code);
  }
}

function createMarkdown() {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false, highlight });
  md.validateLink = isSafeUrl;
  const defaultFence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (!token.info.trim()) return defaultFence(tokens, idx, options, env, self);
    // The env is the one render's own object (renderMarkup makes it), so the count is per text.
    const budget = env as { highlighted?: number };
    const used = budget.highlighted ?? 0;
    const size = token.content.length;
    const allowed = size <= HIGHLIGHT_BLOCK_LIMIT && used + size <= HIGHLIGHT_TEXT_LIMIT;
    if (allowed) budget.highlighted = used + size;
    return defaultFence(tokens, idx, allowed ? options : { ...options, highlight: null }, env, self);
  };
  md.use(taskLists, { enabled: false });
  md.use(referencePlugin);
  // Column alignment as a class, not a style attribute: the Content-Security-Policy allows no inline styles.
  md.core.ruler.push('align_classes', (state) => {
    for (const token of state.tokens) {
      const align = /^text-align:(left|center|right)$/.exec(String(token.attrGet('style') ?? ''));
      if (!align) continue;
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      token.attrJoin('class', `align-${align[1]}`);
    }
  });
  md.core.ruler.push('remarkup_callouts', calloutClasses);
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = String(token.attrGet('href') ?? '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) token.attrSet('rel', 'nofollow noopener noreferrer');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const CALLOUT_LABEL = /^(NOTE|WARNING|IMPORTANT):$/;

/**
 * Remarkup's NOTE:/WARNING:/IMPORTANT: callouts arrive (remarkup.ts) as a quote
 * opening with the bold label; a class on the quote styles them as a box,
 * since raw HTML stays off. Only in Remarkup texts: Markdown quotes stay quotes.
 */
function calloutClasses(state: { env: MarkdownIt.Env; tokens: MarkdownIt.Token[] }): void {
  if (!(state.env as { remarkup?: boolean }).remarkup) return;
  state.tokens.forEach((token, i) => {
    if (token.type !== 'blockquote_open' || state.tokens[i + 1]?.type !== 'paragraph_open') return;
    const [open, label, close] = state.tokens[i + 2]?.children ?? [];
    const kind = label?.type === 'text' ? CALLOUT_LABEL.exec(label.content) : null;
    if (open?.type === 'strong_open' && close?.type === 'strong_close' && kind) token.attrJoin('class', `callout callout-${kind[1]!.toLowerCase()}`);
  });
}

const md = createMarkdown();

/** Parsed text, kept so that references can be resolved for a whole page before rendering. */
export interface MarkupDoc {
  tokens: MarkdownIt.Token[];
  references: Reference[];
}

function collect(tokens: MarkdownIt.Token[], into: Reference[]): void {
  for (const t of tokens) {
    if (t.type === 'trellis_ref') into.push(t.meta as Reference);
    if (t.children) collect(t.children, into);
  }
}

function parse(text: string, markup: Markup): MarkupDoc {
  const tokens = markup === 'remarkup' ? md.parse(remarkupToMarkdown(text), { remarkup: true }) : md.parse(text, {});
  const references: Reference[] = [];
  collect(tokens, references);
  return { tokens, references };
}

/**
 * Recently parsed texts, least recently used first. A parse depends on the text
 * alone: references are only marked, and resolved for each viewer when the text
 * is rendered, so a kept parse can be neither stale nor show anything the text
 * does not say, and needs no invalidation. Rendering only reads the tokens (but
 * for an external link's rel, set to the same value every time), so one parse
 * serves every viewer. Parsing was most of a task page's Markdown time; a parse
 * takes about 12 bytes a character, so the budget holds some 15 MB.
 */
const parsed = new Map<string, MarkupDoc>();
const PARSED_CHARS = 1_000_000;
const PARSED_TEXT_MAX = 20_000;
let parsedChars = 0;

export function parseMarkup(text: string, markup: Markup = 'markdown'): MarkupDoc {
  if (text.length > PARSED_TEXT_MAX) return parse(text, markup);
  const key = `${markup}:${text}`;
  const kept = parsed.get(key);
  if (kept) {
    parsed.delete(key);
    parsed.set(key, kept);
    return kept;
  }
  const doc = parse(text, markup);
  parsed.set(key, doc);
  parsedChars += key.length;
  for (const [oldest] of parsed) {
    if (parsedChars <= PARSED_CHARS) break;
    parsed.delete(oldest);
    parsedChars -= oldest.length;
  }
  return doc;
}

export function renderMarkup(doc: MarkupDoc, references: ReferenceLookup = NO_REFERENCES): string {
  const env = { references } as unknown as MarkdownIt.Env;
  return md.renderer.render(doc.tokens, md.options, env);
}

/** Markdown to safe HTML: raw HTML is escaped, links are limited to safe schemes. */
export function renderMarkdown(text: string, references: ReferenceLookup = NO_REFERENCES): string {
  return renderMarkup(parseMarkup(text), references);
}

/** Everything some parsed texts refer to, by kind: what a page or a mail resolves in one query per kind. */
export function namedIn(docs: Iterable<MarkupDoc>): { taskIds: Set<number>; usernames: Set<string>; hashtags: Set<string>; fileIds: Set<number> } {
  const named = { taskIds: new Set<number>(), usernames: new Set<string>(), hashtags: new Set<string>(), fileIds: new Set<number>() };
  for (const doc of docs) {
    for (const ref of doc.references) {
      if (ref.kind === 'task') named.taskIds.add(ref.id);
      else if (ref.kind === 'user') named.usernames.add(ref.username);
      else if (ref.kind === 'file') named.fileIds.add(ref.id);
      else named.hashtags.add(ref.hashtag);
    }
  }
  return named;
}

/** The task ids and usernames a text refers to, by the same rules the renderer links them. */
export function referencesIn(text: string, markup: Markup = 'markdown'): { taskIds: Set<number>; usernames: Set<string> } {
  const { taskIds, usernames } = namedIn([parseMarkup(text, markup)]);
  return { taskIds, usernames: new Set([...usernames].map((u) => u.toLowerCase())) };
}
