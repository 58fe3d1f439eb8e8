import crypto from 'node:crypto';
import type { ViewPolicy } from '../tracker-config';
import { MAX_TEXT_LENGTH } from '../tasks/events/description';
import { importedPoints } from '../tasks/points';
import { MAX_TITLE_LENGTH } from '../tasks/task';
import type { Markup } from '../markup/render';
import { referencesIn } from '../markup/render';
import { SkipTask, type ImportTask, type KnownUser, type MappingContext } from './import-task';
import type { ImportReport } from './report';
import type { PhabTask, PhabTransaction } from './shapes';

const TASK_PHID = /^PHID-TASK-[a-z2-7]{20}$/;
const XACT_PHID = /^PHID-XACT-TASK-[a-z2-7]{15}$/;
const STATUS_KEY = /^[a-z0-9]{1,64}$/;

const date = (epoch: unknown): Date | null => (typeof epoch === 'number' && Number.isFinite(epoch) ? new Date(epoch * 1000) : null);

/** Phabricator's group IDs are 32 hex-like characters; a UUID is 32 hex digits. Others get a group of their own. */
function groupUuid(groupId: unknown): string {
  const hex = typeof groupId === 'string' ? groupId.replace(/-/g, '').toLowerCase() : '';
  if (/^[0-9a-f]{32}$/.test(hex)) return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return crypto.randomUUID();
}

/**
 * Phabricator's view policies as Trellis's three levels. Anything narrower
 * than All Users (administrators, no one, a project, a custom policy) becomes
 * Maintainers, the strictest level, so nothing becomes more visible than it was.
 */
export function mapView(policy: unknown, report: ImportReport, what: string): ViewPolicy {
  if (policy === 'public') return 'public';
  if (policy === 'users' || policy === undefined || policy === null) return 'users';
  if (policy !== 'maintainers') report.skip(`view policy "${String(policy).slice(0, 40)}" has no Trellis level: mapped to Maintainers`, what);
  return 'maintainers';
}

function checkText(text: unknown, limit: number, what: string): string {
  if (text === null || text === undefined) return '';
  if (typeof text !== 'string') throw new SkipTask(`${what} is not text`);
  if (text.length > limit) throw new SkipTask(`${what} is longer than Trellis's limit of ${limit} characters`);
  return text.replace(/\r\n?/g, '\n').replaceAll('\u0000', '\uFFFD');
}

function person(ctx: MappingContext, phid: unknown): KnownUser | null {
  return typeof phid === 'string' ? (ctx.users.get(phid) ?? null) : null;
}

