import fc from 'fast-check';
import request from 'supertest';

/**
 * What the fuzzing suites share: how many cases, from which seed, the
 * arbitrary inputs, and how a request is sent with a deadline.
 *
 * FUZZ_RUNS sets the cases per target (default 15, so the suite stays quick);
 * FUZZ_SEED replays a run (a failure prints its seed and the shrunk input).
 */
export const FUZZ = {
  runs: Number(process.env.FUZZ_RUNS ?? 15),
  seed: Number(process.env.FUZZ_SEED ?? 20261202),
  /** A request still unanswered after this long is a hang. */
  deadlineMs: 15_000,
  /** A whole target's budget: generous, since a hang already fails at the request's deadline. */
  get targetTimeoutMs() {
    return 60_000 + this.runs * 1_000;
  },
};

/** The fast-check parameters of one target: seeded, bounded, and reporting the shrunk counterexample. */
export const fuzzParams = { numRuns: FUZZ.runs, seed: FUZZ.seed, endOnFailure: true };

/** Values the app gives meaning to, so that cases reach past the first check. */
const MEANINGFUL = [
  '', ' ', '0', '1', '-1', '2147483648', '99999999999999999999', '1e309', 'NaN', 'true', 'false', 'null', '[]', '{}',
  'high', 'low', 'wish', 'unbreak', 'triage', 'normal', '80', '100', 'open', 'resolved', 'wontfix', 'invalid', 'duplicate',
  'public', 'users', 'maintainers', 'subscribe', 'unsubscribe', 'up', 'down', 'selected', 'all', 'admin', 'reader', 'nobody', 'me',
  'T1', 'T2#3', '{T1}', 'PHID-TASK-aaaaaaaaaaaaaaaaaaaa', 'PHID-USER-aaaaaaaaaaaaaaaaaaaa', '/', '//evil.example/', '/\t/evil.example', 'javascript:alert(1)',
  'statuses=any-open&priorities=high', 'text=crash&group=owner&order=relevance', '2026-12-02', 'api-aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'title', 'description', 'comment', 'status', 'priority', 'owner', 'view', 'subscribers', 'subscribers.add', 'subscribers.remove', 'subscribers.set',
  'ids', 'phids', 'statuses', 'priorities', 'assigned', 'query', 'authorPHIDs', 'closerPHIDs', 'usernames', 'createdStart', 'modifiedEnd', 'closedStart',
  'relevance', 'updated', 'newest', 'title', 'after', 'before', 'limit', 'queryKey', 'constraints', 'attachments', 'objectIdentifier', 'transactions',
  '\u0000', '\uFFFD', '\uD800', 'é', '\u202E', '😀', '\r\n', '<script>alert(1)</script>', "'; DROP TABLE tasks; --", '%', '%zz',
];

/**
 * A unit repeated into a huge string: the shapes that cost a parser or a
 * renderer the most (runs of one character, references and mentions over and
 * over) come from short units.
 */
const hugeUnit = fc.oneof(fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }), fc.constantFrom('.', '@a.', '{T1}', 'T1 ', '@admin ', '**', '[', '`', '> ', '- '));

/** What stands before and after the repeated run: a mention's start, a reference's, or any short text. */
const edge = fc.oneof(fc.constantFrom('', '@a', '@', 'x', '{T', 'T1#', '[x](', '```\n'), fc.string({ maxLength: 4 }));

const huge = fc
  .tuple(edge, hugeUnit, fc.integer({ min: 1000, max: 40_000 }), edge)
  .map(([before, unit, n, after]) => `${before}${unit.repeat(n).slice(0, 300_000)}${after}`);

/** Any text a person or a script might send. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...MEANINGFUL) },
  { weight: 12, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) },
  { weight: 6, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 2000 }) },
  { weight: 1, arbitrary: huge },
);

/** Field names: the ones the forms read, PHP-style brackets, and anything at all. */
export const FORM_FIELDS = [
  'title', 'description', 'comment', 'priority', 'status', 'owner', 'view', 'version', 'action', 'text', 'username', 'password',
  'next', 'realname', 'email', 'confirm', 'role', 'disabled', 'name', 'query', 'direction', 'ids', 'scope', 'back',
  'addSubscribers', 'removeSubscribers', 'params', 'params[transactions]', 'params[objectIdentifier]', 'params[constraints]',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ids[]', 'title[0]', 'a[b][c]', '[', ']',
];

export const fieldName: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...FORM_FIELDS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }) },
);

/**
 * A form body as pairs, in the order sent: a name may repeat (an array to
 * express) or carry brackets (a nested object to a PHP-style reader).
 */
export const formPairs: fc.Arbitrary<[string, string][]> = fc.array(fc.tuple(fieldName, text), { maxLength: 12 });

/** Raw fragments a body may also carry: broken escapes, stray separators, overlong UTF-8. */
export const junk = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('&', '&&', '=', '==', '%', '%zz', '%00', '%C0%AF', '%ED%A0%80', 'a', 'a=%', '+', '%2', '&=&') },
);

/** Percent-encodes a form body as a browser does; lone surrogates become U+FFFD, as a browser sends them. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD');

export function formEncode(pairs: [string, string][], extra = ''): string {
  const enc = (s: string) => encodeURIComponent(wellFormed(s));
  return [...pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`), ...(extra ? [extra] : [])].join('&');
}

/** JSON values for Conduit parameters: meaningful ones, nested a few levels. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, 1, -1, 1.5, 2 ** 31, 2 ** 53 + 1, 1e308),
    text,
    fc.integer(),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** Anything that POSTs: supertest's request(app) or an agent with its cookies. */
export interface Poster {
  post(url: string): request.Test;
}

/** POSTs a raw form body with a deadline; a hang fails as a timeout. */
export function postForm(via: Poster, path: string, body: string): request.Test {
  return via.post(path).type('form').timeout({ deadline: FUZZ.deadlineMs }).send(body);
}

/** A path segment as a browser would send it, whatever the text. */
export const pathSegment = (s: string) => encodeURIComponent(wellFormed(s));

/**
 * Values shaped like `example` (a method's documented example) with any part
 * of it replaced, dropped or added to: cases that pass the first checks and
 * reach what a method does with its parameters.
 */
export function shapedLike(example: unknown, leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const any = fc.oneof(leaf, jsonValue);
  if (Array.isArray(example)) {
    const items = example.length ? fc.oneof(...example.map((e) => shapedLike(e, leaf))) : any;
    return fc.oneof({ weight: 12, arbitrary: fc.array(items, { minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: any });
  }
  if (example !== null && typeof example === 'object') {
    const known = Object.fromEntries(Object.entries(example).map(([k, v]) => [k, shapedLike(v, leaf)]));
    const shaped = fc
      .tuple(fc.oneof({ weight: 10, arbitrary: fc.record(known) }, { weight: 1, arbitrary: fc.record(known, { requiredKeys: [] }) }), fc.oneof({ weight: 12, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...MEANINGFUL), any, { maxKeys: 3 }) }))
      .map(([kept, added]) => ({ ...added, ...kept }));
    return fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: any });
  }
  return fc.oneof({ weight: 16, arbitrary: fc.constant(example) }, { weight: 2, arbitrary: leaf }, { weight: 1, arbitrary: jsonValue });
}
