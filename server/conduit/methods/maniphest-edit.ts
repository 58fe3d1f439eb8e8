import { z } from 'zod';
import { NotFoundError } from '../../errors';
import { applyEdit, type EditResult } from '../../tasks/editor';
import type { Change } from '../../tasks/events/types';
import { visibleTaskIds } from '../../tasks/read';
import { findUsersByPhids } from '../../users/repository';
import { callError, coreError } from '../errors';
import { resolveTaskIdentifier } from '../identifiers';
import { defineMethod, type ConduitContext } from '../method';
import type { Tracker } from '../../tasks/task';
import { fieldTransaction, isFieldTransaction } from '../custom-fields';
import { findTaskIdsByPhids } from '../repository';
import { MAX_LIST_ITEMS } from '../../limits';
import { TOO_MANY_ITEMS } from '../params';
import { MAINTAINERS_POLICY, viewOfPolicy } from '../policy';
import type { ColumnMove } from '../../tasks/events/column';
import type { Actor } from '../../users/roles';

const Params = z
  .object({
    objectIdentifier: z.union([z.string(), z.number(), z.null()], { error: 'must be a task PHID, a monogram such as "T123" or an ID.' }).optional(),
    // Checked item by item below, with Phabricator's sentences.
    transactions: z.unknown().optional(),
  })
  .strict();

const EDIT_TYPES = [
  'title',
  'description',
  'status',
  'priority',
  'owner',
  'points',
  'comment',
  'subscribers.add',
  'subscribers.remove',
  'subscribers.set',
  'view',
  'projects.add',
  'projects.remove',
  'projects.set',
  'column',
  'parents.add',
  'parents.remove',
  'parents.set',
  'subtasks.add',
  'subtasks.remove',
  'subtasks.set',
  'mergedinto',
  'due',
] as const;
/** Phabricator's own types, and custom.<key> for each configured field. */
export type EditType = (typeof EDIT_TYPES)[number] | `custom.${string}`;

export interface RawTransaction {
  key: string;
  type: EditType;
  value: unknown;
}

/** The types this install takes: as in Phabricator, "points" is no type at all while points are switched off. */
function editTypes(tracker: Tracker): readonly EditType[] {
  return tracker.points.enabled ? EDIT_TYPES : EDIT_TYPES.filter((t) => t !== 'points');
}

/** The list of {type, value} items, as Phabricator checks it: a list (or a map, as PHP reads one) of dictionaries. */
function rawTransactions(input: unknown, types: readonly string[], tracker: Tracker): RawTransaction[] {
  if (input === null || typeof input !== 'object') throw callError('Parameter "transactions" is not a list of transactions.');
  const entries = Array.isArray(input) ? input.map((x, i) => [String(i), x] as const) : Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_LIST_ITEMS) throw callError(`Parameter "transactions" ${TOO_MANY_ITEMS}`);
  const items: RawTransaction[] = [];
  for (const [key, x] of entries) {
    const base = `Parameter "transactions" must contain a list of transaction descriptions, but item with key "${key}"`;
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw callError(`${base} is not a dictionary.`);
    const item = x as Record<string, unknown>;
    if (!('type' in item)) throw callError(`${base} is missing a "type" field. Each transaction must have a type field.`);
    if (!('value' in item)) throw callError(`${base} is missing a "value" field. Each transaction must have a value field.`);
    if (typeof item.type !== 'string' || !((types as readonly string[]).includes(item.type) || isFieldTransaction(tracker, item.type))) {
      const valid = [...types, ...tracker.fields.filter((f) => f.edit).map((f) => `custom.${f.key}`)];
      throw callError(`Transaction with key "${key}" has invalid type "${String(item.type)}". This type is not recognized. Valid types are: ${valid.join(', ')}.`);
    }
    items.push({ key, type: item.type as EditType, value: item.value });
  }
  return items;
}

const isPhid = (v: string) => v.startsWith('PHID-');

/** People named by PHID become user ids; usernames go to the editor, which words its own refusals. */
async function people(db: import('knex').Knex, values: unknown[], key: string): Promise<(number | string)[]> {
  const phids = values.filter((v): v is string => typeof v === 'string' && isPhid(v));
  const found = new Map((await findUsersByPhids(db, phids)).map((u) => [u.phid, u.id]));
  return values.map((v) => {
    if (typeof v !== 'string' || v.trim() === '') throw callError(`Transaction with key "${key}" must name people by user PHID or username.`);
    if (!isPhid(v)) return v;
    const id = found.get(v);
    if (id === undefined) throw coreError(`User "${v}" is not a valid user.`);
    return id;
  });
}