function priorityValue(v: unknown): number | null {
  const value = typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : v;
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/** The T-numbers a text refers to, read with the renderer's own rules. */
function mentionedTaskIds(text: string, markup: Markup): number[] {
  return [...referencesIn(text, markup).taskIds];
}

/**
 * Text as stored here: with --offset every task moved, so the references the
 * parser finds are renumbered to keep pointing at the same tasks (the back-links
 * are computed from the source's numbers).
 */
function storedText(text: string, ctx: MappingContext): string {
  if (!ctx.offset || !text) return text;
  const ids = new Set(mentionedTaskIds(text, ctx.markup));
  if (!ids.size) return text;
  return text.replace(/(?<![A-Za-z0-9_])T([1-9][0-9]*)(?![0-9])/g, (ref, digits: string) =>
    ids.has(Number(digits)) ? `T${Number(digits) + ctx.offset}` : ref,
  );
}

/**
 * One task of the source and its transactions, oldest first, as the rows to
 * write here. Pure: the writer does the writing. Throws SkipTask for a task
 * that can not be imported whole.
 */
export function mapTask(t: PhabTask, xacts: PhabTransaction[], ctx: MappingContext): ImportTask {
  const { report, tracker } = ctx;
  if (!Number.isInteger(t.id) || t.id <= 0) throw new SkipTask(`task id ${String(t.id)} is not a positive number`);
  const label = `T${t.id}`;
  const f = t.fields ?? ({} as PhabTask['fields']);
  const title = checkText(f.name, MAX_TITLE_LENGTH, 'the title');
  if (!title.trim()) throw new SkipTask('the task has no title');
  const description = checkText(f.description?.raw, MAX_TEXT_LENGTH, 'the description');
  const status = String(f.status?.value ?? '');
  if (!STATUS_KEY.test(status)) throw new SkipTask(`status "${status.slice(0, 40)}" is not a status key Trellis can store`);
  if (!tracker.status(status)) report.note(`status "${status}" (${f.status?.name ?? status})`);
  const priority = priorityValue(f.priority);
  if (priority === null) throw new SkipTask('the priority is not a number');
  if (!tracker.priority(priority)) report.note(`priority ${priority} (${f.priority?.name ?? priority})`);
  const createdAt = date(f.dateCreated);
  const updatedAt = date(f.dateModified) ?? createdAt;
  if (!createdAt || !updatedAt) throw new SkipTask('the task has no creation date');

  let author = person(ctx, f.authorPHID);
  if (!author) {
    report.skip('author not among the users (deleted?): attributed to the unknown-user account', label);
    author = ctx.unknownUser;
  }
  const owner = person(ctx, f.ownerPHID);
  if (f.ownerPHID && !owner) report.skip('owner not among the users: left unassigned', label);
  const closedAt = date(f.dateClosed);
  let closerId: number | null = null;
  if (closedAt) closerId = person(ctx, f.closerPHID)?.id ?? ctx.unknownUser.id;

  const unknownSubscribers = (t.attachments?.subscribers?.subscriberPHIDs ?? []).filter((p) => !ctx.users.has(p));
  // Projects and other non-people subscribe in Phabricator; only people do here.
  if (unknownSubscribers.length) report.skip('subscriber that is not a user here (a project, or a deleted account)', label);
  const subscriberIds = [...new Set((t.attachments?.subscribers?.subscriberPHIDs ?? []).flatMap((p) => ctx.users.get(p)?.id ?? []))].sort((a, b) => a - b);
  const projectIds = [...new Set((t.attachments?.projects?.projectPHIDs ?? []).flatMap((p) => ctx.projects.get(p) ?? []))];

  let points = importedPoints(f.points);
  if (points === undefined) {
    report.skip('points value that is not a number from 0 to 1000000: left empty', label);
    points = null;
  }

  const task: ImportTask = {
    id: t.id + ctx.offset,
    sourcePhid: t.phid,
    phid: TASK_PHID.test(t.phid) ? t.phid : null,
    title,
    description: storedText(description, ctx),
    status,
    priority,
    ownerId: owner?.id ?? null,
    ownerOrdering: owner?.username.toLowerCase() ?? '',
    authorId: author.id,
    view: mapView(f.policy?.view, report, label),
    createdAt,
    updatedAt,
    closedAt,
    closerId,
    points,
    subscriberIds,
    projectIds,
    events: [],
    links: [],
    markup: ctx.markup,
    modified: Number(f.dateModified) || 0,
  };
  for (const id of mentionedTaskIds(description, ctx.markup)) task.links.push({ kind: 'mention', dstKey: `T${id + ctx.offset}`, actorId: author.id, at: createdAt });
  mapTransactions(task, xacts, ctx, label);
  return task;
}

function mapTransactions(task: ImportTask, xacts: PhabTransaction[], ctx: MappingContext, label: string): void {
  const { report, tracker } = ctx;
  let subscribers: number[] = [];
  const userOf = (phid: unknown): number | null | undefined => (phid === null || phid === undefined ? null : person(ctx, phid)?.id);
  for (const x of xacts) {
    const actor = person(ctx, x.authorPHID);
    const at = date(x.dateCreated);
    if (!actor || !at) {
      report.skip(actor ? 'transaction without a date' : 'transaction by a user not among the users', `${label} ${x.phid}`);
      continue;
    }
    const fields = (x.fields ?? {}) as Record<string, unknown>;
    const base = { phid: typeof x.phid === 'string' && XACT_PHID.test(x.phid) ? x.phid : null, actorId: actor.id, at, groupId: groupUuid(x.groupID), markup: 'markdown' as Markup };
    const push = (type: string, old: unknown, value: unknown, markup: Markup = 'markdown') => {
      task.events.push({ ...base, type, old, new: value, markup });
      report.count(`events: ${type}`);
    };
    switch (x.type) {
      case 'create':
        push('create', null, true);
        break;
      case 'title':
        push('title', checkText(fields.old, MAX_TITLE_LENGTH, 'an old title'), checkText(fields.new, MAX_TITLE_LENGTH, 'a title'));
        break;
      case 'description': {
        const text = checkText(fields.new, MAX_TEXT_LENGTH, 'a description');
        push('description', storedText(checkText(fields.old, MAX_TEXT_LENGTH, 'an old description'), ctx), storedText(text, ctx), ctx.markup);
        break;
      }
      case 'status': {
        const [old, next] = [fields.old, fields.new].map((v) => (typeof v === 'string' && STATUS_KEY.test(v) ? v : null));
        if (!next) {
          report.skip('status transaction with a value Trellis can not store', `${label} ${x.phid}`);
          break;
        }
        push('status', old ?? tracker.defaultStatus, next);
        break;
      }
      case 'priority': {
        const next = priorityValue(fields.new);
        if (next === null) {
          report.skip('priority transaction without a number', `${label} ${x.phid}`);
          break;
        }
        push('priority', priorityValue(fields.old) ?? tracker.defaultPriority, next);
        break;
      }
      case 'points': {
        const [old, next] = [importedPoints(fields.old), importedPoints(fields.new)];
        if (old === undefined || next === undefined) {
          report.skip('points transaction with a value that is not a number from 0 to 1000000', `${label} ${x.phid}`);
          break;
        }
        push('points', old, next);
        break;
      }
      case 'owner': {
        const [old, next] = [userOf(fields.old), userOf(fields.new)];
        if (old === undefined || next === undefined) {
          report.skip('owner transaction naming a user not among the users', `${label} ${x.phid}`);
          break;
        }
        push('owner', old, next);
        break;
      }
      case 'subscribers': {
        const ops = Array.isArray(fields.operations) ? (fields.operations as { operation?: string; phid?: string }[]) : [];
        const next = new Set(subscribers);
        for (const op of ops) {
          const id = userOf(op.phid);
          if (typeof id !== 'number') continue;
          if (op.operation === 'add') next.add(id);
          else if (op.operation === 'remove') next.delete(id);
        }
        const sorted = [...next].sort((a, b) => a - b);
        if (sorted.join() === subscribers.join()) break;
        push('subscribers', subscribers, sorted);
        subscribers = sorted;
        break;
      }
      case 'core:view-policy':
        push('view', mapView(fields.old, report, label), mapView(fields.new, report, label));
        break;
      case 'comment': {
        const comment = x.comments?.[0];
        if (!comment || comment.removed) {
          report.skip('removed comment', `${label} ${x.phid}`);
          break;
        }
        const text = checkText(comment.content?.raw, MAX_TEXT_LENGTH, 'a comment');
        if (!text.trim()) break;
        push('comment', null, storedText(text, ctx), ctx.markup);
        for (const id of mentionedTaskIds(text, ctx.markup)) task.links.push({ kind: 'mention', dstKey: `T${id + ctx.offset}`, actorId: actor.id, at });
        break;
      }
      case 'mergedinto':
        if (typeof fields.new === 'string') task.links.push({ kind: 'merged-into', dstKey: fields.new, actorId: actor.id, at });
        report.count('transactions kept as links: mergedinto');
        break;
      case 'projects':
        report.count('transactions kept as tags: projects');
        break;
      case 'mergedfrom':
      case 'dependedOnBy':
        report.count(`transactions kept as links from the other task: ${x.type}`);
        break;
      case 'dependsOn':
        for (const op of Array.isArray(fields.operations) ? (fields.operations as { operation?: string; phid?: string }[]) : []) {
          if (op.operation === 'add' && typeof op.phid === 'string') task.links.push({ kind: 'subtask', dstKey: op.phid, actorId: actor.id, at });
        }
        report.count('transactions kept as links: dependsOn');
        break;
      case 'core:columns':
        // The card's column comes from the last of these (boards.ts), not a line of the history.
        report.count('transactions kept as card placements: core:columns');
        break;
      default:
        report.skip(`transaction type "${String(x.type ?? 'null').slice(0, 40)}" has no Trellis meaning`, label);
    }
  }
  report.count('transactions read', xacts.length);
}
