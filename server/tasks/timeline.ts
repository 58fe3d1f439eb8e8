import { revisionOf } from './events/comment-revision';
import { describeEvent, eventType, strengthOf } from './events/registry';
import type { Sentence, TaskRef, UserRef } from './events/sentence';
import type { DescribeContext, StoredEvent } from './events/types';
import type { Tracker } from './task';

/** One box of the timeline: the events of one submission. */
export interface TimelineGroup {
  /** The first event's id: the group's anchor, /T123#ID. */
  anchor: number;
  actorId: number;
  createdAt: Date;
  source: string;
  lines: { id: number; type: string; sentence: Sentence }[];
  /** The raw text of the group's comment, if it has one; rendered by the caller. */
  comment: TimelineComment | null;
}

export interface TimelineComment {
  id: number;
  /** The text as it now reads; empty once removed. */
  text: string;
  /** Revised since it was posted: the page links its history. */
  edited: boolean;
  /** Who removed it, when it was removed. */
  removedBy: number | null;
}

/** What became of each revised comment, from the revisions among a task's events. */
export function commentFates(events: StoredEvent[]): Map<number, { edited: boolean; removedBy: number | null }> {
  const fates = new Map<number, { edited: boolean; removedBy: number | null }>();
  for (const e of events) {
    const r = revisionOf(e);
    if (!r) continue;
    const fate = fates.get(r.comment) ?? { edited: false, removedBy: null };
    if (r.text === null) fate.removedBy = e.actorId;
    else fate.edited = true;
    fates.set(r.comment, fate);
  }
  return fates;
}

/** Ids of every user a timeline names, so callers load them all in one query. */
export function timelineUserIds(events: StoredEvent[]): number[] {
  const ids = new Set<number>();
  for (const e of events) {
    ids.add(e.actorId);
    for (const id of eventType(e.type)?.userIds(e) ?? []) ids.add(id);
  }
  return [...ids];
}

/** Ids of other tasks a timeline names (back-links), loaded with the page's other task references. */
export function timelineTaskIds(events: StoredEvent[]): number[] {
  return events.flatMap((e) => eventType(e.type)?.taskIds?.(e) ?? []);
}

/**
 * The events of one group as the timeline shows them: without the defaults
 * set when a task is created, and without what the group's other changes imply.
 */
export function shownOf(group: StoredEvent[]): StoredEvent[] {
  const isCreate = group.some((e) => e.type === 'create');
  return group.flatMap((e) => {
    const t = eventType(e.type);
    if (isCreate && t?.hiddenOnCreate(e)) return [];
    const shown = t?.beside ? t.beside(e, group) : e;
    return shown ? [shown] : [];
  });
}

/**
 * Groups stored events by submission, drops what is not worth showing (the
 * defaults set when a task is created), and orders each group's lines by
 * strength: title, status, owner, priority, others, subscribers, comment.
 */
export function buildTimeline(
  events: StoredEvent[],
  tracker: Tracker,
  user: (id: number | null) => UserRef,
  task: (id: number) => TaskRef | undefined = () => undefined,
  boards: Pick<DescribeContext, 'project' | 'column'> = {},
): TimelineGroup[] {
  const byGroup = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byGroup.get(e.groupId);
    if (list) list.push(e);
    else byGroup.set(e.groupId, [e]);
  }
  const groups: TimelineGroup[] = [];
  const fates = commentFates(events);
  for (const list of byGroup.values()) {
    const shown = shownOf(list);
    if (!shown.length) continue;
    const first = list[0]!;
    const actor = user(first.actorId);
    const commentEvent = shown.find((e) => e.type === 'comment');
    const others = shown.filter((e) => e.type !== 'comment');
    // With other lines present, the comment body speaks for itself.
    const lineEvents = others.length ? others : shown;
    const linesOf = (list: StoredEvent[]) =>
      list
        .map((e) => ({ id: e.id, type: e.type, strength: strengthOf(e.type), sentence: describeEvent(e, { tracker, actor, user, task, ...boards }) }))
        .filter((l): l is typeof l & { sentence: Sentence } => l.sentence !== null)
        .sort((a, b) => b.strength - a.strength || a.id - b.id)
        .map(({ id, type, sentence }) => ({ id, type, sentence }));
    let lines = linesOf(lineEvents);
    // Every other line hidden from this viewer (points switched off): the comment still stands.
    if (!lines.length && commentEvent && others.length) lines = linesOf([commentEvent]);
    if (!lines.length) continue;
    groups.push({
      anchor: first.id,
      actorId: first.actorId,
      createdAt: first.createdAt,
      source: first.source,
      lines,
      comment: commentEvent
        ? { id: commentEvent.id, text: String(commentEvent.new ?? ''), edited: false, removedBy: null, ...fates.get(commentEvent.id) }
        : null,
    });
  }
  return groups;
}
