import type { FieldDef } from '../fields/config';
import type { PriorityConfig, StatusConfig, TrackerConfig, ViewPolicy } from '../tracker-config';
import { parseRowId } from '../db/ids';
import type { Markup } from '../markup/render';
import type { PointsConfig } from './points';
import type { WorkflowConfig } from './workflow';

export interface Task {
  id: number;
  /** PHID-TASK-…, how the Conduit API names tasks. */
  phid: string;
  title: string;
  description: string;
  status: string;
  priority: number;
  ownerId: number | null;
  authorId: number;
  view: ViewPolicy;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closerId: number | null;
  /** Null for none; kept while points are switched off. */
  points: number | null;
  /** The description's markup: Markdown, or Remarkup when imported from Phabricator. */
  markup: Markup;
  /** The due date as given: "2026-12-11", or "2026-12-11T09:30" with a time; days are the install's. */
  due: string | null;
}

/** The part of a task that events change; the editor works on this. */
export interface TaskState {
  title: string;
  description: string;
  status: string;
  priority: number;
  ownerId: number | null;
  view: ViewPolicy;
  points: number | null;
  subscriberIds: number[];
  /** Project tags, by id. */
  projectIds: number[];
  /** Where its cards are: board (project) id to column id. */
  columns: Record<string, number>;
  /** Parent tasks and subtasks, as ids: the task graph's edges at this task. */
  parentIds: number[];
  subtaskIds: number[];
  due: string | null;
  /** Custom field values by key, in their stored form; fields no longer configured included. */
  custom: Record<string, unknown>;
}

export const VIEW_NAMES: Record<ViewPolicy, string> = {
  public: 'Public',
  users: 'All Users',
  maintainers: 'Maintainers',
};

export const MAX_TITLE_LENGTH = 255;

/** A task's number as it appears in URLs ("123" of /T123). */
export const parseTaskId = parseRowId;

/** Statuses and priorities of this install, with the lookups everyone needs. */
export class Tracker {
  private readonly statusByKey: Map<string, StatusConfig>;
  private readonly priorityByValue: Map<number, PriorityConfig>;
  private readonly priorityByKeyword: Map<string, PriorityConfig>;

  /** `timeZone`: the install's, in which due dates are days. */
  constructor(
    readonly config: TrackerConfig,
    readonly timeZone = 'UTC',
  ) {
    this.statusByKey = new Map(config.statuses.map((s) => [s.key, s]));
    this.priorityByValue = new Map(config.priorities.map((p) => [p.value, p]));
    this.priorityByKeyword = new Map(config.priorities.flatMap((p) => [p.keyword, ...(p.aliases ?? [])].map((k) => [k, p] as const)));
  }

  get statuses(): StatusConfig[] {
    return this.config.statuses;
  }

  get priorities(): PriorityConfig[] {
    return this.config.priorities;
  }

  /** Statuses a person may pick; reserved ones (duplicate) are reached by other means. */
  get pickableStatuses(): StatusConfig[] {
    return this.config.statuses.filter((s) => !s.reserved);
  }

  /** The status merging closes a duplicate with: the first closed, reserved one; null when the install has none. */
  get duplicateStatus(): string | null {
    return this.config.statuses.find((s) => s.closed && s.reserved)?.key ?? null;
  }

  get openStatusKeys(): string[] {
    return this.config.statuses.filter((s) => !s.closed).map((s) => s.key);
  }

  status(key: string): StatusConfig | undefined {
    return this.statusByKey.get(key);
  }

  isClosed(key: string): boolean {
    return this.statusByKey.get(key)?.closed ?? false;
  }

  statusName(key: string): string {
    return this.statusByKey.get(key)?.name ?? key;
  }

  /** A task's state as headers and links show it: "Open, Normal", or "Closed, Resolved". */
  stateText(task: Pick<Task, 'status' | 'priority'>): string {
    const s = this.statusByKey.get(task.status);
    if (s?.closed) return `Closed, ${s.name}`;
    return `${this.statusName(task.status)}, ${this.priorityName(task.priority)}`;
  }

  priority(value: number): PriorityConfig | undefined {
    return this.priorityByValue.get(value);
  }

  /** By its keyword or one of its aliases. */
  priorityByKey(keyword: string): PriorityConfig | undefined {
    return this.priorityByKeyword.get(keyword);
  }

  /** An unknown stored value renders as its number, so nothing breaks when config changes. */
  priorityName(value: number): string {
    return this.priorityByValue.get(value)?.name ?? String(value);
  }

  priorityColor(value: number): string {
    return this.priorityByValue.get(value)?.color ?? 'black';
  }

  priorityKeyword(value: number): string {
    return this.priorityByValue.get(value)?.keyword ?? String(value);
  }

  get defaultPriority(): number {
    return this.config.defaultPriority;
  }

  get defaultStatus(): string {
    return this.config.defaultStatus;
  }

  get defaultView(): ViewPolicy {
    return this.config.defaultView;
  }

  get workflow(): WorkflowConfig {
    return this.config.workflow;
  }

  get points(): PointsConfig {
    return this.config.points;
  }

  /** Custom fields in use; stored values of others are history. */
  get fields(): FieldDef[] {
    return this.config.fields;
  }

  field(key: string): FieldDef | undefined {
    return this.config.fields.find((f) => f.key === key);
  }

  /** The state a task is created from: every event on create is a change from this. */
  blankState(): TaskState {
    return {
      title: '',
      description: '',
      status: this.defaultStatus,
      priority: this.defaultPriority,
      ownerId: null,
      view: this.defaultView,
      points: null,
      subscriberIds: [],
      projectIds: [],
      columns: {},
      parentIds: [],
      subtaskIds: [],
      due: null,
      custom: {},
    };
  }
}
