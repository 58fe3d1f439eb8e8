import { ConduitError } from '../../../server/conduit/errors';
import { decodeConduitBody } from '../../../server/conduit/transport';
import { buildTrackerConfig } from '../../../server/tracker-config';
import { commandChanges, splitCommands } from '../../../server/mail/inbound/commands';
import { loopReason, noAnswerReason } from '../../../server/mail/inbound/loop-guard';
import { stripQuotedText, stripSignature } from '../../../server/mail/inbound/quoted-text';
import { buildRefusal } from '../../../server/mail/inbound/refusal';
import { titleFromSubject } from '../../../server/mail/inbound/subject';
import { parseReplyAddress } from '../../../server/mail/reply-address';
import { scanText } from '../../../server/markup/references';
import { isSafeUrl, renderMarkdown } from '../../../server/markup/render';
import { splitList } from '../../../server/search/params';
import { parseSearchText, taskJump } from '../../../server/search/text';
import { normaliseText } from '../../../server/tasks/events/description';
import { title } from '../../../server/tasks/events/title';
import { Tracker } from '../../../server/tasks/task';
import { Username } from '../../../server/users/user';
import { safeLocalUrl } from '../../../server/web/local-url';
import { ENCODERS } from '../../../server/web/views/export';

/**
 * Inputs shaped to make a backtracking regex or a careless parser go
 * quadratic (or worse): long runs that almost match and then fail at the end,
 * openers without closers, nesting, and many short matches in a row. Each is
 * about the largest text Trellis stores (256 KB).
 */
export const SIZE = 250_000;

const fill = (unit: string, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** The same run with each of a few heads and tails, since most bad patterns need a particular start or end. */
function runs(units: string[], heads: string[], tails: string[]): string[] {
  return units.flatMap((u) => heads.flatMap((h) => tails.map((t) => h + fill(u) + t)));
}

const TEXT_UNITS = ['.', '-', '_', '._-', 'a.', ' ', '\t', '\n', '@', '@a', '@a.', ' @a', '#', 'T1', 'T1#', '{T1', '{T1}', '1', 'a', '"', ':', ','];
const TEXT_HEADS = ['', '@a', 'T1', 'T1#1', '{T', 'title:', 'title:"', 'x '];
const TEXT_TAILS = ['', 'x', '!', '}', '\n'];

/** Markdown constructs that nest or wait for a closer: the renderer's own parser and its plugins. */
const MARKDOWN = [
  fill('['),
  fill('[a]('),
  fill('!['),
  '[a](' + fill('('),
  '[a](b ' + fill(' '),
  fill('*a'),
  fill('_a'),
  fill('*_'),
  fill('~~a'),
  fill('`a'),
  fill('<'),
  fill('<a '),
  fill('<http://a'),
  fill('&#'),
  fill('>'),
  fill('- '),
  fill('- [ ] '),
  fill('|'),
  fill('|a|\n|-|\n'),
  fill('[a]: '),
  'http://' + fill('a.'),
  fill('www.'),
  fill('a@'),
  fill('a.a@'),
  fill('\\'),
  '```\n' + fill('a\n'),
  '```js\n' + fill('/*a'),
  '```csharp\n' + fill('a '),
  '```xml\n' + fill('<a '),
  '```c\n' + fill('0x'),
  fill('```js\na\n```\n'),
  fill('```csharp\na a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a\n```\n'),
  // Blocks just under the per-block cap, of the inputs that some grammars take quadratic time on.
  fill('```ini\n' + '--'.repeat(2490) + '\n```\n'),
  fill('```nestedtext\n' + 'a\n'.repeat(2490) + '\n```\n'),
  fill('```java\n' + '0x'.repeat(2490) + '\n```\n'),
];

const EVERYTHING = { task: (id: number) => ({ id, title: 'A task', closed: false, stateText: 'Open', priorityColor: 'red' }), user: (username: string) => ({ username }) };

const TEXT = runs(TEXT_UNITS, TEXT_HEADS, TEXT_TAILS);
const URLS = runs(['a', '\u0001', ' ', 'a+', ':'], ['', 'javascript', 'a'], ['', ':', '!']);
const LISTS = runs([' ', ',', ' ,', '@', 'a', 'a,'], ['', '@'], ['', 'x']);

const noop = () => undefined;
const FORM = 'application/x-www-form-urlencoded';

/** Runs a decoding that may refuse its input with a Conduit error; any other error fails the target. */
function conduitRefusal(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    if (!(err instanceof ConduitError)) throw err;
  }
}

