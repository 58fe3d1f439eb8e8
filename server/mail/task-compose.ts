import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { parseMarkup, renderMarkup } from '../markup/render';
import { actionOf, strengthOf } from '../tasks/events/registry';
import type { DescribeContext, StoredEvent } from '../tasks/events/types';
import type { ResolvedReferences } from '../tasks/references';
import type { Task, Tracker } from '../tasks/task';
import { buildTimeline } from '../tasks/timeline';
import type { User } from '../users/user';
import { userRefs } from '../web/views/people';
import { mailDomain } from './send-job';

/** Everything a task mail is made from, loaded for one recipient. */
export interface TaskMailInput {
  task: Task;
  recipient: User;
  /** The reported events, the ones not worth a mail already left out. */
  events: StoredEvent[];
  refs: ResolvedReferences;
  /** Projects and columns the events name (tags, card moves). */
  boards?: Pick<DescribeContext, 'project' | 'column'>;
  subscriberIds: number[];
  toIds: number[];
  baseUrl: string;
  from: string;
  tracker: Tracker;
}

export interface TaskMail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const template = Handlebars.compile(fs.readFileSync(path.resolve(__dirname, '../../views/mail/task.hbs'), 'utf8'), { strict: false });

/** The task's thread: every mail about it refers to this, so mail clients show one conversation. */
export const threadIdOf = (task: Pick<Task, 'phid'>, from: string) => `<trellis-task-${task.phid}@${mailDomain(from)}>`;

/** Links in mail leave the site: make ours absolute. */
const absolute = (html: string, baseUrl: string) => html.replace(/href="\/(?!\/)/g, `href="${baseUrl}/`);

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `  ${l}` : ''))
    .join('\n');

function stampsOf(i: TaskMailInput, mentioned: string[]): string {
  const name = (id: number | null) => (id === null ? null : (i.refs.users.get(id)?.username ?? null));
  const stamps = new Set<string>();
  for (const e of i.events) stamps.add(`actor(@${name(e.actorId)})`);
  stamps.add(`author(@${name(i.task.authorId)})`);
  stamps.add(`monogram(T${i.task.id})`);
  if (i.task.ownerId !== null) stamps.add(`task-owner(@${name(i.task.ownerId)})`);
  stamps.add(`task-priority(${i.task.priority})`);
  stamps.add(`task-status(${i.task.status})`);
  for (const id of i.subscriberIds) if (name(id)) stamps.add(`subscriber(@${name(id)})`);
  for (const username of mentioned) stamps.add(`mention(@${username})`);
  for (const e of i.events) stamps.add(`via(${e.source})`);
  return [...stamps].join(' ');
}

/**
 * One recipient's mail about some events of a task: the subject's action word
 * from the strongest event, the timeline's sentences with the recipient as
 * viewer, comments and (on creation) the description, links to the task and
 * to the mail preferences, and the headers that thread it and let people filter.
 * Null when the recipient may see none of its lines.
 */
export function composeTaskMail(i: TaskMailInput): TaskMail | null {
  const { task, tracker, baseUrl } = i;
  const monogram = `T${task.id}`;
  const groups = buildTimeline(i.events, tracker, userRefs(i.refs.users), i.refs.task, i.boards);
  if (!groups.length) return null;
  // The subject names the strongest change the recipient is shown, never one hidden from them.
  const shownIds = new Set(groups.flatMap((g) => [...g.lines.map((l) => l.id), ...(g.comment ? [g.comment.id] : [])]));
  const strongest = i.events.filter((e) => shownIds.has(e.id)).sort((a, b) => strengthOf(b.type) - strengthOf(a.type) || a.id - b.id)[0]!;
  const subject = `[Trellis] [${actionOf(strongest, tracker)}] ${monogram}: ${task.title}`;
  const created = i.events.some((e) => e.type === 'create');
  const comments = i.events.filter((e) => e.type === 'comment');
  const docs = new Map(comments.map((e) => [e.id, parseMarkup(String(e.new ?? ''))]));
  const description = created && task.description.trim() ? parseMarkup(task.description) : null;
  const mentioned = new Set<string>();
  for (const doc of [...docs.values(), ...(description ? [description] : [])]) {
    for (const ref of doc.references) if (ref.kind === 'user' && i.refs.markup.user(ref.username)) mentioned.add(i.refs.markup.user(ref.username)!.username);
  }
  const taskUrl = `${baseUrl}/${monogram}${groups[0] ? `#${groups[0].anchor}` : ''}`;
  const preferencesUrl = `${baseUrl}/settings/mail/`;
  const names = (ids: number[]) => ids.map((id) => i.refs.users.get(id)?.username).filter(Boolean).join(', ');
  const toNames = names(i.toIds);
  const ccNames = names(i.subscriberIds.filter((id) => !i.toIds.includes(id)));

  const text: string[] = [];
  for (const g of groups) {
    text.push(...g.lines.map((l) => l.sentence.text));
    if (g.comment) text.push('', indent(g.comment.text));
    text.push('');
  }
  if (description) text.push('TASK DESCRIPTION', indent(task.description), '');
  text.push('TASK DETAIL', `  ${taskUrl}`, '', `To: ${toNames}`, ...(ccNames ? [`Cc: ${ccNames}`] : []), '', 'EMAIL PREFERENCES', `  ${preferencesUrl}`, '');

  const html = template({
    subject,
    monogram,
    taskUrl,
    preferencesUrl,
    toNames,
    ccNames,
    groups: groups.map((g) => ({
      lines: g.lines.map((l) => ({ sentenceHtml: absolute(l.sentence.html, baseUrl) })),
      commentHtml: g.comment ? absolute(renderMarkup(docs.get(g.comment.id)!, i.refs.markup), baseUrl) : null,
    })),
    descriptionHtml: description ? absolute(renderMarkup(description, i.refs.markup), baseUrl) : null,
  });

  const thread = threadIdOf(task, i.from);
  const headers: Record<string, string> = created ? { 'Message-ID': thread } : { 'In-Reply-To': thread, References: thread };
  Object.assign(headers, {
    'X-Trellis-Stamps': stampsOf(i, [...mentioned]),
    'X-Trellis-Sent-This-Message': 'Yes',
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
    Precedence: 'bulk',
  });
  return { subject, text: text.join('\n'), html, headers };
}