/**
 * Phabricator's "column" value: one column PHID, a list of them, or moves with the card to go
 * before or after. The API asks no question: a move past a column's card limit is made, unless the
 * limit is strict.
 */
async function columnMoves(db: import('knex').Knex, value: unknown, wrong: () => Error): Promise<ColumnMove[]> {
  const items = Array.isArray(value) ? value : [value];
  if (!items.length) throw wrong();
  const taskPhids = items.flatMap((i) => (i && typeof i === 'object' ? [(i as Record<string, unknown>).beforePHID, (i as Record<string, unknown>).afterPHID] : [])).filter((v): v is string => typeof v === 'string');
  const ids = await findTaskIdsByPhids(db, taskPhids);
  return items.map((item) => {
    if (typeof item === 'string' && item.trim()) return { column: item.trim(), overLimit: true };
    if (!item || typeof item !== 'object' || typeof (item as Record<string, unknown>).columnPHID !== 'string') throw wrong();
    const i = item as Record<string, unknown>;
    const neighbour = (v: unknown) => (typeof v === 'string' ? ids.get(v) : undefined);
    return { column: i.columnPHID, before: neighbour(i.beforePHID), after: neighbour(i.afterPHID), overLimit: true };
  });
}


/**
 * Tasks named by PHID become ids, when the caller may see them; a hidden task's PHID gets the
 * sentence of one that does not exist. Ids and monograms go to the editor, which words its own.
 */
async function tasks(db: import('knex').Knex, viewer: Actor, values: unknown[], key: string): Promise<(number | string)[]> {
  const phids = values.filter((v): v is string => typeof v === 'string' && isPhid(v));
  const byPhid = await findTaskIdsByPhids(db, phids);
  const seen = await visibleTaskIds(db, viewer, byPhid.values());
  return values.map((v) => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string' || v.trim() === '') throw callError(`Transaction with key "${key}" must name tasks by PHID, monogram ("T123") or ID.`);
    if (!isPhid(v)) return v;
    const id = byPhid.get(v);
    if (id === undefined || !seen.has(id)) throw coreError(`No object exists with PHID "${v}".`);
    return id;
  });
}

async function toChanges(db: import('knex').Knex, viewer: Actor, tracker: Tracker, items: RawTransaction[]): Promise<Change[]> {
  const changes: Change[] = [];
  for (const { key, type, value } of items) {
    const wrongType = (what: string) => callError(`Transaction with key "${key}" (type "${type}") must have ${what} as its value.`);
    if (type.startsWith('custom.')) {
      changes.push(await fieldTransaction(db, tracker, key, type, value));
      continue;
    }
    switch (type) {
      case 'title':
      case 'description':
      case 'comment':
      case 'status':
        if (typeof value !== 'string') throw wrongType('a string');
        changes.push({ type, value });
        break;
      case 'view':
        if (typeof value !== 'string') throw wrongType(`a policy: "public", "users" or "${MAINTAINERS_POLICY}"`);
        changes.push({ type, value: viewOfPolicy(value) });
        break;
      case 'priority':
        if (typeof value !== 'string' && typeof value !== 'number') throw wrongType('a priority keyword such as "high"');
        changes.push({ type, value });
        break;
      case 'points':
        // The editor checks the number itself, with the sentences the web form shows.
        if (value !== null && typeof value !== 'number' && typeof value !== 'string') throw wrongType('a number, or null to remove the points');
        changes.push({ type, value });
        break;
      case 'owner':
        if (value === null || value === '') changes.push({ type: 'owner', value: null });
        else if (typeof value === 'string') changes.push({ type: 'owner', value: (await people(db, [value], key))[0] });
        else throw wrongType('a user PHID, or null to unassign the task');
        break;
      case 'projects.add':
      case 'projects.remove':
      case 'projects.set': {
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v.trim())) throw wrongType('a list of project PHIDs or hashtags');
        if (value.length > MAX_LIST_ITEMS) throw callError(`Transaction with key "${key}" ${TOO_MANY_ITEMS}`);
        changes.push({ type: 'projects', value: { [type.slice('projects.'.length)]: value } });
        break;
      }
      case 'column':
        changes.push({ type: 'column', value: await columnMoves(db, value, () => wrongType('a column PHID, or a list of them, or of {"columnPHID", "beforePHID", "afterPHID"}')) });
        break;
      case 'due':
        // The editor reads the date and words its own refusal of a wrong one.
        if (value !== null && typeof value !== 'string') throw wrongType('a date "YYYY-MM-DD" (or "YYYY-MM-DDTHH:MM"), or null to remove the due date');
        changes.push({ type: 'due', value });
        break;
      case 'mergedinto':
        if (typeof value !== 'string' && typeof value !== 'number') throw wrongType('a task PHID');
        changes.push({ type: 'mergedinto', value: (await tasks(db, viewer, [value], key))[0] });
        break;
      case 'parents.add':
      case 'parents.remove':
      case 'parents.set':
      case 'subtasks.add':
      case 'subtasks.remove':
      case 'subtasks.set': {
        if (!Array.isArray(value)) throw wrongType('a list of task PHIDs');
        const [field, op] = type.split('.') as ['parents' | 'subtasks', 'add' | 'remove' | 'set'];
        changes.push({ type: field, value: { [op]: await tasks(db, viewer, value, key) } });
        break;
      }
      default: {
        if (!Array.isArray(value)) throw wrongType('a list of user PHIDs');
        if (value.length > MAX_LIST_ITEMS) throw callError(`Transaction with key "${key}" ${TOO_MANY_ITEMS}`);
        const op = type.slice('subscribers.'.length) as 'add' | 'remove' | 'set';
        changes.push({ type: 'subscribers', value: { [op]: await people(db, value, key) } });
      }
    }
  }
  return changes;
}

