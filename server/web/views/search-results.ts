import { fieldGroupLabel, fieldOfGroup } from '../../fields/groups';
import { listedFieldTexts } from '../../fields/show';
import type { Config } from '../../config';
import { count } from '../../limits';
import { escapeHtml } from '../../markup/escape';
import { GROUP_COUNT_CAP, type SearchPage } from '../../search/engine';
import { NO_PROJECT } from '../../search/groups';
import type { Group } from '../../search/query';
import type { ListedTask } from '../../search/list-rows';
import { MARK_END, MARK_START } from '../../search/repository';
import { dueChangesAt } from '../../tasks/due';
import type { Tracker } from '../../tasks/task';
import { dateTimeChangesAt, formatDateTime } from './dates';
import { dueModel } from './due';
import { userLink } from './people';
import { pointsSum, pointsTag } from './points';
import { tagModel } from './projects';
import { taskState } from './task-page';

/** The group a task falls in: its key (as the count query keys it) and its header. */
function groupOf(t: ListedTask, group: Group, tracker: Tracker, page: SearchPage): { key: unknown; label: string } {
  const owners = page.owners;
  switch (group) {
    case 'priority':
      return { key: t.priority, label: tracker.priorityName(t.priority) };
    case 'status': {
      const index = tracker.statuses.findIndex((s) => s.key === t.status);
      // Phabricator's headers name a closed status in full: "Closed, Resolved".
      const label = tracker.isClosed(t.status) ? `Closed, ${tracker.statusName(t.status)}` : tracker.statusName(t.status);
      return { key: index >= 0 ? index + 1 : 1000, label };
    }
    case 'owner': {
      const owner = t.ownerId ? owners.get(t.ownerId) : undefined;
      return { key: owner ? owner.username.toLowerCase() : '', label: owner ? owner.username : '(Not Assigned)' };
    }
    case 'project': {
      // A task tagged twice is on the page twice; the row's first key says under which tag this time.
      const hashtag = t.keys[0] as string;
      const tag = (page.tags.get(t.id) ?? []).find((p) => p.hashtag === hashtag);
      return { key: hashtag, label: hashtag === NO_PROJECT ? '(Ungrouped)' : (tag?.name ?? `#${hashtag}`) };
    }
    case 'none':
      return { key: null, label: '' };
    default: {
      const value = t.keys[0] as string;
      const def = fieldOfGroup(tracker, group);
      return { key: value, label: def ? fieldGroupLabel(def, value) : value };
    }
  }
}

/** "12", "2,290", or "10,000+" past what is counted. */
function countLabel(n: number | undefined): string | null {
  if (n === undefined) return null;
  return n > GROUP_COUNT_CAP ? `${count(GROUP_COUNT_CAP)}+` : count(n);
}

/** Escapes the title, then turns the database's match markers into <mark>. */
function titleHtml(t: ListedTask): string {
  // A title that holds a marker character itself would be misread as matches: it goes unhighlighted.
  if (t.markedTitle === null || t.title.includes(MARK_START) || t.title.includes(MARK_END)) return escapeHtml(t.title);
  return escapeHtml(t.markedTitle).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}

/** A row as the bulk edit form marks it: with a checkbox, ticked or not. */
export interface SelectableRow {
  id: number;
  selectable?: boolean;
  selected?: boolean;
}

export function searchResultsModel(
  page: SearchPage,
  group: Group,
  tracker: Tracker,
  config: Config,
  pageUrl: (cursor: string, dir: 'after' | 'before') => string,
  withSubtasks: ReadonlySet<number> = new Set(),
) {
  const now = new Date();
  const groups: { label: string; count: string | null; points: string | null; rows: SelectableRow[] }[] = [];
  let current: { key: unknown; label: string } | null = null;
  let staleAt = Infinity;
  for (const t of page.tasks) {
    const g = groupOf(t, group, tracker, page);
    if (!current || current.key !== g.key) {
      current = g;
      const count = page.groupCounts?.get(g.key);
      // A group past the counting cap has its points summed over the rows counted only.
      const points = pointsSum(tracker, page.groupPoints?.get(g.key));
      groups.push({ label: g.label, count: countLabel(count), points: points && count !== undefined && count > GROUP_COUNT_CAP ? `${points}+` : points, rows: [] });
    }
    const owner = t.ownerId ? page.owners.get(t.ownerId) : undefined;
    const state = taskState(t, tracker);
    const when = state.closed && t.closedAt ? t.closedAt : t.updatedAt;
    const row = {
      id: t.id,
      monogram: `T${t.id}`,
      url: `/T${t.id}`,
      titleHtml: titleHtml(t),
      hasSubtasks: withSubtasks.has(t.id),
      ...state,
      owner: owner ? userLink(owner) : null,
      tags: (page.tags.get(t.id) ?? []).map(tagModel),
      points: pointsTag(tracker, t.points),
      fields: listedFieldTexts(tracker, page.fields.values.get(t.id), page.fields.userName),
      when: formatDateTime(when, now, config.timezone),
      whenIso: when.toISOString(),
      whenLabel: state.closed ? 'Closed' : 'Updated',
      due: dueModel(t.due, state.closed, now, config.timezone),
    };
    staleAt = Math.min(staleAt, dateTimeChangesAt(when, now), dueChangesAt(t.due, state.closed, now, config.timezone));
    groups[groups.length - 1]!.rows.push(row);
  }
  return {
    grouped: group !== 'none',
    groups,
    empty: page.tasks.length === 0,
    nextUrl: page.next ? pageUrl(page.next, 'after') : null,
    prevUrl: page.prev ? pageUrl(page.prev, 'before') : null,
    /** When time alone changes what the rows show. */
    staleAt,
  };
}
