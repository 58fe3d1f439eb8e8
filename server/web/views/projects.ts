import { renderMarkdown } from '../../markup/render';
import type { ProjectPage } from '../../projects/read';
import { ICON_NAMES, PROJECT_COLORS, PROJECT_ICONS, boardUrl, projectUrl, tagOf, type Project, type ProjectTag } from '../../projects/project';
import type { TaskBoards } from '../../projects/task-boards';
import type { Tracker } from '../../tasks/task';
import type { User } from '../../users/user';
import { userLink } from './people';
import { taskState, type FormState } from './task-page';

/** A tag as pages show it: "#backend" in the project's colour, linking to the project. */
export function tagModel(t: ProjectTag) {
  return { hashtag: t.hashtag, name: t.name, url: `/tag/${encodeURIComponent(t.hashtag)}/`, colorClass: `tag-${t.color}`, closed: t.closed };
}

function pick(input: Record<string, unknown> | undefined, key: string, fallback: string): string {
  const v = input?.[key];
  return typeof v === 'string' ? v : fallback;
}

const names = (users: User[]) => users.map((u) => u.username).join(', ');

export function projectFormModel(target: { project: Project; members: User[]; watchers: User[] } | null, form: FormState = {}) {
  const p = target?.project;
  const input = form.input;
  const color = pick(input, 'color', p?.color ?? 'blue');
  const icon = pick(input, 'icon', p?.icon ?? 'project');
  return {
    isEdit: Boolean(p),
    isMilestone: p?.parentId != null,
    heading: p ? `Edit Project: ${p.name}` : 'Create New Project',
    action: p ? `/project/edit/${p.id}/` : '/project/edit/',
    cancelUrl: p ? projectUrl(p) : '/project/',
    name: pick(input, 'name', p?.name ?? ''),
    hashtags: pick(input, 'hashtags', p ? p.hashtags.map((h) => `#${h}`).join(', ') : ''),
    description: pick(input, 'description', p?.description ?? ''),
    members: pick(input, 'members', target ? names(target.members) : ''),
    watchers: pick(input, 'watchers', target ? names(target.watchers) : ''),
    colorOptions: PROJECT_COLORS.map((c) => ({ value: c, label: c[0]!.toUpperCase() + c.slice(1), selected: c === color })),
    iconOptions: PROJECT_ICONS.map((i) => ({ value: i, label: ICON_NAMES[i], selected: i === icon })),
    errors: form.errors ?? {},
  };
}

export function projectPageModel(page: ProjectPage, tracker: Tracker, form: FormState = {}) {
  const p = page.project;
  return {
    project: {
      id: p.id,
      ...tagModel(tagOf(p)),
      hashtags: p.hashtags.map((h) => `#${h}`).join(', '),
      iconName: ICON_NAMES[p.icon],
      icon: p.icon,
      descriptionHtml: p.description.trim() ? renderMarkdown(p.description) : null,
      closed: p.closedAt !== null,
      isMilestone: p.parentId !== null,
      editUrl: `/project/edit/${p.id}/`,
      boardUrl: boardUrl(p),
      closeUrl: `/project/${p.id}/close`,
      milestoneUrl: `/project/${p.id}/milestone`,
      tasksUrl: `/maniphest/query/?projects=${encodeURIComponent(p.hashtags[0] ?? '')}&statuses=any-open`,
    },
    parent: page.parent ? { name: page.parent.name, url: projectUrl(page.parent) } : null,
    milestones: page.milestones.map((m) => ({ name: m.name, url: projectUrl(m), closed: m.closedAt !== null })),
    members: page.members.map(userLink),
    watchers: page.watchers.map(userLink),
    canEdit: page.canEdit,
    openTasks: page.openTasks.tasks.map((t) => ({ monogram: `T${t.id}`, url: `/T${t.id}`, title: t.title, ...taskState(t, tracker) })),
    moreTasks: Boolean(page.openTasks.next),
    milestoneName: pick(form.input, 'name', ''),
    errors: form.errors ?? {},
  };
}

export function projectListModel(projects: Project[], text: string, closed: boolean, canCreate: boolean) {
  return {
    text,
    closed,
    canCreate,
    projects: projects.map((p) => ({
      ...tagModel(tagOf(p)),
      url: projectUrl(p),
      boardUrl: boardUrl(p),
      iconName: ICON_NAMES[p.icon],
      isMilestone: p.parentId !== null,
    })),
  };
}

/** "Backlog on #backend" for the side panel, and the comment form's "Move on Workboard" pickers. */
export function boardCardsModel(boards: TaskBoards, chosen: string | undefined) {
  return boards.cards.map((c) => ({
    board: tagModel(c.board),
    column: c.column.name,
    boardUrl: `/project/board/${c.board.id}/`,
    options: [
      { value: '', label: `Keep ${c.column.name}`, selected: !chosen },
      ...c.columns.filter((col) => col.id !== c.column.id).map((col) => ({ value: String(col.id), label: col.name, selected: chosen === String(col.id) })),
    ],
  }));
}
