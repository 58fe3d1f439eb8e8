import type { Config } from '../../config';
import { fileSize, fileUrl } from '../../markup/references';
import { renderMarkup } from '../../markup/render';
import { dueChangesAt } from '../../tasks/due';
import type { TaskDetail } from '../../tasks/read';
import { canDo, canView } from '../../tasks/policy';
import { LOCKED_MESSAGE, lockedFor, statusChoices } from '../../tasks/workflow';
import { VIEW_NAMES, type Task, type Tracker } from '../../tasks/task';
import { buildTimeline, type TimelineComment } from '../../tasks/timeline';
import type { Actor } from '../../users/roles';
import { dateTimeChangesAt, formatDateTime } from './dates';
import { dueModel } from './due';
import { priorityOptions, statusOptions } from './options';
import { userLink, userRefs } from './people';
import { pointsInput, pointsTag } from './points';
import { boardCardsModel, tagModel } from './projects';
import { openSubtaskCount, openSubtasksWarning, relatedActionsModel, taskGraphModel } from './task-graph';

const SOURCE_NAMES: Record<string, string> = { web: 'Via Web', cli: 'Via Command Line', api: 'Via Conduit', email: 'Via Email', import: 'Via Import' };
/** Sources worth a visible mark on the group, not only a tooltip: a reply by mail reads differently from a typed comment. */
const SOURCE_MARKS: Record<string, string> = { email: 'via email' };

