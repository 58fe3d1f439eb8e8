import type { ProjectLookup } from '../../projects/lookup';
import type { Knex } from 'knex';
import type { Markup } from '../../markup/render';
import type { Actor, Capability } from '../../users/roles';
import type { User } from '../../users/user';
import type { TaskState, Tracker } from '../task';
import type { ProjectRef, Sentence, TaskRef, UserRef } from './sentence';

/** What parsing a change may look up, always inside the editor's transaction. */
export interface ParseContext {
  tracker: Tracker;
  findUserByName(username: string): Promise<User | null>;
  findUserById(id: number): Promise<User | null>;
  /** Projects and board columns, for tags and card moves. */
  projects: ProjectLookup;
  /** Many people at once, by lowercased username and by id: one query each, however long the list. */
  findUsers(usernames: string[], ids: number[]): Promise<{ byName: Map<string, User>; byId: Map<number, User> }>;
  /** Which of these tasks exist and may be seen by the actor. */
  visibleTaskIds(ids: number[]): Promise<Set<number>>;
  /** A comment of the task edited, by its event id: what an edit or removal of it starts from. */
  findComment(eventId: number): Promise<{ id: number; authorId: number; text: string; removed: boolean } | null>;
}

/** A stored event as the renderers see it. */
export interface StoredEvent {
  id: number;
  taskId: number;
  groupId: string;
  actorId: number;
  type: string;
  old: unknown;
  new: unknown;
  source: string;
  createdAt: Date;
  /** A comment's markup; Markdown unless imported. */
  markup?: Markup;
}

export interface DescribeContext {
  tracker: Tracker;
  actor: UserRef;
  user(id: number | null): UserRef;
  /** A task the viewer may see, or undefined: lines about other tasks hide when it is undefined. */
  task(id: number): TaskRef | undefined;
  /** Projects and board columns the sentences name; without them a tag reads as "a project". */
  project?(id: number): ProjectRef | undefined;
  column?(id: number): string | undefined;
}

/**
 * What a change that reaches other tasks (a subtask, a merge) may look at and do,
 * inside the editor's transaction.
 */
export interface RelatedContext {
  trx: Knex.Transaction;
  tracker: Tracker;
  actor: Actor;
  /** The task edited; null while it is being created. */
  taskId: number | null;
  authorId: number;
  before: TaskState;
  after: TaskState;
  /** Edits another task in this transaction on behalf of this edit; that edit makes no related changes of its own. */
  editOther(taskId: number, changes: Change[]): Promise<void>;
}

/** What a check may adjust: the value itself (what the actor may not see is kept), and changes it implies. */
export interface CheckResult<T> {
  value?: T;
  implied?: Change[];
}

/** Thrown by parse/validate: a message shown beside the named form field. */
export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 422,
  ) {
    super(message);
  }
}

/**
 * One kind of change to a task. The registry lists them; the editor, the
 * timeline and (later) mail and the API all work through these functions.
 */
export interface EventType<T> {
  /** Stored in task_events.type: never rename. */
  readonly type: string;
  /** Orders lines within a group: title > status > owner > priority > others > subscribers > comment. */
  readonly strength: number;
  /** The form field its problems belong to. */
  readonly field: string;
  /** Written by the editor itself (creation, back-links); never accepted as a requested change. */
  readonly internal?: boolean;
  /** Turns raw input into a typed value; may look at the current value (subscriber edits are relative). */
  parse(raw: unknown, ctx: ParseContext, current: T): Promise<T> | T;
  /** The current value on a task; undefined for types that change no field (comments). */
  current(state: TaskState): T;
  apply(state: TaskState, value: T): TaskState;
  /** The capability the actor needs for this change; null when seeing the task is enough. */
  capability(actor: Actor, from: T, to: T): Capability | null;
  /** The sentence a refused change gets, when "change the <field>" does not read well. */
  readonly refusal?: string;
  /** Whether the change has no effect; a change with no effect is dropped, not stored. */
  isNoop(from: T, to: T): boolean;
  /** The events one change is stored as, when it is more than one (each custom field its own); one event of the two values otherwise. */
  split?(from: T, to: T): { old: unknown; new: unknown }[];
  /** Users whose names the sentence needs, so a timeline loads them in one query. */
  userIds(e: StoredEvent): number[];
  /** Other tasks the sentence names, loaded with the page's other references. */
  taskIds?(e: StoredEvent): number[];
  /** Projects and columns the sentence names. */
  projectIds?(e: StoredEvent): number[];
  columnIds?(e: StoredEvent): number[];
  /** Hidden lines stay stored but are not shown (for example defaults set on creation). */
  hiddenOnCreate(e: StoredEvent): boolean;
  /** The event as shown beside the rest of its group, without what another change of the group implies; null when nothing is left. */
  beside?(e: StoredEvent, group: StoredEvent[]): StoredEvent | null;
  /** The action word of a mail subject when this is the strongest event of what it reports: "Closed", "Claimed". */
  action?(e: StoredEvent, tracker: Tracker): string;
  /** The line, or null when this viewer may not see what it is about. */
  describe(e: StoredEvent, ctx: DescribeContext): Sentence | null;
  /** Edits of this type are serialised with each other (they link tasks), before any task is locked. */
  readonly locksGraph?: boolean;
  /** Checks against other tasks, after the actor's capabilities: they exist, may be seen, are open. */
  check?(c: RelatedContext, from: T, to: T): Promise<CheckResult<T> | void>;
  /** Writes what the change means for other tasks, after this task's row and events. */
  afterWrite?(c: RelatedContext & { taskId: number }, from: T, to: T): Promise<void>;
}

/** A requested change, as forms and scripts express it. */
export interface Change {
  type: string;
  value: unknown;
}
