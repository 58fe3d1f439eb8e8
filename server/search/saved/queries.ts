import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors';
import type { Tracker } from '../../tasks/task';
import type { Actor } from '../../users/roles';
import { builtinQuery } from '../builtin';
import { isFieldParam } from '../../fields/params';
import { LIST_PARAMS, PARAM_NAMES, parseQueryParams, type QueryParams } from '../params';
import * as repo from './repository';
import type { SavedQuery } from './repository';

export type { SavedQuery } from './repository';

export const MAX_NAME_LENGTH = 100;

const SavedQueryName = z
  .string({ error: 'Give the query a name.' })
  .trim()
  .min(1, 'Give the query a name.')
  .max(MAX_NAME_LENGTH, `Query names are at most ${MAX_NAME_LENGTH} characters.`);

const NOT_YOURS = 'You have no saved query at this address.';

/**
 * The query parameters in a URL query string, read as the list page reads its
 * URL: list parameters may repeat (checkboxes) and join with commas; any other
 * repeated one stays a list, which parsing refuses.
 */
export function paramsFromString(text: string): QueryParams {
  const url = new URLSearchParams(text);
  const params: Record<string, string | string[]> = {};
  const custom = [...new Set([...url.keys()].filter(isFieldParam))].sort();
  for (const name of [...PARAM_NAMES, ...custom]) {
    const values = url.getAll(name);
    if (values.length > 1 && !LIST_PARAMS.has(name as (typeof PARAM_NAMES)[number]) && !isFieldParam(name)) params[name] = values;
    else if (values.join(',') !== '') params[name] = values.filter(Boolean).join(',');
  }
  return params as QueryParams;
}

/** The canonical text of a query's parameters: what is stored and what share links carry. */
export function paramsToString(params: QueryParams): string {
  const url = new URLSearchParams();
  const custom = Object.keys(params).filter(isFieldParam).sort();
  for (const name of [...PARAM_NAMES, ...custom]) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') url.set(name, value);
  }
  return url.toString();
}

/** Whether a URL segment could be a saved query's key; anything else is no saved query and is not looked up. */
const isSavedKey = (key: string) => /^[a-z2-7]{12}$/.test(key);

/** 60 random bits in a-z2-7: unguessable, and never the name of a built-in query. */
function newKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...crypto.randomBytes(12)].map((b) => alphabet[b & 31]).join('');
}

function checkName(raw: unknown): string {
  const name = SavedQueryName.safeParse(raw ?? '');
  if (!name.success) throw new ValidationError({ name: name.error.issues[0]!.message });
  return name.data;
}

export function listSavedQueries(db: Knex, owner: Actor): Promise<SavedQuery[]> {
  return repo.listSavedQueries(db, owner.id);
}

/** Saves a query under a name, after checking that the query itself is valid for its owner. */
export async function saveQuery(db: Knex, tracker: Tracker, owner: Actor, rawName: unknown, queryText: string, timeZone: string): Promise<SavedQuery> {
  const problems: Record<string, string> = {};
  let name = '';
  try {
    name = checkName(rawName);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    Object.assign(problems, err.fields);
  }
  const params = paramsFromString(queryText);
  try {
    await parseQueryParams(db, tracker, owner, params, timeZone);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.query = 'This query has problems (shown in the filter form); fix them before saving it.';
  }
  if (Object.keys(problems).length) throw new ValidationError(problems);
  return repo.insertSavedQuery(db, { ownerId: owner.id, key: newKey(), name, params: paramsToString(params) });
}

export async function renameSavedQuery(db: Knex, owner: Actor, key: string, rawName: unknown): Promise<void> {
  // Someone else's query is not there at all, whatever name was sent.
  const saved = isSavedKey(key) ? await repo.findSavedQuery(db, key) : null;
  if (!saved || saved.ownerId !== owner.id) throw new NotFoundError(NOT_YOURS);
  const name = checkName(rawName);
  if (!(await repo.renameSavedQuery(db, owner.id, key, name))) throw new NotFoundError(NOT_YOURS);
}

export async function moveSavedQuery(db: Knex, owner: Actor, key: string, direction: 'up' | 'down'): Promise<void> {
  if (!isSavedKey(key) || !(await repo.moveSavedQuery(db, owner.id, key, direction))) throw new NotFoundError(NOT_YOURS);
}

export async function deleteSavedQuery(db: Knex, owner: Actor, key: string): Promise<void> {
  if (!isSavedKey(key) || !(await repo.deleteSavedQuery(db, owner.id, key))) throw new NotFoundError(NOT_YOURS);
}

export interface NamedQuery {
  key: string;
  name: string;
  params: QueryParams;
  needsLogin: boolean;
}

/**
 * The query at /maniphest/query/<key>/: a built-in one, or one of the viewer's
 * own saved queries. Someone else's saved query answers like no query at all.
 */
export async function findNamedQuery(db: Knex, viewer: Actor | null, key: string): Promise<NamedQuery | null> {
  const builtin = builtinQuery(key);
  if (builtin) return { key: builtin.key, name: builtin.name, params: builtin.params as QueryParams, needsLogin: builtin.needsLogin };
  if (!viewer || !isSavedKey(key)) return null;
  const saved = await repo.findSavedQuery(db, key);
  return saved && saved.ownerId === viewer.id ? savedAsNamed(saved) : null;
}

export function savedAsNamed(saved: SavedQuery): NamedQuery {
  return { key: saved.key, name: saved.name, params: paramsFromString(saved.params), needsLogin: true };
}
