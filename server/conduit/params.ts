import { z } from 'zod';
import { MAX_LIST_ITEMS, count } from '../limits';
import { ConduitError, callError, type ConduitCode } from './errors';

/**
 * Building blocks for the methods' parameter schemas. Messages are
 * predicates ("must be …") that the formatter puts after the parameter's
 * name, so every refusal names what was wrong. Plain form fields arrive as
 * text, so numbers and booleans are also read from their text.
 */

type Issue = z.core.$ZodIssue;

const required = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'is required.' : `must be ${what}.`);

/** The range of the database's integer columns: ids, priorities. */
export const INT4_MIN = -2147483648;
export const INT4_MAX = 2147483647;

/** An integer within bounds, from a number or from digits. */
export function int(what = 'an integer', min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^-?[0-9]{1,15}$/.test(v.trim()) ? Number(v.trim()) : v),
    z
      .number({ error: required(what) })
      .int({ error: `must be ${what}.` })
      .min(min, { error: `must be ${what}.` })
      .max(max, { error: `must be ${what}.` }),
  );
}

export function text(what = 'a string') {
  return z.string({ error: required(what) });
}

/** The refusal of a list past MAX_LIST_ITEMS, as a predicate after the parameter's name. */
export const TOO_MANY_ITEMS = `has more than ${count(MAX_LIST_ITEMS)} items; send at most ${count(MAX_LIST_ITEMS)} in one call.`;

/** A list of any items, at most MAX_LIST_ITEMS of them. */
export function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: required(what) }).max(MAX_LIST_ITEMS, { error: TOO_MANY_ITEMS });
}

/** A list of things named by a singular noun: textList('username'). */
export function textList(noun: string) {
  return list(text(`a ${noun}`), `a list of ${noun}s`);
}

export function intList(noun: string, min?: number, max?: number) {
  return list(int(`a ${noun}`, min, max), `a list of ${noun}s`);
}

/** A cursor that is a row id, as user.search and transaction.search page by. */
function idCursor(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(v) || Number(v) > INT4_MAX) {
    throw callError(`Parameter "${name}" must be a cursor from a previous page of this search.`);
  }
  return Number(v);
}

export interface IdCursors {
  after?: number;
  before?: number;
}

/** The "after" and "before" of a search that pages by row id, newest first: at most one of them. */
export function idCursors(after: string | undefined, before: string | undefined): IdCursors {
  const c = { after: idCursor('after', after), before: idCursor('before', before) };
  if (c.after !== undefined && c.before !== undefined) throw callError('Give either "after" or "before", not both.');
  return c;
}

/**
 * One page of such a search, from rows fetched one beyond the page (the extra
 * row says another page exists), with the cursors of the pages either side.
 */
export function idPage<T extends { id: number }>(rows: T[], limit: number, c: IdCursors): { page: T[]; after: string | null; before: string | null } {
  const more = rows.length > limit;
  const page = c.before !== undefined ? rows.slice(more ? 1 : 0) : rows.slice(0, limit);
  const hasNext = c.before !== undefined || more;
  const hasPrev = c.before !== undefined ? more : c.after !== undefined;
  return {
    page,
    after: hasNext && page.length ? String(page[page.length - 1]!.id) : null,
    before: hasPrev && page.length ? String(page[0]!.id) : null,
  };
}

/** PHP clients send an empty map as [], since PHP's empty array is both. */
export function phpMap<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? {} : v), schema);
}

/** A cursor from a previous page: Phabricator's are numbers, ours are strings; both arrive either way. */
export const cursor = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v),
  z.string({ error: required('a cursor from a previous page') }).min(1, 'must be a cursor from a previous page.').max(2000, 'is too long for a cursor.'),
);

/** Phabricator's "limit": 1 to 100, and a refusal that names the limit. */
export const MAX_PAGE_SIZE = 100;
export const pageSize = int('an integer from 1 to 100');

export function checkPageSize(limit: number | undefined): number {
  if (limit === undefined) return MAX_PAGE_SIZE;
  if (limit > MAX_PAGE_SIZE) {
    throw new ConduitError('ERR-INVALID-PAGE-SIZE', `Maximum page size for Conduit API method calls is ${MAX_PAGE_SIZE}, but this call specified ${limit}.`);
  }
  if (limit < 1) throw new ConduitError('ERR-INVALID-PAGE-SIZE', `Minimum page size for Conduit API method calls is 1, but this call specified ${limit}.`);
  return limit;
}

/** A map whose values are switched on by being present, as `attachments`: {"subscribers": true}. */
export function isOn(v: unknown): boolean {
  return !(v === false || v === null || v === 0 || v === '0' || v === 'false' || v === '');
}

function pathOf(path: PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
}

/** A method may claim some problems for its own error codes (Phabricator's ERR-INVALID-CONSTRAINT and friends). */
export type IssueClaim = (issue: Issue) => { code: ConduitCode; message: string } | undefined;

/** The first problem of a parameter schema as a Conduit error that names the parameter. */
export function paramsError(method: string, issues: readonly Issue[], claim?: IssueClaim): ConduitError {
  for (const issue of issues) {
    const claimed = claim?.(issue);
    if (claimed) return new ConduitError(claimed.code, claimed.message);
  }
  const issue = issues[0]!;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    return callError(`API method "${method}" does not define these parameters: ${issue.keys.join(', ')}.`);
  }
  if (issue.code === 'unrecognized_keys') {
    return callError(`Parameter "${pathOf(issue.path)}" does not take these keys: ${issue.keys.join(', ')}.`);
  }
  const name = pathOf(issue.path);
  const said = /^[a-z]/.test(issue.message) ? issue.message : `is invalid: ${issue.message}`;
  return callError(name ? `Parameter "${name}" ${said}` : `The parameters are invalid: ${issue.message}`);
}
