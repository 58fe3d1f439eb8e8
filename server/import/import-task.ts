import type { Markup } from '../markup/render';
import type { Task, Tracker } from '../tasks/task';
import type { ImportReport } from './report';

/**
 * What the mapping of a Phabricator task produces and the writer stores: the task
 * with its events and links, and the people and projects the mapping reads from.
 */

/** A person of the source as known here. */
export interface KnownUser {
  id: number;
  username: string;
}

export interface MappingContext {
  tracker: Tracker;
  report: ImportReport;
  /** Source user PHID -> account here. */
  users: Map<string, KnownUser>;
  /** Source project PHID -> project id here. */
  projects: Map<string, number>;
  /** The account that stands for people the source no longer lists (deleted accounts). */
  unknownUser: KnownUser;
  markup: Markup;
  /** Added to every source task number: 0 keeps T-numbers. */
  offset: number;
}

export interface ImportEvent {
  phid: string | null;
  type: string;
  old: unknown;
  new: unknown;
  actorId: number;
  at: Date;
  groupId: string;
  markup: Markup;
}

export type LinkKind = 'mention' | 'merged-into' | 'subtask';

/** A link to another task: its source PHID, or "T<n>" (a number here) for a mention. */
export interface ImportLink {
  kind: LinkKind;
  dstKey: string;
  actorId: number;
  at: Date;
}

/** A task as the writer stores it: the task's own fields, and what comes with it. */
export interface ImportTask
  extends Pick<Task, 'id' | 'title' | 'description' | 'status' | 'priority' | 'ownerId' | 'authorId' | 'view' | 'createdAt' | 'updatedAt' | 'closedAt' | 'closerId' | 'markup' | 'points'> {
  sourcePhid: string;
  /** The source PHID when it has Trellis's form, so links by PHID keep working; else one is made here. */
  phid: string | null;
  ownerOrdering: string;
  subscriberIds: number[];
  projectIds: number[];
  events: ImportEvent[];
  links: ImportLink[];
  modified: number;
}

/** A task the importer will not write, and why; it is reported and the run goes on. */
export class SkipTask extends Error {}
