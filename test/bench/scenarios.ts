import type { BenchBoard } from './board';
import type { Session } from './login';
import { COMMENT_OPENERS, COMMON_WORDS, RARE_WORDS } from './words';
import { BOARD_CARDS } from './board';
import { customScenarios } from './custom';
import { dueScenario } from './due';

/** Two rare words: a specific search, matching a fraction of a percent of tasks; the run replaces it with the query nearest 100 matches (search-words.ts). */
export const FULL_TEXT = 'deadlock webhook';

export type Kind = 'baseline' | 'page' | 'list' | 'write';

export interface Scenario {
  name: string;
  title: string;
  kind: Kind;
  method: 'GET' | 'POST';
  /** The path as printed; writes vary it per request through `next`. */
  path: string;
  /** The status a correct answer has: 200 for pages, 303 for a form that saved. */
  expect: number;
  /** Sent logged in (session cookie) or as a visitor. */
  auth: boolean;
  /** A fresh request each time (writes go to different tasks, with different text; `pages` reads different tasks). */
  next?: () => { path: string; body?: string };
  /** For lists: the query parameters, so the plans step can run the same query in process. */
  params?: Record<string, string>;
}

export interface ScenarioContext {
  session: Session;
  pageTaskId: number;
  tasks: number;
  board: BenchBoard;
  /** A task with 200 connected tasks (test/bench/graph.ts). */
  graphTaskId: number;
  /** A task with 20 comments, 5 of them showing an image (test/bench/images.ts), when the run made one. */
  imageTaskId?: number;
  /** The full-text query (by default FULL_TEXT; a run picks the one matching about 100 tasks). */
  search?: string;
  /** Conduit tokens for the API scenario, used in turn; without them it is left out. */
  apiTokens?: string[];
}

/** The floor process's one route (floor-server.ts), measured like a scenario against the floor's own address. */
export const FLOOR: Scenario = { name: 'floor', title: 'floor: express + pg `SELECT 1`', kind: 'baseline', method: 'GET', path: '/', expect: 200, auth: false };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const choose = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const sentence = (n: number) => Array.from({ length: n }, () => (Math.random() < 0.85 ? choose(COMMON_WORDS) : choose(RARE_WORDS))).join(' ');

const query = (params: Record<string, string>) => `/maniphest/query/?${new URLSearchParams(params).toString()}`;

/**
 * The tasks the `pages` scenario reads at random: reads spread over many pages, each read about
 * once a second, as on a tracker people browse, where a page is read less often than the tracker is written to.
 */
const PAGES = 1000;

const FILTERED = { priorities: 'high,normal', statuses: 'any-open', group: 'owner', order: 'updated' };
/** What a Conduit client sends to create a task: the parameters as one JSON field, the token inside it (arcanist, canduit). */
function apiCreate(token: string, n: number): string {
  const transactions = [
    { type: 'title', value: `Bench API: ${sentence(5)} ${n}` },
    { type: 'description', value: `${sentence(20)}.\n\nSteps to reproduce:\n\n1. ${sentence(4)}\n2. ${sentence(4)}` },
  ];
  return form({ params: JSON.stringify({ transactions, __conduit__: { token } }), output: 'json' });
}

