import type { Express } from 'express';
import type { ConduitBody } from '../support/conduit';
import { call } from '../support/conduit';
import type { Browser, Page } from '../support/http';

/**
 * Every channel through which a task can be reached, as one row each. A row
 * asks one thing of the app about a subject (a task's id, PHID, a word only
 * its text holds, one of its events) and returns the answer as text. The
 * suite asks each row about a task the viewer may not see and about a task
 * that does not exist, and the two answers must be the same once the
 * subject's own id, PHID and word are replaced by placeholders.
 *
 * A new way to reach tasks (boards, the task graph, digests, a new Conduit
 * method) is one more row here; restricted-tasks.test.ts fails until every
 * route of the URL map and every Conduit method is either named by a row or
 * listed as naming no task.
 */

export type Viewer = 'visitor' | 'reader' | 'engineer' | 'maintainer' | 'admin';

/** A task as the probes name it, or the stand-in for one that does not exist. */
export interface Subject {
  id: number;
  phid: string;
  /** A word that only this task's title, description and comment hold. */
  word: string;
  /** A comment event of the task (the stand-in borrows its twin's). */
  eventId: number;
  /** The comment on the host task that references this subject as T1, {T1} and T1#2. */
  hostCommentId: number;
  /** A project (hashtag: the word) that tags this task alone, besides the decoy every search finds; and its board's column. */
  projectId: number;
  columnId: number;
}

export interface World {
  app: Express;
  browsers: Record<Viewer, Browser>;
  /** Each browser's CSRF token, read once: it is bound to the session and does not change. */
  csrf: Record<Viewer, string>;
  /** Conduit tokens; a visitor has none. */
  tokens: Record<Viewer, string | null>;
  /** A Public task whose comments reference every subject. */
  hostId: number;
  /**
   * Has another administrator comment `text` on the host task, which every viewer
   * with an account is subscribed to, sends the mail, and returns the one the
   * viewer received (text and HTML), or '' when none was sent to them.
   */
  mailAbout(viewer: Viewer, text: string): Promise<string>;
}

export interface Channel {
  name: string;
  /** What the row exercises: URL-map routes ("GET /T:id"), Conduit methods ("conduit maniphest.search"), mail ("mail: …"). */
  covers: string[];
  probe(w: World, viewer: Viewer, s: Subject): Promise<string>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Request ids, and the port supertest listened on, differ from one request to the next. */
const volatile = (text: string) => text.replace(UUID, '<uuid>').replace(/http:\/\/127\.0\.0\.1:[0-9]+/g, '<site>');

export function pageAnswer(page: Page): string {
  return volatile(`${page.status} ${page.location ?? ''}\n${page.html}`);
}

const conduitAnswer = (body: ConduitBody) => volatile(JSON.stringify(body));

/** Posts a form as the viewer's browser would, with its CSRF token. */
const submit = (w: World, v: Viewer, path: string, fields: Record<string, string | string[]>) => w.browsers[v].postRaw(path, { ...fields, __csrf__: w.csrf[v] });

const get = (path: (s: Subject, w: World) => string) => async (w: World, v: Viewer, s: Subject) => pageAnswer(await w.browsers[v].get(path(s, w)));

const post = (path: (s: Subject) => string, fields: (s: Subject) => Record<string, string | string[]>) => async (w: World, v: Viewer, s: Subject) =>
  pageAnswer(await submit(w, v, path(s), fields(s)));

const conduit = (method: string, params: (s: Subject) => Record<string, unknown>) => async (w: World, v: Viewer, s: Subject) =>
  conduitAnswer(await call(w.app, method, params(s), w.tokens[v]));

/**
 * An event stream stays open: its answer is its status and what it sends first
 * (a refusal is a whole page, which ends by itself).
 */
const firstOfStream = (path: (s: Subject) => string) => async (w: World, v: Viewer, s: Subject) => {
  const res = await w.browsers[v].agent
    .get(path(s))
    .buffer(true)
    .parse((stream, done) => {
      let text = '';
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        (stream as unknown as { destroy(): void }).destroy();
        done(null, text);
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        text += chunk;
        if (stream.headers['content-type']?.startsWith('text/event-stream') && text.includes('\n\n')) finish();
      });
      stream.on('end', finish);
    });
  return volatile(`${res.status}\n${String(res.body)}`);
};

