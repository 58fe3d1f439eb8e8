import { GRAPH_LIMIT, type GraphNode, type TaskGraph } from '../../tasks/graph/graph';
import type { Task, Tracker } from '../../tasks/task';
import { canDo } from '../../tasks/policy';
import type { Actor } from '../../users/roles';
import type { User } from '../../users/user';
import { lockedFor } from '../../tasks/workflow';

/** Indentation steps a graph row may take; deeper rows stay at the last one. */
const MAX_INDENT = 8;

const RELATION_NAMES: Record<GraphNode['relation'], string> = { parent: 'Parent', self: 'This Task', subtask: 'Subtask' };

function row(n: GraphNode, tracker: Tracker) {
  const closed = tracker.isClosed(n.status);
  return {
    monogram: `T${n.id}`,
    url: `/T${n.id}`,
    title: n.title,
    self: n.relation === 'self',
    relation: RELATION_NAMES[n.relation],
    indent: Math.min(n.depth, MAX_INDENT),
    closed,
    statusName: tracker.statusName(n.status),
    stateText: tracker.stateText(n),
    priorityColor: tracker.priorityColor(n.priority),
    owner: n.ownerUsername ? { username: n.ownerUsername, url: `/p/${encodeURIComponent(n.ownerUsername)}/` } : null,
  };
}

/** The link to a list of the task's open subtasks: a query any list understands. */
export function openSubtasksUrl(taskId: number): string {
  return `/maniphest/query/?parents=T${taskId}&statuses=any-open&group=none`;
}

/** "T3 has 2 open subtasks.", shown beside a status picker that could close it. */
export function openSubtasksWarning(tracker: Tracker, taskId: number, count: number) {
  if (!count) return null;
  return {
    // Scripts show the warning only while a closing status is chosen; without them it is always there.
    closedStatuses: tracker.statuses.filter((s) => s.closed).map((s) => s.key).join(' '),
    text: `T${taskId} has ${count} open ${count === 1 ? 'subtask' : 'subtasks'}.`, url: openSubtasksUrl(taskId), linkText: count === 1 ? 'See it' : 'See them',
  };
}

/** The Task Graph section: parents above, the task, subtasks below. */
export function taskGraphModel(graph: TaskGraph, tracker: Tracker) {
  return {
    any: graph.nodes.length > 0,
    rows: graph.nodes.map((n) => row(n, tracker)),
    note: graph.truncated
      ? `This task is connected to more than ${GRAPH_LIMIT} other tasks. Only direct parents and subtasks are shown here.`
      : null,
  };
}

export function openSubtaskCount(graph: TaskGraph, tracker: Tracker): number {
  return graph.nodes.filter((n) => n.relation === 'subtask' && n.direct && !tracker.isClosed(n.status)).length;
}

/**
 * The "Edit Related Tasks…" menu. Create Subtask opens the create form with the parent set and
 * its owner, priority, visibility and tags as defaults, all in the URL, as Phabricator's forms take them.
 */
export function relatedActionsModel(task: Task, owner: User | undefined, hashtags: string[], viewer: Actor | null, tracker: Tracker) {
  // A task locked by the workflow rules takes no edits from this person, links included.
  const locked = lockedFor(tracker.workflow, viewer, task.status);
  const may = (cap: Parameters<typeof canDo>[2]) => canDo(viewer, task, cap) && !locked;
  const defaults = new URLSearchParams({ parent: `T${task.id}`, priority: tracker.priorityKeyword(task.priority), view: task.view });
  if (owner) defaults.set('owner', owner.username);
  if (hashtags.length) defaults.set('projects', hashtags.join(', '));
  if (tracker.fields.some((f) => f.copy)) defaults.set('template', String(task.id));
  const rel = (key: string) => `/search/rel/${key}/${task.id}/`;
  const open = !tracker.isClosed(task.status);
  const canMerge = may('task.close') && open && tracker.duplicateStatus !== null;
  const actions = [
    ...(may('task.create') ? [{ label: 'Create Subtask', url: `/maniphest/task/edit/?${defaults.toString()}` }] : []),
    ...(may('task.edit')
      ? [
          { label: 'Edit Parent Tasks', url: rel('task.has-parent') },
          { label: 'Edit Subtasks', url: rel('task.has-subtask') },
        ]
      : []),
    ...(canMerge
      ? [
          { label: 'Merge Duplicates In', url: rel('task.merge-in') },
          { label: 'Close As Duplicate', url: rel('task.close-as-duplicate') },
        ]
      : []),
  ];
  return { any: actions.length > 0, actions };
}
