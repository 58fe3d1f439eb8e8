import { buildTrackerConfig } from '../../server/tracker-config';
import { commandChanges, splitCommands } from '../../server/mail/inbound/commands';
import { loopReason, noAnswerReason } from '../../server/mail/inbound/loop-guard';
import type { InboundMessage } from '../../server/mail/inbound/message';
import { stripQuotedText, stripSignature } from '../../server/mail/inbound/quoted-text';
import { buildRefusal } from '../../server/mail/inbound/refusal';
import { titleFromSubject } from '../../server/mail/inbound/subject';
import { Tracker } from '../../server/tasks/task';

const tracker = new Tracker(buildTrackerConfig({}));
const alice = { id: 7, username: 'alice', role: 'engineer' as const };

function message(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return { from: 'alice@example.com', envelopeFrom: 'alice@example.com', subject: 'Re: T1', text: '', messageId: '<m@x>', references: [], headers: new Map(), ...overrides };
}

describe('stripping what a reply quotes', () => {
  test.each([
    ['an attribution in French', 'Je regarde.\n\nLe mar. 1 déc. 2026 à 10:02, Trellis <t@x> a écrit :\n> bob created this task.', 'Je regarde.'],
    ['an attribution in Spanish', 'Lo miro.\n\nEl mar, 1 dic 2026 a las 10:02, Trellis (<t@x>) escribió:\n> bob', 'Lo miro.'],
    ['an attribution in Italian', 'Ci guardo.\n\nIl giorno mar 1 dic 2026 alle ore 10:02 Trellis <t@x> ha scritto:\n> bob', 'Ci guardo.'],
    ['an attribution in Dutch', 'Ik kijk.\n\nOp di 1 dec 2026 om 10:02 schreef Trellis <t@x>:\n> bob', 'Ik kijk.'],
    ['an attribution in Portuguese', 'Vou ver.\n\nEm ter., 1 de dez. de 2026 às 10:02, Trellis <t@x> escreveu:\n> bob', 'Vou ver.'],
    ['an attribution in Swedish', 'Jag tittar.\n\nDen tis 1 dec. 2026 kl 10:02 skrev Trellis <t@x>:\n> bob', 'Jag tittar.'],
    ['an attribution with nothing quoted after it: the unquoted original goes', 'Done.\n\nOn Tue, Dec 1, 2026, Trellis wrote:\n\nbob created this task.', 'Done.'],
    ['Outlook in German', 'Passt.\n\nVon: Trellis <t@x>\nGesendet: Dienstag, 1. Dezember 2026 10:02\nAn: Alice\nBetreff: T1\n\nbob created this task.', 'Passt.'],
    ['a "-- " signature', 'Thanks.\n\n-- \nAlice\n+44 20 7946 0000', 'Thanks.'],
    ['"Sent from my iPhone" only at the end', 'Sent from my iPhone, as you asked.\nMore text.\n\nSent from my iPhone', 'Sent from my iPhone, as you asked.\nMore text.'],
    ['CRLF line ends', 'One.\r\n\r\n\r\n\r\nTwo.\r\n> quoted\r\n', 'One.\n\nTwo.'],
  ])('%s', (_what, text, expected) => {
    expect(stripQuotedText(text)).toBe(expected);
  });

  test('text that only looks a little like a quote stays', () => {
    const text = 'On second thought, this is fine.\nFrom: the logs, nothing.\nA line -- with dashes.\n---\nThe end.';
    expect(stripQuotedText(text)).toBe(text);
  });

  test('a new mail keeps what it quotes (a forwarded report) and loses a short signature', () => {
    const text = 'See below.\n\n-----Original Message-----\nFrom: Customer\nSent: today\n\nIt crashes.\n\n-- \nAlice';
    expect(stripSignature(text)).toBe('See below.\n\n-----Original Message-----\nFrom: Customer\nSent: today\n\nIt crashes.');
  });
});

