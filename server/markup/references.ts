import type MarkdownIt from 'markdown-it';
import { escapeHtml } from './escape';

/** A reference found in text: `T123`, `T123#456`, `{T123}` or `@name`. */
export type Reference =
  | { kind: 'task'; id: number; anchor: number | null; full: boolean; raw: string }
  | { kind: 'user'; username: string; raw: string }
  | { kind: 'project'; hashtag: string; raw: string }
  | { kind: 'file'; id: number; raw: string };

/** An uploaded file as `{F12}` shows it: an image inline, anything else as a link with its name and size. */
export interface FileTarget {
  id: number;
  name: string;
  size: number;
  image: boolean;
}

export interface TaskTarget {
  id: number;
  title: string;
  closed: boolean;
  stateText: string;
  priorityColor: string;
}

/** What the renderer may link to: only what the viewer may see. Anything absent renders as plain text. */
export interface ReferenceLookup {
  task(id: number): TaskTarget | undefined;
  user(username: string): { username: string } | undefined;
  project?(hashtag: string): { hashtag: string; color: string } | undefined;
  file?(id: number): FileTarget | undefined;
}

export const NO_REFERENCES: ReferenceLookup = { task: () => undefined, user: () => undefined };

const MAX_ID = 2147483647;

/*
 * One pattern for every reference kind. A task reference is a whole word: not
 * after a letter, digit, "_", "#", "@" or "-", and not followed by a letter,
 * digit or "_". A mention is not inside a word or an address.
 */
