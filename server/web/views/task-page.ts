import type { Config } from '../../config';
import { renderMarkdown } from '../../markup/render';
import type { TaskDetail } from '../../tasks/read';
import { canDo } from '../../tasks/policy';
import { VIEW_NAMES, type Task, type Tracker } from '../../tasks/task';
import { buildTimeline } from '../../tasks/timeline';
import type { Actor } from '../../users/roles';
import { formatDateTime } from './dates';
import { priorityOptions, statusOptions } from './options';
import { userLink, userRefs } from './people';

const SOURCE_NAMES: Record<string, string> = { web: 'Via Web', cli: 'Via Command Line', api: 'Via Conduit' };

export interface FormState {
  input?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The header tag: "Open, Normal" or "Closed, Resolved". */
export function taskState(task: Task, tracker: Tracker) {
  const closed = tracker.isClosed(task.status);
  return {
    closed,
    stateText: closed ? tracker.statusFullName(task.status) : `${tracker.statusName(task.status)}, ${tracker.priorityName(task.priority)}`,
    priorityName: tracker.priorityName(task.priority),
    priorityColor: tracker.priorityColor(task.priority),
    statusName: tracker.statusName(task.status),
  };
}

function text(input: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = input?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function taskPageModel(detail: TaskDetail, viewer: Actor | null, tracker: Tracker, config: Config, form: FormState = {}) {
  const { task, users, subscriberIds } = detail;
  const now = new Date();
  const ref = userRefs(users);
  const url = `/T${task.id}`;
  const linkOf = (id: number | null) => {
    const u = id === null ? undefined : users.get(id);
    return u ? userLink(u) : null;
  };
  const timeline = buildTimeline(detail.events, tracker, ref).map((g) => ({
    anchor: g.anchor,
    url: `${url}#${g.anchor}`,
    time: formatDateTime(g.createdAt, now, config.timezone),
    timeIso: g.createdAt.toISOString(),
    via: SOURCE_NAMES[g.source] ?? `Via ${g.source}`,
    actor: linkOf(g.actorId),
    hasComment: g.comment !== null,
    lines: g.lines.map((l) => ({ type: l.type, sentenceHtml: l.sentence.html })),
    commentHtml: g.comment ? renderMarkdown(g.comment.text) : null,
  }));
  const subscribed = viewer ? subscriberIds.includes(viewer.id) : false;
  const may = (cap: Parameters<typeof canDo>[2]) => canDo(viewer, task, cap);
  const input = form.input;
  return {
    task: {
      id: task.id,
      monogram: `T${task.id}`,
      url,
      title: task.title,
      ...taskState(task, tracker),
      viewName: VIEW_NAMES[task.view],
      descriptionHtml: task.description.trim() ? renderMarkdown(task.description) : null,
      created: formatDateTime(task.createdAt, now, config.timezone),
      editUrl: `/maniphest/task/edit/${task.id}/`,
    },
    author: linkOf(task.authorId),
    owner: linkOf(task.ownerId),
    closer: linkOf(task.closerId),
    subscribers: subscriberIds.map(linkOf).filter((u) => u !== null),
    actions: {
      canEdit: may('task.edit'),
      canClaim: may('task.claim') && task.ownerId !== viewer?.id,
      canSubscribe: may('task.subscribe'),
      subscribed,
    },
    timeline,
    commentForm: {
      canComment: may('task.comment'),
      canClose: may('task.close'),
      canTriage: may('task.triage'),
      comment: text(input, 'comment') ?? '',
      owner: text(input, 'owner') ?? '',
      statusOptions: statusOptions(tracker, text(input, 'status'), `Keep ${tracker.statusName(task.status)}`),
      priorityOptions: priorityOptions(tracker, text(input, 'priority'), `Keep ${tracker.priorityName(task.priority)}`),
      errors: form.errors ?? {},
    },
    loginUrl: viewer ? null : `/login?next=${encodeURIComponent(url)}`,
  };
}
