import { column } from './column';
import { comment } from './comment';
import { commentEdit, commentRemove } from './comment-revision';
import { create } from './create';
import { custom } from './custom';
import { description } from './description';
import { due } from './due';
import { mentioned } from './mentioned';
import { mergedFrom } from './merged-from';
import { mergedInto } from './merged-into';
import { owner } from './owner';
import { points } from './points';
import { priority } from './priority';
import { projects } from './projects';
import { parents, subtasks } from './relations';
import { say, type Sentence } from './sentence';
import { status } from './status';
import { subscribers } from './subscribers';
import { subtaskStatus } from './subtask-status';
import { title } from './title';
import type { Tracker } from '../task';
import type { DescribeContext, EventType, StoredEvent } from './types';
import { view } from './view';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEventType = EventType<any>;

/** Every event type Trellis knows. A stored type missing here still renders (as "edited"). */
const EVENT_TYPES: readonly AnyEventType[] = [
  create, title, description, status, priority, points, owner, view, subscribers, comment, mentioned, projects, column,
  parents, subtasks, mergedInto, mergedFrom, subtaskStatus, commentEdit, commentRemove, due, custom,
];

const BY_TYPE = new Map<string, AnyEventType>(EVENT_TYPES.map((t) => [t.type, t]));

export function eventType(type: string): AnyEventType | undefined {
  return BY_TYPE.get(type);
}

/** The strength of an unknown type sits with "others". */
export function strengthOf(type: string): number {
  return BY_TYPE.get(type)?.strength ?? 100;
}

/** The action word of a mail subject for this event: "Closed", "Raised Priority"; "Updated" for kinds that name none. */
export function actionOf(e: StoredEvent, tracker: Tracker): string {
  return BY_TYPE.get(e.type)?.action?.(e, tracker) ?? 'Updated';
}

export function describeEvent(e: StoredEvent, ctx: DescribeContext): Sentence | null {
  const t = BY_TYPE.get(e.type);
  return t ? t.describe(e, ctx) : say`${ctx.actor} edited this task.`;
}
