import { dueInstant } from '../tasks/due';
import { apiFieldTransaction } from './custom-fields';
import type { Task, Tracker } from '../tasks/task';
import type { User } from '../users/user';
import { policyValue, taskPolicy } from './policy';
import type { ApiEvent } from './repository';

/** Phabricator's wire shapes for Trellis's objects. */

export const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** Phabricator's account roles, as far as Trellis has them. */
export function userRoles(u: User, forWhoami = false): string[] {
  const roles: string[] = [];
  if (u.disabledAt) roles.push('disabled');
  if (u.role === 'admin') roles.push('admin');
  // Trellis does not verify addresses; an account with one counts as verified, as accounts are made by administrators.
  if (u.email) roles.push('verified');
  else if (forWhoami) roles.push('unverified');
  roles.push('approved');
  if (!u.disabledAt) roles.push('activated');
  return roles;
}

export function userResult(u: User) {
  return {
    id: u.id,
    type: 'USER',
    phid: u.phid,
    fields: {
      username: u.username,
      realName: u.realname,
      roles: userRoles(u),
      dateCreated: epoch(u.createdAt),
      dateModified: epoch(u.updatedAt),
      policy: { view: 'public', edit: 'no-one' },
    },
    attachments: {},
  };
}

export function taskFields(t: Task, tracker: Tracker, phidOf: (userId: number | null) => string | null) {
  return {
    name: t.title,
    description: { raw: t.description },
    authorPHID: phidOf(t.authorId),
    ownerPHID: phidOf(t.ownerId),
    status: { value: t.status, name: tracker.statusName(t.status), color: null },
    priority: { value: t.priority, name: tracker.priorityName(t.priority), color: tracker.priorityColor(t.priority) },
    // As Phabricator: null while points are switched off, whatever is stored.
    points: tracker.points.enabled ? t.points : null,
    subtype: 'default',
    closerPHID: phidOf(t.closerId),
    dateClosed: t.closedAt ? epoch(t.closedAt) : null,
    spacePHID: null,
    dateCreated: epoch(t.createdAt),
    dateModified: epoch(t.updatedAt),
    policy: taskPolicy(t.view),
    // When the due date begins in the install's time zone, and the date as it was given.
    due: t.due ? epoch(dueInstant(t.due, tracker.timeZone)!) : null,
    dueDate: t.due,
  };
}

type Fields = Record<string, unknown>;

/** What became of revised comments, by comment event id: how many edits and removals, the last one's time. */
export type CommentRevisions = Map<number, { revisions: number; lastAt: Date; removed: boolean }>;

/**
 * A comment is its event in Trellis, not an object of its own; its PHID is the
 * event's with Phabricator's comment type, so it is stable and never repeats.
 */
export const commentPhid = (eventPhid: string) => eventPhid.replace(/^PHID-XACT-/, 'PHID-XCMT-');

/**
 * An event as transaction.search shows it: Phabricator's type names and
 * {old, new} shapes; kinds it has no name for get type null and no fields.
 */
export function transactionResult(
  e: ApiEvent,
  task: Task,
  tracker: Tracker,
  phidOf: (userId: number | null) => string | null,
  revised: CommentRevisions = new Map(),
) {
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
  let type: string | null = e.type;
  let fields: Fields = {};
  switch (e.type) {
    case 'create':
    case 'comment':
      break;
    case 'title':
      // A task has no title before it is created; Phabricator says null.
      fields = { old: e.old === '' ? null : e.old, new: e.new };
      break;
    case 'description':
    case 'status':
    case 'due':
      fields = { old: e.old, new: e.new };
      break;
    case 'priority': {
      const side = (v: unknown) => (v === null || v === undefined ? { value: null, name: null } : { value: Number(v), name: tracker.priorityName(Number(v)) });
      fields = { old: side(e.old), new: side(e.new) };
      break;
    }
    case 'owner':
      fields = { old: phidOf(e.old as number | null), new: phidOf(e.new as number | null) };
      break;
    case 'subscribers': {
      const before = new Set(ids(e.old));
      const after = new Set(ids(e.new));
      const operations = [
        ...[...after].filter((id) => !before.has(id)).map((id) => ({ operation: 'add', phid: phidOf(id) })),
        ...[...before].filter((id) => !after.has(id)).map((id) => ({ operation: 'remove', phid: phidOf(id) })),
      ];
      fields = { operations };
      break;
    }
    case 'points':
      // Switched off, points are hidden as Phabricator hides them: a kind with no name and no values.
      if (tracker.points.enabled) fields = { old: e.old, new: e.new };
      else type = null;
      break;
    case 'view':
      type = 'core:view-policy';
      fields = { old: e.old === null ? null : policyValue(String(e.old)), new: policyValue(String(e.new)) };
      break;
    case 'custom':
      type = 'core:customfield';
      fields = apiFieldTransaction(tracker, e, phidOf);
      break;
    default:
      type = null;
  }
  const at = epoch(e.createdAt);
  // As Phabricator: the comment as it now reads, its version counting every edit, and an empty text once removed.
  const fate = revised.get(e.id);
  const comments =
    e.type === 'comment'
      ? [
          {
            id: e.id,
            phid: commentPhid(e.phid),
            version: 1 + (fate?.revisions ?? 0),
            authorPHID: phidOf(e.actorId),
            dateCreated: at,
            dateModified: fate ? epoch(fate.lastAt) : at,
            removed: fate?.removed ?? false,
            content: { raw: String(e.new ?? '') },
          },
        ]
      : [];
  return {
    id: e.id,
    phid: e.phid,
    type,
    authorPHID: phidOf(e.actorId),
    objectPHID: task.phid,
    dateCreated: at,
    dateModified: at,
    // Phabricator's group IDs are 32 characters; a UUID without its dashes is one.
    groupID: e.groupId.replace(/-/g, ''),
    comments,
    fields,
  };
}