export interface FormState {
  input?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/**
 * The form-wide error: errors.form plus those of fields that have no control
 * on this person's form (a hidden version, a picker their role does not get),
 * which would otherwise be shown nowhere.
 */
export function formWideError(errors: Record<string, string>, shown: string[]): string | null {
  const unplaced = Object.entries(errors).filter(([field]) => field === 'form' || !shown.includes(field));
  return unplaced.length ? unplaced.map(([, message]) => message).join(' ') : null;
}

/** A task named in a panel: "T12: Title" with its state, struck through when closed. */
function taskLink(task: Task, tracker: Tracker) {
  return { monogram: `T${task.id}`, url: `/T${task.id}`, title: task.title, ...taskState(task, tracker) };
}

/** The header tag: "Open, Normal" or "Closed, Resolved". */
export function taskState(task: Pick<Task, 'status' | 'priority'>, tracker: Tracker) {
  return {
    closed: tracker.isClosed(task.status),
    stateText: tracker.stateText(task),
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
  // Quote fills the comment box: without one (a reader, a visitor) there is nothing to quote into.
  const canQuote = canDo(viewer, task, 'task.comment');
  const may = (cap: Parameters<typeof canDo>[2]) => canDo(viewer, task, cap);
  /** A comment's body and actions; a removed one is a notice with neither. */
  const commentModel = (c: TimelineComment | null, authorId: number) => {
    if (!c || c.removedBy !== null) return { commentHtml: null, removedBy: c ? (linkOf(c.removedBy) ?? { username: 'unknown user', url: null }) : null };
    const base = `${url}/comment/${c.id}`;
    const mayRevise = may(viewer?.id === authorId ? 'task.comment' : 'comment.moderate');
    return {
      commentHtml: renderMarkup(detail.comments.get(c.id)!, detail.refs.markup),
      removedBy: null,
      quoteUrl: canQuote ? `${url}?quote=${c.id}#comment` : null,
      quoteSource: `/T${task.id}/quote/${c.id}`,
      historyUrl: c.edited ? `${base}/history` : null,
      editUrl: mayRevise ? `${base}/edit` : null,
      removeUrl: mayRevise ? `${base}/remove` : null,
    };
  };
  const groups = buildTimeline(detail.events, tracker, ref, detail.refs.task, detail.boards);
  const timeline = groups.map((g) => ({
    anchor: g.anchor,
    url: `${url}#${g.anchor}`,
    time: formatDateTime(g.createdAt, now, config.timezone),
    timeIso: g.createdAt.toISOString(),
    via: SOURCE_NAMES[g.source] ?? `Via ${g.source}`,
    viaMark: SOURCE_MARKS[g.source] ?? null,
    actor: linkOf(g.actorId),
    hasComment: g.comment !== null,
    lines: g.lines.map((l) => ({ type: l.type, sentenceHtml: l.sentence.html })),
    ...commentModel(g.comment, g.actorId),
  }));
  const subscribed = viewer ? subscriberIds.includes(viewer.id) : false;
  const input = form.input;
  const errors = form.errors ?? {};
  // The statuses the rules let this person move the task to; a locked task takes no edits or comments from them.
  const choices = canView(viewer, task) ? statusChoices(tracker.workflow, tracker.pickableStatuses, viewer, task.status) : [];
  const canClose = choices.some((s) => s.key !== task.status);
  const locked = lockedFor(tracker.workflow, viewer, task.status);
  const commentFields = ['comment', 'subscribers', 'projects', 'column', ...(canClose ? ['status'] : []), ...(may('task.triage') ? ['owner', 'priority'] : []), ...(may('task.triage') && tracker.points.enabled ? ['points'] : []), ...(may('task.edit') ? ['due'] : [])];
  return {
    task: {
      id: task.id,
      monogram: `T${task.id}`,
      url,
      title: task.title,
      ...taskState(task, tracker),
      viewName: VIEW_NAMES[task.view],
      points: pointsTag(tracker, task.points),
      descriptionHtml: task.description.trim() ? renderMarkup(detail.description, detail.refs.markup) : null,
      created: formatDateTime(task.createdAt, now, config.timezone),
      editUrl: `/maniphest/task/edit/${task.id}/`,
      lockedNote: tracker.workflow.locked.includes(task.status) ? LOCKED_MESSAGE : null,
    },
    due: dueModel(task.due, tracker.isClosed(task.status), now, config.timezone),
    author: linkOf(task.authorId),
    owner: linkOf(task.ownerId),
    closer: linkOf(task.closerId),
    subscribers: subscriberIds.map(linkOf).filter((u) => u !== null),
    tags: detail.boards.tags.map(tagModel),
    cards: boardCardsModel(detail.boards, text(input, 'column')),
    mentions: {
      mentionedIn: detail.mentionedIn.map((id) => taskLink(detail.refs.tasks.get(id)!, tracker)),
      mentionsHere: detail.mentionsHere.map((id) => taskLink(detail.refs.tasks.get(id)!, tracker)),
      any: detail.mentionedIn.length + detail.mentionsHere.length > 0,
    },
    graph: taskGraphModel(detail.graph, tracker),
    duplicates: detail.mergedFrom.map((id) => taskLink(detail.refs.tasks.get(id)!, tracker)),
    mergedInto: detail.mergedInto.map((id) => taskLink(detail.refs.tasks.get(id)!, tracker)),
    related: relatedActionsModel(task, task.ownerId === null ? undefined : users.get(task.ownerId), detail.boards.tags.map((t) => `#${t.hashtag}`), viewer, tracker),
    actions: {
      canEdit: may('task.edit') && !locked,
      canClaim: may('task.claim') && task.ownerId !== viewer?.id && !locked,
      canSubscribe: may('task.subscribe') || subscribed,
      subscribed,
    },
    timeline,
    files: detail.files.map((f) => ({ name: f.name, monogram: `F${f.id}`, url: fileUrl(f), size: fileSize(f.size) })),
    live: { url: `${url}/live`, version: detail.version },
    commentForm: {
      canComment: may('task.comment') && !locked,
      canClose,
      canTriage: may('task.triage'),
      // The comment form sets points but never removes them: an empty box means "keep", as its pickers do.
      points: may('task.triage') ? pointsInput(tracker, { points: text(input, 'points') ?? '' }, null, tracker.points.action) : null,
      pointsNow: pointsTag(tracker, task.points),
      canTag: may('task.edit'),
      canSetDue: may('task.edit'),
      dueDate: text(input, 'dueDate') ?? '',
      dueTime: text(input, 'dueTime') ?? '',
      canRemoveDue: may('task.edit') && task.due !== null,
      dueRemove: Boolean(text(input, 'dueRemove')),
      addProjects: text(input, 'addProjects') ?? '',
      removeProjects: text(input, 'removeProjects') ?? '',
      version: detail.version,
      comment: text(input, 'comment') ?? '',
      owner: text(input, 'owner') ?? '',
      statusOptions: statusOptions(tracker, text(input, 'status'), `Keep ${tracker.statusName(task.status)}`, task.status, choices),
      priorityOptions: priorityOptions(tracker, text(input, 'priority'), `Keep ${tracker.priorityName(task.priority)}`, tracker.priorityKeyword(task.priority)),
      subtaskWarning: tracker.isClosed(task.status) ? null : openSubtasksWarning(tracker, task.id, openSubtaskCount(detail.graph, tracker)),
      errors: { ...errors, form: formWideError(errors, commentFields) },
    },
    // Without a comment form, the page itself says why the submission was refused.
    pageError: may('task.comment') && !locked ? null : formWideError(errors, []),
    loginUrl: viewer ? null : `/login?next=${encodeURIComponent(url)}`,
    /** When time alone changes what the page shows: its dates and its due date. */
    staleAt: groups.reduce(
      (at, g) => Math.min(at, dateTimeChangesAt(g.createdAt, now)),
      Math.min(dateTimeChangesAt(task.createdAt, now), dueChangesAt(task.due, tracker.isClosed(task.status), now, config.timezone)),
    ),
  };
}