export const maniphestEdit = defineMethod({
  name: 'maniphest.edit',
  summary: 'Create a task, or edit one, with a list of transactions. The same rules, permissions and timeline as the web.',
  needsToken: true,
  params: Params,
  docs: [
    { name: 'objectIdentifier', type: 'optional id|phid|string', description: 'The task to edit: its ID, PHID or monogram ("T123"). Leave it out to create a task.' },
    {
      name: 'transactions',
      type: 'list<map<string, wild>>',
      description:
        'Changes as {"type": …, "value": …}: title, description, comment (text); status (a status key such as "resolved"); priority (a keyword such as "high"); owner (a user PHID, or null to unassign); points (a number such as 3 or 0.5, or null to remove them; when points are enabled); subscribers.add, subscribers.remove, subscribers.set (lists of user PHIDs); view ("public", "users", or "PHID-PLCY-trellismaintainers" for Maintainers; "maintainers" also works); projects.add, projects.remove, projects.set (lists of project PHIDs or hashtags); column (a column PHID, or a list of {"columnPHID", "beforePHID", "afterPHID"}: moves the card, tagging the task with the board\'s project if needed); parents.add, parents.remove, parents.set, subtasks.add, subtasks.remove, subtasks.set (lists of task PHIDs, monograms or IDs, at most 100); mergedinto (a task PHID: close this task as its duplicate); due (a day of the install\'s time zone, "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM" with a time; null removes the due date); custom.KEY for each configured custom field (text; a whole number; true or false; a day as "YYYY-MM-DD" or epoch seconds; an option key; a list of user PHIDs), null to clear it.',
    },
  ],
  example: { transactions: [{ type: 'title', value: 'Printer is on fire' }, { type: 'priority', value: 'high' }, { type: 'comment', value: 'Filed from the API console.' }] },
  async call(ctx, p) {
    const items = rawTransactions(p.transactions, editTypes(ctx.tracker), ctx.tracker);
    const ident = p.objectIdentifier === undefined || p.objectIdentifier === null || p.objectIdentifier === '' ? null : await resolveTaskIdentifier(ctx.db, p.objectIdentifier);
    const result = await editTask(ctx, ident && { id: ident.id, missing: () => coreError(ident.notFound) }, items);
    return { object: { id: result.taskId, phid: result.taskPhid }, transactions: result.events.map((e) => ({ phid: e.phid })) };
  },
});

/**
 * Creates a task (target null) or edits one, as maniphest.edit and the older methods that
 * write do: one call of the editor, with its permission checks. A task the caller may not see
 * is refused before anything else is looked at, exactly as a missing one is.
 */
export async function editTask(
  { db, tracker, viewer }: ConduitContext,
  target: { id: number | null; missing: () => Error } | null,
  items: RawTransaction[],
): Promise<EditResult> {
  if (target && (target.id === null || !(await visibleTaskIds(db, viewer, [target.id])).has(target.id))) throw target.missing();
  const changes = await toChanges(db, viewer!, tracker, items);
  try {
    return await applyEdit({ db, tracker }, viewer!, target?.id ?? null, changes, { source: 'api' });
  } catch (err) {
    if (err instanceof NotFoundError && target) throw target.missing();
    throw err;
  }
}