/** What mail clients put around a reply: attributions, quote marks, header blocks, separators, commands. */
const MAIL = runs(['\n', ' ', '>', '> ', '-', '-- \n', '_', '*', '!', '!a ', 'On ', 'On a\n', 'wrote', 'From: x\n', 'Sent: \n', '\r\n', 'a'], ['', 'On ', '!'], ['', ':\n']);
const TRACKER = new Tracker(buildTrackerConfig({}));
const MAIL_ACTOR = { id: 1, username: 'a', role: 'engineer' as const };

/** Every parser and regex-driven function that sees text a person or a client sent, with the inputs it must survive. */
export const TARGETS: Record<string, { inputs: string[]; run: (input: string) => unknown }> = {
  'markup: references (scanText)': { inputs: TEXT, run: (s) => scanText(s) },
  // Parsing is what referencesIn (the editor's mentions) and the page share with this; rendering adds the rest.
  'markup: render with every reference found': { inputs: [...runs(['.', '._-', '@a.', ' @a', '{T1', '{T1}', 'T1#', '_', '*'], ['', '@a'], ['x']), ...MARKDOWN], run: (s) => renderMarkdown(s, EVERYTHING) },
  'markup: link URL check': { inputs: URLS, run: (s) => isSafeUrl(s) },
  'search: text query': { inputs: TEXT, run: (s) => [parseSearchText(s), taskJump(s)] },
  'search and bulk edit: name and keyword lists': { inputs: LISTS, run: (s) => splitList(s) },
  'tasks: title and text normalising': {
    inputs: runs(['\t', '\n', '\r', '\r\n', '\u0001', ' '], ['', 'a'], ['', 'a']),
    run: (s) => {
      try {
        void title.parse(s, undefined as never, '');
      } catch {
        noop();
      }
      return normaliseText(s, 'description');
    },
  },
  'accounts: usernames': { inputs: runs(['a', '.', 'a.', '-_'], ['', 'a'], ['', '.', '!']), run: (s) => Username.safeParse(s) },
  'web: a return address (login next, bulk edit back)': { inputs: runs(['/', '\\', '/a'], ['', '/'], ['', 'x']), run: (s) => safeLocalUrl(s) },
  'conduit: field names and values': {
    inputs: runs(['[', ']', '[]', '[a', 'a]', '[a]'], ['', 'a', 'params'], ['', 'x', ']']),
    run: (s) => conduitRefusal(() => decodeConduitBody({ [s]: s }, FORM, true)),
  },
  'conduit: JSON parameters, whole and console style': {
    inputs: [
      `{"a":${'['.repeat(SIZE / 2)}${']'.repeat(SIZE / 2)}}`,
      `{"a":${'{"a":'.repeat(SIZE / 6)}1${'}'.repeat(SIZE / 6)}}`,
      `{"a":${'['.repeat(SIZE / 2)}`,
      `{"a":[${fill('1,', SIZE - 10)}1]}`,
      `{${Array.from({ length: SIZE / 12 }, (_, i) => `"k${i}":1`).join(',')}}`,
    ],
    run: (s) => {
      conduitRefusal(() => decodeConduitBody({ params: s }, FORM, true));
      conduitRefusal(() => decodeConduitBody({ 'params[a]': s.slice(5, -1) }, FORM, true));
    },
  },
  'mail: reply addresses': { inputs: runs(['1', '+', '1+', 'a'], ['t', 't1+1+'], ['@r.example', '!@r.example']), run: (s) => parseReplyAddress('secret', 'r.example', s) },
  'mail: a reply without its quotes and signature': { inputs: MAIL, run: (s) => [stripQuotedText(s), stripSignature(s)] },
  'mail: commands': { inputs: MAIL, run: (s) => commandChanges(splitCommands(s).commands, MAIL_ACTOR, TRACKER) },
  'mail: titles from subjects': { inputs: runs(['re:', 'Re: ', 'fwd:re:', ' ', 'é'], ['', 'Re:'], ['', 'x']), run: (s) => titleFromSubject(s) },
  'mail: loop headers and the refusal': {
    inputs: runs(['no', ';', ' ', 'a'], [''], ['']),
    run: (s) => {
      const message = { from: s, envelopeFrom: s, subject: s, text: s, messageId: s, references: [s], headers: new Map([['auto-submitted', s], ['precedence', s], ['x-auto-response-suppress', s]]) };
      return [loopReason(message), noAnswerReason(message), buildRefusal(TRACKER, { to: s, monogram: 'T1', problems: [s], text: s, message })];
    },
  },
  'export: CSV fields': {
    inputs: runs(['"', ',', '=', '\r\n'], ['', '='], ['']),
    run: (s) => ENCODERS.csv.row({ id: 1, monogram: 'T1', title: s, status: s, priority: s, owner: s, author: s, created: s, updated: s, closed: s, due: s, url: s }, true),
  },
};