describe('commands in a mail', () => {
  test('only at the top and the bottom, each on its own line', () => {
    expect(splitCommands('!claim\n!priority high\n\nText.\n!close in the middle\nMore.\n\n!subscribe')).toEqual({
      commands: [
        { line: '!claim', name: 'claim', args: [] },
        { line: '!priority high', name: 'priority', args: ['high'] },
        { line: '!subscribe', name: 'subscribe', args: [] },
      ],
      text: 'Text.\n!close in the middle\nMore.',
    });
    expect(splitCommands('!!! Urgent !!!\nHelp')).toEqual({ commands: [], text: '!!! Urgent !!!\nHelp' });
    expect(splitCommands('   !CLOSE   ')).toEqual({ commands: [{ line: '!CLOSE', name: 'close', args: [] }], text: '' });
  });

  test('turn into the changes the web would make', () => {
    const parsed = splitCommands('!close\n!claim\n!assign @bob\n!priority high\n!status wontfix\n!subscribe\n!unsubscribe carol dave');
    const { changes, problems } = commandChanges(parsed.commands, alice, tracker);
    expect(problems).toEqual([]);
    expect(changes).toEqual([
      { type: 'status', value: 'resolved' },
      { type: 'owner', value: 7 },
      { type: 'owner', value: '@bob' },
      { type: 'priority', value: 'high' },
      { type: 'status', value: 'wontfix' },
      { type: 'subscribers', value: { add: [7] } },
      { type: 'subscribers', value: { remove: ['carol', 'dave'] } },
    ]);
  });

  test('unknown or malformed ones are problems, named by their line; "constructor" is no command either', () => {
    const { problems } = commandChanges(splitCommands('!constructor\n!assign a b\n!status').commands, alice, tracker);
    expect(problems).toEqual([
      { line: '!constructor', message: '"!constructor" is not a command.' },
      { line: '!assign a b', message: 'Write it as "!assign USERNAME".' },
      { line: '!status', message: 'Write it as "!status KEY".' },
    ]);
  });
});

describe('a task title from a subject', () => {
  test.each([
    ['Re: Fwd: AW:  Export times out ', 'Export times out'],
    ['FW: re:Crash', 'Crash'],
    ['Reply needed', 'Reply needed'],
    ['Re:', 'Untitled Task'],
    ['', 'Untitled Task'],
    ['é'.repeat(300), 'é'.repeat(254) + '…'],
  ])('%j', (subject, title) => {
    expect(titleFromSubject(subject)).toBe(title);
  });
});

describe('loop protection', () => {
  test('mail people write passes', () => {
    expect(loopReason(message())).toBeNull();
    expect(loopReason(message({ headers: new Map([['auto-submitted', 'no'], ['x-auto-response-suppress', 'All'], ['precedence', 'first-class']]) }))).toBeNull();
    expect(noAnswerReason(message({ headers: new Map([['x-auto-response-suppress', 'None']]) }))).toBeNull();
    expect(noAnswerReason(message({ headers: new Map([['x-auto-response-suppress', 'All']]) }))).toMatch(/asks not to be answered/);
  });

  test('machines are recognised', () => {
    expect(loopReason(message({ headers: new Map([['x-trellis-mail-id', '12']]) }))).toMatch(/Trellis's own/);
    expect(loopReason(message({ messageId: '<trellis-mail-12@example.com>' }))).toMatch(/Trellis's own mail/);
    expect(loopReason(message({ envelopeFrom: '' }))).toMatch(/delivery report/);
    expect(loopReason(message({ headers: new Map([['auto-submitted', 'Auto-Replied']]) }))).toMatch(/automatic/);
  });
});

describe('the refusal', () => {
  test('says what went wrong, lists the commands with this install\'s keywords, quotes the text back and threads', () => {
    const refusal = buildRefusal(tracker, {
      to: 'alice@example.com',
      monogram: 'T12',
      problems: ['"!close": You do not have permission to change the status of this task.'],
      text: 'Done here.\n\nThanks',
      message: message({ subject: 'RE: [Trellis] T12: Crash', messageId: '<r2@client>', references: ['<thread@trellis>'] }),
    });
    expect(refusal.subject).toBe('Re: [Trellis] T12: Crash');
    expect(refusal.headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'In-Reply-To': '<r2@client>',
      References: '<thread@trellis> <r2@client>',
    });
    expect(refusal.text).toBe(
      [
        'Trellis could not apply your mail to T12, so nothing was changed: none of its commands and not its text.',
        '',
        'What went wrong:',
        '- "!close": You do not have permission to change the status of this task.',
        '',
        'Commands go on lines of their own at the top or the bottom of your mail:',
        '',
        '  !close                     Close the task (as Resolved).',
        '  !claim                     Assign the task to yourself.',
        '  !assign USERNAME           Assign the task to someone.',
        '  !priority KEYWORD          Set the priority: unbreak, triage, high, normal, low, wish.',
        '  !status KEY                Set the status: open, resolved, wontfix, invalid.',
        '  !subscribe [USERNAME …]    Subscribe yourself, or the people named.',
        '  !unsubscribe [USERNAME …]  Unsubscribe yourself, or the people named.',
        '',
        'Everything else you write becomes a comment.',
        '',
        'What you wrote, to send again:',
        '',
        '> Done here.',
        '>',
        '> Thanks',
        '',
      ].join('\n'),
    );
  });
});
