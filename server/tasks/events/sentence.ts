import { escapeHtml } from '../../markup/escape';

/** A person as a sentence names them. */
export interface UserRef {
  kind: 'user';
  id: number | null;
  username: string;
}

/** A value the sentence quotes: a status, a priority, a title. */
export interface ValueRef {
  kind: 'value';
  text: string;
}

/** A task as a sentence names it: "T456: Title", struck through when closed. */
export interface TaskRef {
  kind: 'task';
  id: number;
  title: string;
  closed: boolean;
}

/** A project tag as a sentence names it: "#backend", in its colour. */
export interface ProjectRef {
  kind: 'project';
  id: number;
  hashtag: string;
  color: string;
}

export type Part = string | UserRef | ValueRef | TaskRef | ProjectRef;

/** One rendered line of the timeline, as HTML for pages and as text for mail and logs. */
export interface Sentence {
  html: string;
  text: string;
}

export const value = (text: string): ValueRef => ({ kind: 'value', text });

function partHtml(p: Part): string {
  if (typeof p === 'string') return escapeHtml(p);
  if (p.kind === 'value') return `<span class="value">${escapeHtml(p.text)}</span>`;
  if (p.kind === 'project') {
    return `<a class="tag-ref tag-${escapeHtml(p.color)}" href="/tag/${encodeURIComponent(p.hashtag)}/" data-hovercard="/tag/${encodeURIComponent(p.hashtag)}/hovercard">#${escapeHtml(p.hashtag)}</a>`;
  }
  if (p.kind === 'task') {
    const cls = p.closed ? 'task-ref closed' : 'task-ref';
    return `<a class="${cls}" href="/T${p.id}" data-hovercard="/T${p.id}/hovercard">${escapeHtml(`T${p.id}: ${p.title}`)}</a>`;
  }
  if (p.id === null) return `<span class="user unknown">${escapeHtml(p.username)}</span>`;
  return `<a class="user" href="/p/${encodeURIComponent(p.username)}/">${escapeHtml(p.username)}</a>`;
}

function partText(p: Part): string {
  if (typeof p === 'string') return p;
  if (p.kind === 'value') return p.text;
  if (p.kind === 'task') return `T${p.id}: ${p.title}`;
  if (p.kind === 'project') return `#${p.hashtag}`;
  return p.username;
}

/** A tagged template: literal text is trusted, every interpolated part is escaped. */
export function say(strings: TemplateStringsArray, ...parts: Part[]): Sentence {
  let html = escapeHtml(strings[0]!);
  let text = strings[0]!;
  parts.forEach((p, i) => {
    html += partHtml(p) + escapeHtml(strings[i + 1]!);
    text += partText(p) + strings[i + 1]!;
  });
  return { html, text };
}

/** "bob", "bob, carol" as a list of linked names. */
export function listOf(refs: (UserRef | ProjectRef)[]): Sentence {
  return {
    html: refs.map(partHtml).join(', '),
    text: refs.map(partText).join(', '),
  };
}

/** "T5: Foo, T6: Bar" as a list of linked tasks. */
export function listOfTasks(refs: TaskRef[]): Sentence {
  return {
    html: refs.map(partHtml).join(', '),
    text: refs.map(partText).join(', '),
  };
}

export function join(...pieces: (Sentence | string)[]): Sentence {
  return {
    html: pieces.map((p) => (typeof p === 'string' ? escapeHtml(p) : p.html)).join(''),
    text: pieces.map((p) => (typeof p === 'string' ? p : p.text)).join(''),
  };
}
