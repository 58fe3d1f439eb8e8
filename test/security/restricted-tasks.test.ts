import { METHODS } from '../../server/conduit/registry';
import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn } from '../support/http';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';
import { CHANNELS, MENTION_CHANNELS, TASK_FREE_METHODS, TASK_FREE_ROUTES, type Subject, type Viewer, type World } from './channels';
import { urlMap } from './url-map';

/**
 * Restricted tasks across every channel (channels.ts, one row each): for each
 * visibility and each viewer (every role, and a visitor), a task the viewer
 * may not see answers every row exactly as a task that does not exist, and
 * nothing about it changes. Each row is also shown to tell a visible task
 * from a missing one, so a probe that sees nothing can not pass.
 */

type Fixture = 'pub' | 'usr' | 'mnt';
const FIXTURES: Fixture[] = ['pub', 'usr', 'mnt'];
const VIEW: Record<Fixture, string> = { pub: 'public', usr: 'users', mnt: 'maintainers' };
const VIEWERS: Viewer[] = ['visitor', 'reader', 'engineer', 'maintainer', 'admin'];
const SEES: Record<Viewer, Fixture[]> = {
  visitor: ['pub'],
  reader: ['pub', 'usr'],
  engineer: ['pub', 'usr'],
  maintainer: ['pub', 'usr', 'mnt'],
  admin: ['pub', 'usr', 'mnt'],
};

/** Ids start here, so an id is never mistaken for another number on a page when it is replaced. */
const FIRST_ID = 700001;
const FIRST_PROJECT = 810001;
const FIRST_COLUMN = 820001;
const MISSING_ID = 799999;
const MISSING_PHID = 'PHID-TASK-zzzzzzzzzzzzzzzzzzzz';
const wordOf = (f: Fixture | 'nil') => `quokka${f}`;

/**
 * An answer with the subject's own ids and PHID replaced, so a hidden task and a missing one can be
 * compared. Every fixture word is replaced alike: the decoy's description holds them all.
 */
function normalized(answer: string, s: Subject): string {
  const number = (n: number, as: string) => (text: string) => text.replace(new RegExp(`(?<![0-9])${n}(?![0-9])`, 'g'), as);
  return [number(s.id, '<id>'), number(s.projectId, '<project>'), number(s.columnId, '<column>')]
    .reduce((text, replace) => replace(text), answer)
    .replaceAll(s.phid, '<phid>')
    .replace(/quokka(pub|usr|mnt|nil)/g, '<word>');
}

const hiddenPairs = VIEWERS.flatMap((viewer) => FIXTURES.filter((f) => !SEES[viewer].includes(f)).map((fixture) => ({ viewer, fixture })));