export function scenarios(ctx: ScenarioContext): Scenario[] {
  let n = 0;
  let call = 0;
  const SEARCH = { text: ctx.search ?? FULL_TEXT };
  const tokens = ctx.apiTokens ?? [];
  return [
    { name: 'baseline', title: '/healthz (all middleware, SELECT 1)', kind: 'baseline', method: 'GET', path: '/healthz', expect: 200, auth: false },
    { name: 'task', title: 'task page, 20 comments', kind: 'page', method: 'GET', path: `/T${ctx.pageTaskId}`, expect: 200, auth: true },
    {
      name: 'pages',
      title: `task pages, ${PAGES} at random`,
      kind: 'page',
      method: 'GET',
      path: `/T{1..${PAGES}}`,
      expect: 200,
      auth: true,
      next: () => ({ path: `/T${1 + Math.floor(Math.random() * Math.min(PAGES, ctx.tasks))}` }),
    },
    ...(ctx.imageTaskId
      ? [{ name: 'images', title: 'task page, 20 comments, 5 images', kind: 'page' as const, method: 'GET' as const, path: `/T${ctx.imageTaskId}`, expect: 200, auth: true }]
      : []),
    { name: 'graph', title: 'task page, 200 connected tasks', kind: 'page', method: 'GET', path: `/T${ctx.graphTaskId}`, expect: 200, auth: true },
    {
      name: 'open',
      title: 'Open Tasks list',
      kind: 'list',
      method: 'GET',
      path: '/maniphest/query/open/',
      expect: 200,
      auth: true,
      params: { statuses: 'any-open' },
    },
    {
      name: 'assigned',
      title: 'Assigned to me',
      kind: 'list',
      method: 'GET',
      path: '/maniphest/query/assigned/',
      expect: 200,
      auth: true,
      params: { assigned: 'me', statuses: 'any-open' },
    },
    { name: 'fulltext', title: `full text "${SEARCH.text}"`, kind: 'list', method: 'GET', path: query(SEARCH), expect: 200, auth: true, params: SEARCH },
    { name: 'filtered', title: 'filtered, grouped by owner', kind: 'list', method: 'GET', path: query(FILTERED), expect: 200, auth: true, params: FILTERED },
    dueScenario(),
    {
      name: 'create',
      title: 'create a task (POST)',
      kind: 'write',
      method: 'POST',
      path: '/maniphest/task/edit/',
      expect: 303,
      auth: true,
      next: () => ({
        path: '/maniphest/task/edit/',
        body: form({
          __csrf__: ctx.session.csrf,
          title: `Bench: ${sentence(5)} ${++n}`,
          description: `${sentence(20)}.\n\nSteps to reproduce:\n\n1. ${sentence(4)}\n2. ${sentence(4)}`,
          priority: 'triage',
          status: 'open',
          view: 'users',
          owner: '',
        }),
      }),
    },
    ...(tokens.length
      ? [
          {
            name: 'api',
            title: 'create a task through `maniphest.edit`',
            kind: 'write' as const,
            method: 'POST' as const,
            path: '/api/maniphest.edit',
            expect: 200,
            auth: false,
            next: () => ({ path: '/api/maniphest.edit', body: apiCreate(tokens[call++ % tokens.length]!, ++n) }),
          },
        ]
      : []),
    {
      name: 'comment',
      title: 'add a comment (POST)',
      kind: 'write',
      method: 'POST',
      path: '/T{random}/comment',
      expect: 303,
      auth: true,
      next: () => {
        // Any seeded task but the one the task-page scenario reads, so that page stays at 20 comments.
        let id = 1 + Math.floor(Math.random() * ctx.tasks);
        if (id === ctx.pageTaskId) id = id === 1 ? 2 : id - 1;
        return { path: `/T${id}/comment`, body: form({ __csrf__: ctx.session.csrf, comment: `${choose(COMMENT_OPENERS)} ${sentence(12)}.` }) };
      },
    },
    { name: 'board', title: `workboard, ${BOARD_CARDS} cards`, kind: 'page', method: 'GET', path: `/project/board/${ctx.board.id}/`, expect: 200, auth: true },
    {
      name: 'move',
      title: 'move a card (POST)',
      kind: 'write',
      method: 'POST',
      path: `/project/board/${ctx.board.id}/move`,
      expect: 303,
      auth: true,
      // Between the columns bound to no status, to the top of the column: the task's status stays.
      next: () => ({
        path: `/project/board/${ctx.board.id}/move`,
        body: form({ __csrf__: ctx.session.csrf, task: String(choose(ctx.board.openCards)), column: String(choose(ctx.board.openColumns)) }),
      }),
    },
    ...customScenarios(),
  ];
}

/** The load scenarios, `export` (one streamed download of every open task, with memory sampled) and `mail` (edits with mail on and off, and the queue's throughput). */
export const SCENARIO_NAMES = ['baseline', 'task', 'pages', 'images', 'graph', 'open', 'assigned', 'fulltext', 'filtered', 'due', 'create', 'api', 'comment', 'board', 'move', 'custom', 'export', 'live', 'mail'];