/** A list as found by searching for the subject's word. */
const search = (extra: string) => get((s) => `/maniphest/query/?text=${s.word}${extra}`);

/** One workboard per app, made through the API the first time a probe needs it: its id and its Backlog column. */
const probeBoards = new WeakMap<Express, Promise<{ board: number; column: number }>>();
function probeBoard(w: World): Promise<{ board: number; column: number }> {
  if (!probeBoards.has(w.app)) {
    probeBoards.set(
      w.app,
      (async () => {
        const made = await call(w.app, 'project.edit', { transactions: [{ type: 'name', value: 'Probe board' }] }, w.tokens.admin);
        const columns = await call(w.app, 'project.column.search', { constraints: { projects: [made.result.object.phid] } }, w.tokens.admin);
        return { board: made.result.object.id as number, column: columns.result.data[0].id as number };
      })(),
    );
  }
  return probeBoards.get(w.app)!;
}

/** A card move naming the subject, as the no-JavaScript form on a board sends it. */
const cardMove = (extra: Record<string, string>) => async (w: World, v: Viewer, s: Subject) => {
  const b = await probeBoard(w);
  return pageAnswer(await submit(w, v, `/project/board/${b.board}/move`, { task: String(s.id), column: String(b.column), ...extra }));
};

export const CHANNELS: Channel[] = [
  {
    name: "a card's Move to column form",
    covers: ['GET /project/board/:id/move'],
    probe: async (w, v, s) => pageAnswer(await w.browsers[v].get(`/project/board/${(await probeBoard(w)).board}/move?task=${s.id}`)),
  },
  { name: 'a card move on a workboard', covers: ['POST /project/board/:id/move'], probe: cardMove({}) },
  { name: 'a card move on a workboard between two cards, as drag and drop sends it', covers: ['POST /project/board/:id/move'], probe: cardMove({ after: '1', before: '2' }) },
  { name: 'the task page', covers: ['GET /T:id'], probe: get((s) => `/T${s.id}`) },
  { name: 'the task page quoting a comment (no JavaScript)', covers: ['GET /T:id'], probe: get((s) => `/T${s.id}?quote=${s.eventId}`) },
  { name: 'the quote of a comment', covers: ['GET /T:id/quote/:eventId'], probe: get((s) => `/T${s.id}/quote/${s.eventId}`) },
  { name: "a task page's live stream", covers: ['GET /T:id/live'], probe: firstOfStream((s) => `/T${s.id}/live`) },
  { name: "a comment's history", covers: ['GET /T:id/comment/:eventId/history'], probe: get((s) => `/T${s.id}/comment/${s.eventId}/history`) },
  { name: "a comment's edit form", covers: ['GET /T:id/comment/:eventId/edit'], probe: get((s) => `/T${s.id}/comment/${s.eventId}/edit`) },
  { name: 'editing a comment', covers: ['POST /T:id/comment/:eventId/edit'], probe: post((s) => `/T${s.id}/comment/${s.eventId}/edit`, () => ({ comment: 'Rewritten by a probe.' })) },
  { name: "a comment's removal form", covers: ['GET /T:id/comment/:eventId/remove'], probe: get((s) => `/T${s.id}/comment/${s.eventId}/remove`) },
  { name: 'removing a comment', covers: ['POST /T:id/comment/:eventId/remove'], probe: post((s) => `/T${s.id}/comment/${s.eventId}/remove`, () => ({})) },
  { name: 'the hovercard', covers: ['GET /T:id/hovercard'], probe: get((s) => `/T${s.id}/hovercard`) },
  { name: 'the edit form', covers: ['GET /maniphest/task/edit/:id/'], probe: get((s) => `/maniphest/task/edit/${s.id}/`) },
  {
    name: 'saving the edit form',
    covers: ['POST /maniphest/task/edit/:id/'],
    probe: post((s) => `/maniphest/task/edit/${s.id}/`, () => ({ priority: 'high' })),
  },
  { name: 'a comment', covers: ['POST /T:id/comment'], probe: post((s) => `/T${s.id}/comment`, () => ({ comment: 'Still happening?', priority: 'low' })) },
  { name: 'a comment posted to the task page', covers: ['POST /T:id'], probe: post((s) => `/T${s.id}`, () => ({ comment: 'Still happening?', priority: 'low' })) },
  { name: 'a claim', covers: ['POST /T:id/claim'], probe: post((s) => `/T${s.id}/claim`, () => ({})) },
  { name: 'a subscription', covers: ['POST /T:id/subscribe'], probe: post((s) => `/T${s.id}/subscribe`, () => ({ action: 'subscribe' })) },
  { name: 'muting', covers: ['POST /T:id/mute'], probe: post((s) => `/T${s.id}/mute`, () => ({ action: 'mute' })) },
  {
    name: 'references in a preview',
    covers: ['POST /markup/preview'],
    probe: post(() => '/markup/preview', (s) => ({ text: `See T${s.id}, {T${s.id}}, T${s.id}#${s.eventId} and (T${s.id}).` })),
  },
  {
    name: 'references in a stored comment',
    covers: ['GET /T:id'],
    async probe(w, v, s) {
      const page = await w.browsers[v].get(`/T${w.hostId}`);
      return `${page.status}\n${page.dom.querySelector(`[id="${s.hostCommentId}"] .comment`)?.innerHTML ?? 'no such comment'}`;
    },
  },
  {
    name: 'typing its monogram into the search box',
    covers: ['GET /maniphest/query/'],
    async probe(w, v, s) {
      const jump = await w.browsers[v].get(`/maniphest/query/?text=T${s.id}`);
      return [pageAnswer(jump), jump.location ? pageAnswer(await w.browsers[v].get(jump.location)) : ''].join('\n');
    },
  },
  { name: 'full-text search, grouped by priority (group counts)', covers: ['GET /maniphest/query/'], probe: search('') },
  { name: 'full-text search by relevance, highlighted, ungrouped', covers: ['GET /maniphest/query/'], probe: search('&order=relevance&group=none') },
  { name: 'full-text search grouped by status', covers: ['GET /maniphest/query/'], probe: search('&group=status&statuses=any-open') },
  { name: 'full-text search grouped by owner', covers: ['GET /maniphest/query/'], probe: search('&group=owner&order=updated') },
  { name: 'full-text search grouped by project (a group per tag, counted)', covers: ['GET /maniphest/query/'], probe: search('&group=project') },
  { name: 'all tasks grouped by project', covers: ['GET /maniphest/query/'], probe: get(() => '/maniphest/query/?group=project&order=newest') },
  { name: 'a title search', covers: ['GET /maniphest/query/'], probe: get((s) => `/maniphest/query/?text=title:${s.word}`) },
  {
    name: 'a saved query',
    covers: ['POST /maniphest/query/save/', 'GET /maniphest/query/:key/', 'GET /maniphest/query/edit/'],
    async probe(w, v, s) {
      const b = w.browsers[v];
      const saved = await submit(w, v, '/maniphest/query/save/', { name: `Find ${s.word}`, query: `text=${s.word}&group=none` });
      if (saved.status !== 303) return pageAnswer(saved);
      const key = saved.location!.split('/')[3]!;
      const [list, manage] = [await b.get(saved.location!), await b.get('/maniphest/query/edit/')];
      // Each save has a new random key; the answer is the same either way.
      await submit(w, v, `/maniphest/query/${key}/delete`, {});
      return [pageAnswer(list), pageAnswer(manage)].join('\n').replaceAll(key, '<key>');
    },
  },
  { name: 'the CSV export of a search', covers: ['GET /maniphest/query/export.:format'], probe: get((s) => `/maniphest/query/export.csv?text=${s.word}`) },
  { name: 'the JSON export of a search', covers: ['GET /maniphest/query/export.:format'], probe: get((s) => `/maniphest/query/export.json?text=${s.word}&order=relevance`) },
  {
    name: 'the export of a built-in query',
    covers: ['GET /maniphest/query/:key/export.:format'],
    // All Tasks lists every task the viewer may see; the subject's word keeps it to this probe's concern.
    async probe(w, v, s) {
      const page = await w.browsers[v].get('/maniphest/query/all/export.json');
      return `${page.status}\n${page.html.includes(s.word) || page.html.includes(`T${s.id}`)}`;
    },
  },
  {
    name: 'a bulk edit of the selected task',
    covers: ['POST /maniphest/bulk/', 'GET /maniphest/bulk/:id/'],
    async probe(w, v, s) {
      const b = w.browsers[v];
      const queued = await submit(w, v, '/maniphest/bulk/', { scope: 'selected', ids: [String(s.id)], addSubscribers: 'admin', query: '', back: '/maniphest/' });
      if (queued.status !== 303) return pageAnswer(queued);
      return pageAnswer(await b.get(queued.location!)).replace(/\/maniphest\/bulk\/[0-9]+\//g, '/maniphest/bulk/<id>/');
    },
  },
  {
    name: 'a bulk edit of every result of a search',
    covers: ['POST /maniphest/bulk/', 'GET /maniphest/bulk/:id/'],
    async probe(w, v, s) {
      const b = w.browsers[v];
      const queued = await submit(w, v, '/maniphest/bulk/', { scope: 'all', query: `text=${s.word}`, priority: 'wish', back: '/maniphest/' });
      if (queued.status !== 303) return pageAnswer(queued);
      return pageAnswer(await b.get(queued.location!)).replace(/\/maniphest\/bulk\/[0-9]+\//g, '/maniphest/bulk/<id>/');
    },
  },
  { name: 'the project page (its tasks)', covers: ['GET /project/view/:id/'], probe: get((s) => `/project/view/${s.projectId}/`) },
  { name: 'the tag page', covers: ['GET /tag/:hashtag/'], probe: get((s) => `/tag/${s.word}/`) },
  { name: 'the workboard (cards and column counts)', covers: ['GET /project/board/:id/'], probe: get((s) => `/project/board/${s.projectId}/`) },
  { name: 'the workboard filtered by text', covers: ['GET /project/board/:id/'], probe: get((s) => `/project/board/${s.projectId}/?text=${s.word}`) },
  {
    name: 'moving a card on the workboard',
    covers: ['POST /project/board/:id/move'],
    probe: post((s) => `/project/board/${s.projectId}/move`, (s) => ({ task: String(s.id), column: String(s.columnId), back: `/project/board/${s.projectId}/` })),
  },
  {
    name: 'references in task mail',
    covers: ['mail: a comment on a subscribed task'],
    probe: (w, v, s) => w.mailAbout(v, `See T${s.id}, {T${s.id}} and T${s.id}#${s.eventId}.`),
  },
  { name: 'maniphest.search by id', covers: ['conduit maniphest.search'], probe: conduit('maniphest.search', (s) => ({ constraints: { ids: [s.id] }, attachments: { subscribers: true } })) },
  { name: 'maniphest.search by PHID', covers: ['conduit maniphest.search'], probe: conduit('maniphest.search', (s) => ({ constraints: { phids: [s.phid] } })) },
  { name: 'maniphest.search by full text', covers: ['conduit maniphest.search'], probe: conduit('maniphest.search', (s) => ({ constraints: { query: s.word }, order: 'relevance' })) },
  { name: 'transaction.search by id', covers: ['conduit transaction.search'], probe: conduit('transaction.search', (s) => ({ objectIdentifier: s.id })) },
  { name: 'transaction.search by monogram', covers: ['conduit transaction.search'], probe: conduit('transaction.search', (s) => ({ objectIdentifier: `T${s.id}` })) },
  { name: 'transaction.search by PHID', covers: ['conduit transaction.search'], probe: conduit('transaction.search', (s) => ({ objectIdentifier: s.phid })) },
  {
    name: 'maniphest.edit by id',
    covers: ['conduit maniphest.edit'],
    probe: conduit('maniphest.edit', (s) => ({ objectIdentifier: s.id, transactions: [{ type: 'comment', value: 'From a script.' }] })),
  },
  {
    name: 'maniphest.edit by monogram',
    covers: ['conduit maniphest.edit'],
    probe: conduit('maniphest.edit', (s) => ({ objectIdentifier: `T${s.id}`, transactions: [{ type: 'priority', value: 'high' }] })),
  },
  { name: 'its Edit Subtasks picker', covers: ['GET /search/rel/:relationship/:id/'], probe: get((s) => `/search/rel/task.has-subtask/${s.id}/?q=host`) },
  { name: 'a picker searching for its word', covers: ['GET /search/rel/:relationship/:id/'], probe: get((s, w) => `/search/rel/task.has-subtask/${w.hostId}/?q=${s.word}`) },
  { name: 'a picker searching for its monogram', covers: ['GET /search/rel/:relationship/:id/'], probe: get((s, w) => `/search/rel/task.merge-in/${w.hostId}/?q=T${s.id}`) },
  { name: 'the typeahead for its word', covers: ['GET /typeahead/tasks/'], probe: get((s, w) => `/typeahead/tasks/?relationship=task.has-parent&task=${w.hostId}&q=${s.word}`) },
  { name: 'the typeahead for its monogram', covers: ['GET /typeahead/tasks/'], probe: get((s, w) => `/typeahead/tasks/?relationship=task.has-subtask&task=${w.hostId}&q=T${s.id}`) },
  { name: 'the shared typeahead for its word', covers: ['GET /typeahead/'], probe: get((s) => `/typeahead/?kind=tasks&q=${s.word}`) },
  { name: 'the shared typeahead for its monogram', covers: ['GET /typeahead/'], probe: get((s) => `/typeahead/?kind=tasks&q=T${s.id}`) },
  { name: 'saving its parent tasks', covers: ['POST /search/rel/:relationship/:id/'], probe: post((s) => `/search/rel/task.has-parent/${s.id}/`, () => ({ add: 'T1' })) },
  {
    name: 'linking it as a subtask',
    covers: ['POST /search/rel/:relationship/:id/'],
    async probe(w, v, s) {
      const linked = await submit(w, v, `/search/rel/task.has-subtask/${w.hostId}/`, { add: String(s.id) });
      // A visible subject is linked; unlink it, so the next probe starts alike.
      if (linked.status === 303) await submit(w, v, `/search/rel/task.has-subtask/${w.hostId}/`, { remove: String(s.id) });
      return pageAnswer(linked);
    },
  },
  {
    name: 'maniphest.edit linking it by PHID',
    covers: ['conduit maniphest.edit'],
    async probe(w, v, s) {
      const edit = (op: string) => call(w.app, 'maniphest.edit', { objectIdentifier: w.hostId, transactions: [{ type: op, value: [s.phid] }] }, w.tokens[v]);
      const linked = await edit('parents.add');
      // A visible subject is linked; unlink it, so the next probe starts alike.
      if (linked.error_code === null) await edit('parents.remove');
      return conduitAnswer(linked).replace(/PHID-XACT-TASK-[a-z2-7]+/g, '<xact>');
    },
  },
  { name: 'maniphest.search paging after it', covers: ['conduit maniphest.search'], probe: conduit('maniphest.search', (s) => ({ after: String(s.id), order: 'newest' })) },
  { name: 'maniphest.search paging before it', covers: ['conduit maniphest.search'], probe: conduit('maniphest.search', (s) => ({ before: String(s.id) })) },
  { name: 'maniphest.info', covers: ['conduit maniphest.info'], probe: conduit('maniphest.info', (s) => ({ task_id: s.id })) },
  { name: 'maniphest.query by id', covers: ['conduit maniphest.query'], probe: conduit('maniphest.query', (s) => ({ ids: [s.id] })) },
  { name: 'maniphest.query by PHID', covers: ['conduit maniphest.query'], probe: conduit('maniphest.query', (s) => ({ phids: [s.phid] })) },
  { name: 'maniphest.query by full text', covers: ['conduit maniphest.query'], probe: conduit('maniphest.query', (s) => ({ fullText: s.word })) },
  { name: 'maniphest.update by id', covers: ['conduit maniphest.update'], probe: conduit('maniphest.update', (s) => ({ id: s.id, comments: 'From an old script.' })) },
  { name: 'maniphest.update by PHID', covers: ['conduit maniphest.update'], probe: conduit('maniphest.update', (s) => ({ phid: s.phid, priority: 80 })) },
  { name: 'maniphest.gettasktransactions', covers: ['conduit maniphest.gettasktransactions'], probe: conduit('maniphest.gettasktransactions', (s) => ({ ids: [s.id] })) },
  // maniphest.edit by PHID is left out until issue 9's "maniphest.edit answers differently for a hidden
  // task's PHID than for a missing one" is fixed.
];

/**
 * What a visible task shows of the tasks that mention it: its back-links, its
 * "mentioned this in" events, its timeline through the API. Each row reads
 * the visible task `id`; a mention from a task the viewer may not see must
 * leave every row's answer exactly as it was.
 */
export interface MentionChannel {
  /** The visible task is titled "Target zebra<id>", so a search can find it alone. */
  name: string;
  probe(w: World, viewer: Viewer, id: number): Promise<string>;
}

export const MENTION_CHANNELS: MentionChannel[] = [
  { name: 'the task page (timeline and Mentions panel)', probe: async (w, v, id) => pageAnswer(await w.browsers[v].get(`/T${id}`)) },
  { name: 'the hovercard', probe: async (w, v, id) => pageAnswer(await w.browsers[v].get(`/T${id}/hovercard`)) },
  { name: 'the edit form', probe: async (w, v, id) => pageAnswer(await w.browsers[v].get(`/maniphest/task/edit/${id}/`)) },
  // One event per page, so each cursor is compared too: a cursor must never point at an event the viewer may not see.
  {
    name: 'transaction.search, one event per page',
    probe: async (w, v, id) => {
      const pages: unknown[] = [];
      let after: unknown = null;
      do {
        const res = await call(w.app, 'transaction.search', { objectIdentifier: id, limit: 1, ...(after ? { after } : {}) }, w.tokens[v]);
        pages.push(conduitAnswer(res));
        after = res.result?.cursor?.after ?? null;
      } while (after && pages.length < 50);
      return pages.join('\n');
    },
  },
  { name: 'transaction.search', probe: async (w, v, id) => conduitAnswer(await call(w.app, 'transaction.search', { objectIdentifier: id }, w.tokens[v])) },
  { name: 'maniphest.search', probe: async (w, v, id) => conduitAnswer(await call(w.app, 'maniphest.search', { constraints: { ids: [id] }, attachments: { subscribers: true } }, w.tokens[v])) },
  { name: 'maniphest.gettasktransactions', probe: async (w, v, id) => conduitAnswer(await call(w.app, 'maniphest.gettasktransactions', { ids: [id] }, w.tokens[v])) },
  { name: 'maniphest.info', probe: async (w, v, id) => conduitAnswer(await call(w.app, 'maniphest.info', { task_id: id }, w.tokens[v])) },
  {
    name: 'a list ordered by update, showing when it was updated',
    probe: async (w, v, id) => pageAnswer(await w.browsers[v].get(`/maniphest/query/?text=title:zebra${id}&order=updated&group=none`)),
  },
];

/** Routes of the URL map that name no task, and so have no row: each with the reason. */
export const TASK_FREE_ROUTES: Record<string, string> = {
  'GET /': 'a redirect to the task list',
  'GET /healthz': 'the database round trip for load balancers',
  'POST /file/upload': 'stores a file, which no task names yet; files.test.ts covers who may read it',
  'GET /file/data/:file/:name': 'a file by its F-number, shown to its uploader and to those who may see a task naming it (files.test.ts)',
  'GET /maniphest/live': "a list's count of changed tasks, of those the viewer may see only (test/http/live.test.ts)",
  'GET /favicon.ico': 'the icon',
  'GET /jump/': 'a redirect worked out from the typed text alone; it reads no task (the page it leads to answers for itself)',
  'GET /maniphest/': 'a built-in or saved query, the same lists as the rows above',
  'GET /maniphest/task/edit/': 'the empty create form',
  'POST /maniphest/task/edit/': 'creates a task; names none',
  'POST /maniphest/query/:key/rename': "renames one's own saved query",
  'POST /maniphest/query/:key/move': "reorders one's own saved queries",
  'POST /maniphest/query/:key/delete': "deletes one's own saved query",
  'GET /setup': 'the first account',
  'POST /setup': 'the first account',
  'GET /login': 'logging in',
  'POST /login': 'logging in',
  'POST /logout': 'logging out',
  'GET /login/email/': 'asking for a password reset link',
  'POST /login/email/': 'asking for a password reset link',
  'GET /login/once/:token/': 'a one-time login link',
  'POST /login/once/:token/': 'a one-time login link',
  'GET /auth/finish/': 'the second factor of a login',
  'POST /auth/finish/': 'the second factor of a login',
  'GET /auth/password/': 'the new password a login link owes',
  'POST /auth/password/': 'the new password a login link owes',
  'GET /auth/elevate/': 'a code for high security mode',
  'POST /auth/elevate/': 'a code for high security mode',
  'GET /people/': 'accounts, no tasks',
  'POST /people/:username/role': 'accounts, no tasks',
  'POST /people/:username/disable': 'accounts, no tasks',
  'POST /people/': 'accounts, no tasks',
  'GET /people/log/': 'the account log, no tasks',
  'POST /people/:username/login-link': 'accounts, no tasks',
  'POST /people/:username/mfa-reset': 'accounts, no tasks',
  'GET /p/:username/': "a person's open tasks, probed in test/http/visibility.test.ts per viewer",
  'GET /settings/tokens/': 'API tokens',
  'POST /settings/tokens/': 'API tokens',
  'POST /settings/tokens/:id/revoke': 'API tokens',
  'GET /settings/calendar/': "one's calendar feed address",
  'POST /settings/calendar/': "one's calendar feed address",
  'POST /settings/calendar/revoke': "one's calendar feed address",
  'GET /maniphest/calendar/:secret.ics': "the tasks assigned to the feed's owner, which an owner always sees; probed in test/http/due-calendar.test.ts",
  'GET /settings/mail/': "one's mail preferences",
  'POST /settings/mail/': "one's mail preferences",
  'GET /settings/': "one's account",
  'POST /settings/realname': "one's account",
  'POST /settings/password': "one's account",
  'POST /settings/email': "one's account",
  'GET /settings/email/verify/:token/': 'a one-time address link',
  'POST /settings/email/verify/:token/': 'a one-time address link',
  'POST /settings/sessions/end-others': "one's sessions",
  'POST /settings/sessions/:ref/end': "one's sessions",
  'GET /settings/mfa/': "one's second factor",
  'POST /settings/mfa/begin': "one's second factor",
  'GET /settings/mfa/qr.svg': "one's second factor",
  'POST /settings/mfa/confirm': "one's second factor",
  'POST /settings/mfa/recovery-codes': "one's second factor",
  'POST /settings/mfa/remove': "one's second factor",
  'GET /project/': 'projects, no tasks',
  'GET /project/edit/': 'the empty project form',
  'POST /project/edit/': 'creates a project; names no task',
  'GET /project/edit/:id/': 'a project form, no tasks',
  'POST /project/edit/:id/': 'edits a project; names no task',
  'POST /project/:id/close': 'closes a project; names no task',
  'POST /project/:id/milestone': 'creates a milestone; names no task',
  'GET /tag/:hashtag/hovercard': "a project's name and description",
  'GET /project/board/:id/columns/': "a board's columns and their card counts, no task named",
  'POST /project/board/:id/columns/': 'adds a column; names no task',
  'POST /project/board/:id/columns/:column/edit': 'edits a column; names no task',
  'POST /project/board/:id/columns/:column/hide': 'hides a column; names no task',
  'POST /project/board/:id/columns/:column/move': 'reorders columns; names no task',
  'POST /project/board/:id/columns/:column/default': 'sets the default column; names no task',
  'POST /project/board/:id/columns/:column/delete': 'deletes an empty column; names no task',
  'GET /config/workflow/': 'the configured workflow rules, no tasks',
  'GET /conduit/': 'the API documentation',
  'GET /conduit/method/:name/': 'the API documentation',
  'POST /conduit/method/:name/': 'the console runs the same methods as /api/, whose rows are above',
  'POST /api/:method': 'every method that names a task has its rows above',
  // The outbox is for mail.manage, an administrator's capability, and administrators see every task.
  'GET /mail/': 'the outbox, for administrators only',
  'GET /mail/:id/': 'a message of the outbox, for administrators only',
  'POST /mail/:id/retry': 'a message of the outbox, for administrators only',
};

/** Conduit methods that name no task. */
export const TASK_FREE_METHODS: Record<string, string> = {
  'conduit.ping': 'no data at all',
  'user.whoami': 'the caller',
  'user.search': 'accounts',
  'project.search': 'projects',
  'project.edit': 'projects',
  'project.column.search': 'workboard columns',
  'maniphest.status.search': 'the configured statuses',
  'maniphest.priority.search': 'the configured priorities',
  'maniphest.querystatuses': 'the configured statuses',
  'maniphest.createtask': 'creates a task; names only people and projects',
  'conduit.query': 'the methods',
  'conduit.getcapabilities': 'no data at all',
};
