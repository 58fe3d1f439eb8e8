import { withoutNul } from '../db/text';
import { ConduitError, callError, coreError } from './errors';

/**
 * The three ways Conduit clients send parameters in a form-encoded body:
 *   plain fields      api.token=…&constraints[statuses][0]=open&limit=10
 *   one JSON field    params={"limit":10,"__conduit__":{"token":"…"}}   (arcanist, canduit, python-phabricator)
 *   console style     params[limit]=10&params[constraints]={"statuses":["open"]}
 */
export interface DecodedCall {
  params: Record<string, unknown>;
  token: string | null;
}

type Fields = Record<string, unknown>;

const MAX_DEPTH = 8;
const FORM_TYPE = 'application/x-www-form-urlencoded';

export const JSON_BODY_MESSAGE =
  "Use form-encoded data to submit parameters to Conduit endpoints. Sending a JSON-encoded body and setting 'Content-Type': 'application/json' is not currently supported.";

/** Fields that steer the call itself rather than being parameters of the method. */
const CONTROL_FIELDS = new Set(['output', '__conduit__', '__csrf__']);

function segments(key: string): string[] | null {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) return null;
  const rest = [...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!);
  return [m[1]!, ...rest];
}

/** A plain object that "0", "1", … keys turn into a list, as PHP reads `a[0]=x&a[1]=y`. */
function listify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listify);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Fields).map(([k, v]) => [k, listify(v)] as const);
  const isList = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

/**
 * Nests bracketed field names into maps and lists. Built on null-prototype
 * objects, so a field named __proto__ is only ever data.
 */
function nestFields(body: Fields): Fields {
  const root: Fields = Object.create(null);
  const conflict = (name: string) => callError(`Parameter "${name}" is given both as a single value and as a list or map; send it one way.`);
  for (const [key, raw] of Object.entries(body)) {
    const path = segments(key);
    if (!path) {
      root[key] = raw;
      continue;
    }
    if (path.length > MAX_DEPTH) throw callError(`Parameter "${path[0]}" is nested more than ${MAX_DEPTH} levels deep.`);
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      let node = root;
      for (let i = 0; i < path.length - 1; i++) {
        const seg = path[i] === '' ? String(Object.keys(node).length) : path[i]!;
        const next = node[seg];
        if (next === undefined) node[seg] = Object.create(null);
        else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw conflict(path[0]!);
        node = node[seg] as Fields;
      }
      const last = path[path.length - 1] === '' ? String(Object.keys(node).length) : path[path.length - 1]!;
      if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last])) throw conflict(path[0]!);
      node[last] = path.length === 1 && Array.isArray(raw) ? raw : value;
      if (path.length === 1) break;
    }
  }
  return listify(root) as Fields;
}

function tokenFrom(meta: unknown, fallback: unknown): string | null {
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    throw callError('Parameter "__conduit__" must be a map, such as {"token": "api-…"}.');
  }
  const token = (meta as Fields | undefined)?.token ?? fallback;
  if (token === undefined || token === null || token === '') return null;
  if (typeof token !== 'string') throw new ConduitError('ERR-INVALID-AUTH', 'The API token must be sent as a string.');
  return token;
}

/**
 * Whether a parsed JSON value holds lists or maps more than `max` levels
 * below it. Walked without recursion: JSON.parse reads a value nested a
 * hundred thousand levels deep, and every recursive walk after it (NUL
 * replacement, validation) would overflow the stack.
 */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

function decodeJsonParams(text: string): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw callError(`The "params" field is not valid JSON: ${(err as Error).message}.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw callError('The "params" field must hold a JSON object mapping parameter names to values.');
  }
  if (nestedDeeperThan(parsed, MAX_DEPTH)) throw callError(`The "params" field is nested more than ${MAX_DEPTH} levels deep.`);
  return parsed as Fields;
}

function decodeConsoleParams(fields: Fields): Fields {
  const params: Fields = {};
  for (const [name, raw] of Object.entries(fields)) {
    if (typeof raw !== 'string') throw callError(`The value for parameter "${name}" must be one JSON value.`);
    // An empty box in the console means "not given".
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw callError(
        `The value for parameter "${name}" is not valid JSON. All parameters must be encoded as JSON values, including strings (which means you need to surround them in double quotes). Check your syntax. Value was: ${raw.length > 200 ? `${raw.slice(0, 200)}…` : raw}.`,
      );
    }
    if (nestedDeeperThan(value, MAX_DEPTH - 1)) throw callError(`Parameter "${name}" is nested more than ${MAX_DEPTH} levels deep.`);
    params[name] = value;
  }
  return params;
}

/**
 * Reads a Conduit call from a request body. `contentType` is the request's,
 * `hasBody` whether it carried one; a JSON body is refused with the sentence
 * Phabricator uses, so people learn to send forms. Text is read as web forms
 * read it: U+0000 as U+FFFD.
 */
export function decodeConduitBody(body: Fields | undefined, contentType: string | undefined, hasBody: boolean): DecodedCall {
  const call = decodeBody(body, contentType, hasBody);
  return { params: withoutNul(call.params), token: call.token };
}

function decodeBody(body: Fields | undefined, contentType: string | undefined, hasBody: boolean): DecodedCall {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (hasBody && type !== FORM_TYPE) {
    if (type === 'application/json' || type.endsWith('+json')) throw coreError(JSON_BODY_MESSAGE);
    throw coreError(`Use form-encoded data (Content-Type: ${FORM_TYPE}) to submit parameters to Conduit endpoints.`);
  }
  const fields = nestFields(body ?? {});
  const output = fields.output;
  if (output !== undefined && output !== 'json' && output !== 'human') {
    throw callError(`Parameter "output" must be "json" (the default) or "human" (an HTML page).`);
  }
  const apiToken = fields['api.token'];

  if (typeof fields.params === 'string' && fields.params.trim() !== '') {
    const params = decodeJsonParams(fields.params);
    const token = tokenFrom(params.__conduit__, apiToken);
    delete params.__conduit__;
    return { params, token };
  }
  if (fields.params !== null && typeof fields.params === 'object' && !Array.isArray(fields.params)) {
    const params = decodeConsoleParams(fields.params as Fields);
    const token = tokenFrom(params.__conduit__, apiToken);
    delete params.__conduit__;
    return { params, token };
  }

  const params: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith('api.') || CONTROL_FIELDS.has(key) || (key === 'params' && value === '')) continue;
    params[key] = value;
  }
  return { params, token: tokenFrom(undefined, apiToken) };
}