describe('restricted tasks answer like missing ones on every channel', () => {
  const t = useTestApp();
  const world = {} as World;
  const subjects = {} as Record<Fixture, Subject>;
  const missing = {} as Record<Fixture, Subject>;
  let sink: Provider;
  afterAll(() => sink?.close());

  beforeAll(async () => {
    const users = {} as Record<Exclude<Viewer, 'visitor'>, User>;
    for (const role of ['reader', 'engineer', 'maintainer', 'admin'] as const) users[role] = await createUser(t.db, { username: role, role, email: `${role}@example.com` });
    await t.db.raw(`ALTER TABLE tasks ALTER COLUMN id RESTART WITH ${FIRST_ID}`);
    await t.db.raw(`ALTER TABLE projects ALTER COLUMN id RESTART WITH ${FIRST_PROJECT}`);
    await t.db.raw(`ALTER TABLE board_columns ALTER COLUMN id RESTART WITH ${FIRST_COLUMN}`);
    const admin = users.admin;
    world.app = t.app;
    world.hostId = await createTask(t.domain, admin, { title: 'Links to everything', view: 'public' });
    /** A project named and tagged by the word, and its board's one column. */
    const boardOf = async (word: string) => {
      const projectId = await createProject(t.db, admin, ProjectInput.parse({ name: `Board ${word}`, hashtags: word }));
      const columnId = (await t.db('board_columns').where({ project_id: projectId }).first('id')).id as number;
      return { projectId, columnId };
    };
    for (const f of FIXTURES) {
      const word = wordOf(f);
      const id = await createTask(t.domain, admin, { title: `Fixture ${word}`, description: `All about ${word}, in detail.`, view: VIEW[f] });
      const { events } = await edit(t.domain, admin, id, { comment: `More notes on ${word}.` });
      const phid = (await t.db('tasks').where({ id }).first()).phid as string;
      const board = await boardOf(word);
      await edit(t.domain, admin, id, { projects: { add: [word] } });
      subjects[f] = { id, phid, word, eventId: events.find((e) => e.type === 'comment')!.id, hostCommentId: 0, ...board };
    }
    const nobodysBoard = await boardOf(wordOf('nil'));
    for (const f of FIXTURES) missing[f] = { id: MISSING_ID, phid: MISSING_PHID, word: wordOf('nil'), eventId: subjects[f].eventId, hostCommentId: 0, ...nobodysBoard };
    // Every search word finds this one visible task, so searches have a group to count; the words sit in
    // its description, where a hit is not highlighted, so its row reads the same whichever word found it.
    const decoy = await createTask(t.domain, admin, { title: 'Decoy', description: [...FIXTURES.map(wordOf), wordOf('nil')].join(' '), view: 'public' });
    await edit(t.domain, admin, decoy, { projects: { add: [...FIXTURES.map(wordOf), wordOf('nil')] } });
    for (const s of [...Object.values(subjects), ...Object.values(missing)]) {
      const { events } = await edit(t.domain, admin, world.hostId, { comment: `See T${s.id}, {T${s.id}} and T${s.id}#${s.eventId}.` });
      s.hostCommentId = events.find((e) => e.type === 'comment')!.id;
    }
    // Every account hears of the host task's comments from here on.
    await edit(t.domain, admin, world.hostId, { subscribers: { add: Object.values(users).map((u) => u.id) } });
    // The comments come from someone else: nobody is mailed about their own.
    const scribe = await createUser(t.db, { username: 'scribe', role: 'admin' });
    sink = await smtpProvider('accept');
    const runner = mailRunner(t, [localMailer('sink', sink.port)]);
    world.mailAbout = async (viewer, text) => {
      const { events } = await edit(t.domain, scribe, world.hostId, { comment: text });
      await runner.kick();
      // The comment's own event id is in its links; each comment has its own. Only mail about this comment counts:
      // a retried message of an earlier probe may arrive now.
      const ownId = new RegExp(`(?<![0-9])${events[0]!.id}(?![0-9])`, 'g');
      const mine = sink.received
        .splice(0)
        .filter((r) => r.recipients.includes(`${viewer}@example.com`) && (r.mail.text ?? '').includes(`#${events[0]!.id}`));
      return mine.map((r) => `${r.mail.subject}\n${r.mail.text}\n${r.mail.html}`.replace(ownId, '<event>')).join('\n');
    };
    world.browsers = { visitor: new Browser(t.app) } as World['browsers'];
    world.tokens = { visitor: null } as World['tokens'];
    for (const role of ['reader', 'engineer', 'maintainer', 'admin'] as const) {
      world.browsers[role] = await loggedIn(t.app, role);
      world.tokens[role] = await tokenFor(t.db, users[role]);
    }
    world.csrf = {} as World['csrf'];
    for (const v of VIEWERS) world.csrf[v] = await world.browsers[v].csrf(v === 'visitor' ? '/login' : '/settings/tokens/');
  });

  /** Everything stored about one task. */
  async function rowsOf(id: number) {
    return {
      task: await t.db('tasks').where({ id }).select('*'),
      events: await t.db('task_events').where({ task_id: id }).orderBy('id').select('*'),
      subscribers: await t.db('task_subscribers').where({ task_id: id }).orderBy('user_id').select('*'),
      edges: await t.db('task_edges').where({ src_task_id: id }).orWhere({ dst_task_id: id }).orderBy(['src_task_id', 'type', 'dst_task_id']).select('*'),
    };
  }

  test('every route of the URL map and every Conduit method is probed, or names no task', () => {
    const covered = new Set(CHANNELS.flatMap((c) => c.covers));
    const routes = urlMap().map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !covered.has(r) && !(r in TASK_FREE_ROUTES))).toEqual([]);
    expect(Object.keys(TASK_FREE_ROUTES).filter((r) => !routes.includes(r))).toEqual([]);
    const methods = METHODS.map((m) => m.name);
    expect(methods.filter((m) => !covered.has(`conduit ${m}`) && !(m in TASK_FREE_METHODS))).toEqual([]);
    expect([...covered].filter((c) => !routes.includes(c) && !methods.includes(c.replace(/^conduit /, '')) && !c.startsWith('mail: '))).toEqual([]);
  });

  const cases = hiddenPairs.flatMap((pair) => CHANNELS.map((channel) => ({ ...pair, channel: channel.name, probe: channel.probe })));

  test.each(cases)('$channel: the $fixture task answers $viewer as a missing one does', async ({ viewer, fixture, probe }) => {
    const s = subjects[fixture];
    const before = await rowsOf(s.id);
    const hidden = normalized(await probe(world, viewer, s), s);
    const absent = normalized(await probe(world, viewer, missing[fixture]), missing[fixture]);
    expect(hidden).toEqual(absent);
    expect(await rowsOf(s.id)).toEqual(before);
  });

  test.each(CHANNELS.map((c) => ({ channel: c.name, probe: c.probe })))('$channel tells a task its viewer may see from a missing one', async ({ probe }) => {
    const s = subjects.mnt;
    const seen = normalized(await probe(world, 'admin', s), s);
    const absent = normalized(await probe(world, 'admin', missing.mnt), missing.mnt);
    expect(seen).not.toEqual(absent);
  });

  describe('a mention from a hidden task leaves the mentioned task as it was', () => {
    const targets = {} as Record<Fixture, number>;
    const before = new Map<string, string>();
    const key = (f: Fixture, v: Viewer, channel: string) => `${f} ${v} ${channel}`;

    beforeAll(async () => {
      const admin = (await t.db('users').where({ username: 'admin' }).first()) as User;
      for (const f of FIXTURES) {
        targets[f] = await createTask(t.domain, admin, { title: 'Target', view: 'public' });
        await edit(t.domain, admin, targets[f], { title: `Target zebra${targets[f]}` });
      }
      for (const f of FIXTURES) for (const v of VIEWERS) for (const c of MENTION_CHANNELS) before.set(key(f, v, c.name), await c.probe(world, v, targets[f]));
      for (const f of FIXTURES) {
        await edit(t.domain, admin, subjects[f].id, { description: `All about ${subjects[f].word}, in detail. Blocks T${targets[f]}.` });
        await edit(t.domain, admin, subjects[f].id, { comment: `Also {T${targets[f]}}.` });
      }
      // 75 probes of every channel, some paging one event at a time.
    }, 180_000);

    const mentionCases = VIEWERS.flatMap((viewer) => FIXTURES.map((fixture) => ({ viewer, fixture, sees: SEES[viewer].includes(fixture) })));

    test.each(mentionCases.flatMap((c) => MENTION_CHANNELS.map((m) => ({ ...c, channel: m.name, probe: m.probe }))).filter((c) => !c.sees))(
      '$channel: a mention from the $fixture task is invisible to $viewer',
      async ({ viewer, fixture, channel, probe }) => {
        expect(await probe(world, viewer, targets[fixture])).toEqual(before.get(key(fixture, viewer, channel)));
      },
    );

    test.each(mentionCases.filter((c) => c.sees))('a mention from the $fixture task shows on the task page for $viewer', async ({ viewer, fixture }) => {
      const page = await world.browsers[viewer].get(`/T${targets[fixture]}`);
      expect(page.dom.querySelector('.mentioned-in')?.textContent).toContain(`T${subjects[fixture].id}`);
      expect(page.text).toContain(`admin mentioned this in T${subjects[fixture].id}`);
    });
  });
});