const PATTERN =
  /\{T([1-9][0-9]*)\}|(?<![A-Za-z0-9_#@-])T([1-9][0-9]*)(?:#([1-9][0-9]*))?(?![A-Za-z0-9_])|(?<![A-Za-z0-9_.@/-])@([A-Za-z0-9][A-Za-z0-9._-]*)|(?<![A-Za-z0-9_&#/-])#([A-Za-z0-9_-]+)|\{F([1-9][0-9]*)\}/g;

/**
 * A name ends at its last letter or digit: "@bob." mentions bob. Trimmed by a
 * loop from the end, since a `[._-]+$` pattern backtracks quadratically over a
 * long run of dots.
 */
function trimPunctuation(name: string): string {
  let end = name.length;
  while (end > 0 && '._-'.includes(name[end - 1]!)) end--;
  return name.slice(0, end);
}

function toReference(m: RegExpExecArray): { ref: Reference; length: number } | null {
  if (m[1] !== undefined) {
    const id = Number(m[1]);
    return id <= MAX_ID ? { ref: { kind: 'task', id, anchor: null, full: true, raw: m[0] }, length: m[0].length } : null;
  }
  if (m[2] !== undefined) {
    const id = Number(m[2]);
    const anchor = m[3] !== undefined ? Number(m[3]) : null;
    if (id > MAX_ID || (anchor !== null && anchor > MAX_ID)) return null;
    return { ref: { kind: 'task', id, anchor, full: false, raw: m[0] }, length: m[0].length };
  }
  if (m[6] !== undefined) {
    const id = Number(m[6]);
    return id <= MAX_ID ? { ref: { kind: 'file', id, raw: m[0] }, length: m[0].length } : null;
  }
  if (m[5] !== undefined) {
    // A hashtag ends at its last letter, digit or "_": "#backend-" tags backend. It needs a letter: "#12" is a number.
    let end = m[5].length;
    while (end > 0 && m[5][end - 1] === '-') end--;
    const hashtag = m[5].slice(0, end);
    if (!/[A-Za-z]/.test(hashtag) || hashtag.length > 64) return null;
    return { ref: { kind: 'project', hashtag: hashtag.toLowerCase(), raw: `#${hashtag}` }, length: hashtag.length + 1 };
  }
  const username = trimPunctuation(m[4]!);
  return { ref: { kind: 'user', username, raw: `@${username}` }, length: username.length + 1 };
}

/**
 * Splits plain text into text and references. `before` and `after` are the
 * characters around the text (from neighbouring tokens), so that word
 * boundaries hold across emphasis: "X**T1**" and "**T1**a" link nothing.
 */
export function scanText(text: string, before = '', after = ''): (string | Reference)[] {
  const parts: (string | Reference)[] = [];
  const source = before + text + after;
  const end = before.length + text.length;
  let last = before.length;
  PATTERN.lastIndex = before.length;
  for (let m = PATTERN.exec(source); m && m.index < end; m = PATTERN.exec(source)) {
    const found = toReference(m);
    if (!found || m.index + found.length > end) continue;
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push(found.ref);
    last = m.index + found.length;
    PATTERN.lastIndex = last;
  }
  if (last < end) parts.push(source.slice(last, end));
  return parts;
}

/**
 * A core rule: after inline parsing and linkify, split the text tokens outside
 * links into text and reference tokens. Code spans and code blocks are other
 * token types, so they never contain references.
 */
type Token = MarkdownIt.Token;

/** Markers that show no character of their own: "X**T1**" reads "XT1", so the text beyond them decides. */
const TRANSPARENT = new Set(['strong_open', 'strong_close', 'em_open', 'em_close', 's_open', 's_close', 'link_open', 'link_close']);

/** The character a neighbouring token shows next to a text: breaks read as spaces, other markup as nothing. */
function edgeChar(token: Token, which: 'first' | 'last'): string {
  if (token.type === 'softbreak' || token.type === 'hardbreak') return ' ';
  if (token.type !== 'text' && token.type !== 'code_inline') return '';
  return which === 'first' ? token.content.slice(0, 1) : token.content.slice(-1);
}

function referenceRule(state: MarkdownIt.StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: Token[] = [];
    let linkDepth = 0;
    let previous = '';
    const children = block.children;
    // The character shown right after each token, read from the right in one pass: looking ahead from every
    // text token instead would make a long paragraph quadratic to render.
    const following: string[] = new Array<string>(children.length);
    let edge = '';
    for (let i = children.length - 1; i >= 0; i--) {
      following[i] = edge;
      if (!TRANSPARENT.has(children[i]!.type)) edge = edgeChar(children[i]!, 'first');
    }
    children.forEach((token, i) => {
      if (token.type === 'link_open') linkDepth++;
      if (token.type === 'link_close') linkDepth--;
      if (token.type !== 'text' || linkDepth > 0) {
        out.push(token);
        if (!TRANSPARENT.has(token.type)) previous = edgeChar(token, 'last');
        return;
      }
      for (const part of scanText(token.content, previous, following[i])) {
        if (typeof part === 'string') {
          const t = new state.Token('text', '', 0);
          t.content = part;
          out.push(t);
        } else {
          const t = new state.Token('trellis_ref', '', 0);
          t.meta = part;
          out.push(t);
        }
      }
      previous = token.content.slice(-1);
    });
    block.children = out;
  }
}

function renderTask(ref: Extract<Reference, { kind: 'task' }>, target: TaskTarget): string {
  const href = `/T${target.id}${ref.anchor !== null ? `#${ref.anchor}` : ''}`;
  const name = `T${target.id}: ${target.title}`;
  const classes = ['task-ref', ref.full ? `full pri-${target.priorityColor}` : '', target.closed ? 'closed' : ''].filter(Boolean).join(' ');
  const title = ref.full ? `${target.stateText}` : name;
  const text = ref.full ? name : ref.raw;
  return `<a href="${escapeHtml(href)}" class="${escapeHtml(classes)}" title="${escapeHtml(title)}" data-hovercard="/T${target.id}/hovercard">${escapeHtml(text)}</a>`;
}

/** Bytes as people read them: "512 B", "12.3 KB", "4.1 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The address a file is served from: its name last, so a download keeps it. */
export function fileUrl(file: { id: number; name: string }): string {
  return `/file/data/F${file.id}/${encodeURIComponent(file.name)}`;
}

/** An image as a thumbnail that opens at full size; anything else (and images past the embed cap) as a link. */
function renderFile(file: FileTarget, embed: boolean): string {
  const url = escapeHtml(fileUrl(file));
  const name = escapeHtml(file.name);
  if (file.image && embed) return `<a href="${url}" class="file-image" title="F${file.id}: ${name}"><img src="${url}" alt="${name}" class="file-thumb" loading="lazy"></a>`;
  return `<a href="${url}" class="file-ref">${name}</a> <span class="file-size">(${fileSize(file.size)})</span>`;
}

/**
 * A text links at most MAX_LINKS references and shows at most MAX_EMBEDS
 * `{T123}` cards; later cards are plain links, and later references the
 * text as typed. Each link repeats the task's title, some 100 to 400 bytes
 * for a reference of 3 to 6 characters, so without the caps a long text of
 * references renders tens of megabytes of HTML on every view.
 */
export const MAX_EMBEDS = 200;
export const MAX_LINKS = 1000;

export function referencePlugin(md: MarkdownIt.MarkdownIt): void {
  md.core.ruler.push('trellis_references', referenceRule);
  md.renderer.rules.trellis_ref = (tokens, idx, _options, env) => {
    const ref = tokens[idx]!.meta as Reference;
    // The env is the one render's own object (renderMarkup makes it), so the counts are per text. Only
    // references the viewer may see count, so which ones are linked says nothing about the others.
    const state = (env ?? {}) as { references?: ReferenceLookup; links?: number; embeds?: number };
    const lookup = state.references ?? NO_REFERENCES;
    const target =
      ref.kind === 'task' ? lookup.task(ref.id) : ref.kind === 'project' ? lookup.project?.(ref.hashtag) : ref.kind === 'file' ? lookup.file?.(ref.id) : lookup.user(ref.username);
    if (!target || (state.links ?? 0) >= MAX_LINKS) return escapeHtml(ref.raw);
    state.links = (state.links ?? 0) + 1;
    if (ref.kind === 'task') {
      const task = target as TaskTarget;
      if (!ref.full) return renderTask(ref, task);
      state.embeds = (state.embeds ?? 0) + 1;
      return renderTask(state.embeds <= MAX_EMBEDS ? ref : { ...ref, full: false, raw: `T${ref.id}` }, task);
    }
    if (ref.kind === 'file') {
      const file = target as FileTarget;
      state.embeds = (state.embeds ?? 0) + 1;
      return renderFile(file, state.embeds <= MAX_EMBEDS);
    }
    if (ref.kind === 'project') {
      const p = target as { hashtag: string; color: string };
      const href = `/tag/${encodeURIComponent(p.hashtag)}/`;
      return `<a href="${href}" class="tag-ref tag-${escapeHtml(p.color)}" data-hovercard="${href}hovercard">${escapeHtml(ref.raw)}</a>`;
    }
    const user = target as { username: string };
    return `<a href="/p/${encodeURIComponent(user.username)}/" class="user-ref">@${escapeHtml(user.username)}</a>`;
  };
}
