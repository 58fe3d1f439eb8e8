import type { Knex } from 'knex';
import { AppError } from '../errors';
import { applyEdit, type Domain } from '../tasks/editor';
import type { Change } from '../tasks/events/types';
import { analyzeTasks, countTasks } from '../tasks/repository';
import { hashPassword } from '../users/passwords';
import { findUserByUsername, insertUser } from '../users/repository';
import { createProject } from '../projects/edit';
import { ProjectInput } from '../projects/project';
import { findProjectsByHashtags } from '../projects/repository';
import type { Role } from '../users/roles';
import type { User } from '../users/user';

export const DEMO_PASSWORD = 'trellis-demo';

const PEOPLE: { username: string; realname: string; role: Role }[] = [
  { username: 'alice', realname: 'Alice Moreau', role: 'admin' },
  { username: 'bob', realname: 'Bob Okafor', role: 'maintainer' },
  { username: 'carol', realname: 'Carol Lindqvist', role: 'maintainer' },
  { username: 'dave', realname: 'Dave Ishikawa', role: 'engineer' },
  { username: 'erin', realname: 'Erin Walsh', role: 'engineer' },
  { username: 'frank', realname: 'Frank Ruiz', role: 'reader' },
];

type Step = [who: string, changes: Record<string, unknown>];
interface DemoTask {
  by: string;
  title: string;
  description?: string;
  priority?: string;
  view?: string;
  then?: Step[];
}

const TASKS: DemoTask[] = [
  { by: 'dave', title: 'Login fails with 500 when the password contains a percent sign', priority: 'unbreak',
    description: 'Steps:\n\n1. Set a password like `50%off`\n2. Log out, log in again\n\nThe server answers **500**. Started after the last deploy.',
    then: [['bob', { owner: 'bob', comment: 'Reproduced. The form decoder chokes on `%o`. Taking it.' }], ['bob', { comment: 'Fix is up for review.' }]] },
  { by: 'erin', title: 'Search results lose their highlighting after paging', priority: 'normal',
    then: [['carol', { comment: 'Only on the second page and later; the first page is fine. @dave, is this the same cause as T{1}?' }], ['dave', { comment: 'No, T{1} was the form decoder. This one is the highlighter losing its terms in the next-page link.' }]] },
  { by: 'dave', title: 'Add keyboard shortcut to jump to a task by number', priority: 'wish',
    description: 'Pressing `g t` then typing a number could open that task.' },
  { by: 'carol', title: 'Timeline timestamps ignore the viewer time zone', priority: 'high',
    then: [['carol', { owner: 'dave', projects: { add: ['web'] } }], ['dave', { comment: 'Looking into it; the server formats everything in UTC. @erin, the search pages in T{2} show the same dates.' }]] },
  { by: 'bob', title: 'Upgrade the PostgreSQL driver', priority: 'low',
    then: [['bob', { status: 'resolved', comment: 'Done in the last release.' }]] },
  { by: 'erin', title: 'Export a task list as CSV', priority: 'normal',
    description: 'Triage meetings want a spreadsheet. Columns: id, title, priority, owner, status.' },
  { by: 'dave', title: 'Comment preview renders tables without borders', priority: 'low',
    then: [['carol', { status: 'wontfix', comment: 'Tables follow the site style on purpose.' }]] },
  { by: 'alice', title: 'Rotate the API signing keys', priority: 'high', view: 'maintainers',
    description: 'Keys are older than a year. Schedule the rotation with the operations team.',
    then: [['alice', { owner: 'bob' }]] },
  { by: 'erin', title: 'Mobile layout: side panel covers the comment box', priority: 'high',
    then: [['erin', { owner: 'erin' }], ['erin', { comment: 'The panel now stacks above the timeline below 760px.' }], ['carol', { status: 'resolved' }]] },
  { by: 'dave', title: 'Duplicate emails sent when a task is closed twice quickly',
    then: [['bob', { priority: 'high', comment: 'Probably a race between two app servers. Related to T{5}? The new driver changed how we lock.', projects: { add: ['backend'] } }], ['carol', { comment: '@bob I could not reproduce it with one server; it needs two.' }]] },
  { by: 'erin', title: 'Document how to run on a real PostgreSQL server', priority: 'normal',
    then: [['carol', { owner: 'carol', status: 'resolved', comment: 'The README has a section now.' }]] },
  { by: 'dave', title: 'Allow saving a search as a named query', priority: 'normal' },
  { by: 'erin', title: 'Typo on the login page: "pasword"', priority: 'low' },
  { by: 'carol', title: 'Page title should include the task number', priority: 'wish',
    then: [['dave', { owner: 'dave' }], ['bob', { status: 'resolved', comment: 'Deployed.' }]] },
  { by: 'bob', title: 'Database migrations take a lock on the tasks table for too long', priority: 'high',
    description: 'Adding an index without `CONCURRENTLY` blocks writes for minutes on large installs.',
    then: [['bob', { owner: 'bob', projects: { add: ['backend'] } }], ['carol', { comment: 'This also explains the slow deploys in T{11}.' }]] },
  { by: 'erin', title: 'Old owner is not notified when a task is reassigned', priority: 'normal',
    then: [['carol', { comment: 'They stay subscribed, so mail should reach them once mail exists. See T{10} for the duplicate mails.' }]] },
  { by: 'dave', title: 'Support Markdown task lists in descriptions', priority: 'low',
    description: '- [x] parse `- [ ]`\n- [ ] render checkboxes\n- [ ] keep them read-only' },
  { by: 'alice', title: 'Set up nightly backups of the production database', priority: 'unbreak', view: 'maintainers',
    then: [['carol', { owner: 'carol', comment: 'Backups run at 02:00 UTC; restore tested on staging.' }], ['carol', { status: 'resolved' }]] },
  { by: 'erin', title: 'Priority colours are hard to tell apart for colour-blind readers', priority: 'normal',
    then: [['carol', { comment: 'Every list shows the priority name beside its colour now; @erin please check the board cards.', projects: { add: ['web'] } }]] },
  { by: 'dave', title: 'Closing a task should not require a comment', priority: 'low',
    then: [['bob', { status: 'invalid', comment: 'It already does not.' }]] },
  { by: 'erin', title: 'Show who closed a task in the side panel', priority: 'normal',
    then: [['erin', { owner: 'erin' }]] },
  { by: 'carol', title: 'Reader accounts can see the Create Task button', priority: 'high',
    then: [['carol', { owner: 'dave' }], ['dave', { comment: 'The button now follows the role.' }], ['carol', { status: 'resolved' }]] },
  { by: 'dave', title: 'Slow task page with hundreds of comments',
    then: [['bob', { parents: { add: ['T{15}'] }, comment: 'Part of the database work in T{15}.', projects: { add: ['backend'] } }]] },
  { by: 'bob', title: 'Write an on-call runbook for the tracker', priority: 'normal', view: 'maintainers' },
  { by: 'erin', title: 'Long titles overflow the list on small screens', priority: 'low',
    then: [['erin', { owner: 'erin', comment: 'Same root cause as T{9}.', projects: { add: ['web'] } }], ['carol', { status: 'resolved' }]] },
  { by: 'dave', title: 'Remember the last chosen priority in the create form', priority: 'wish' },
  { by: 'carol', title: 'Public status page for the tracker itself', priority: 'low', view: 'public',
    description: 'Visitors who are not logged in can read this task.' },
  { by: 'erin', title: 'Session cookie missing the Secure flag behind the proxy', priority: 'unbreak',
    then: [['bob', { owner: 'bob', comment: 'Needs `TRUST_PROXY=true` on that install; adding a note to the docs.' }]] },
  { by: 'dave', title: 'Subscribers list should show real names on hover', priority: 'wish' },
  { by: 'erin', title: 'Renamed tasks keep the old title in browser history', priority: 'low',
    then: [['erin', { title: 'Renamed tasks keep their old title in the browser tab' }]] },
];

/** The demo's projects; tasks name them by hashtag. */
const PROJECTS = [
  { by: 'bob', name: 'Backend', hashtags: 'backend', description: 'The server, the database and mail.' },
  { by: 'carol', name: 'Web', hashtags: 'web', description: 'Pages, layout and the browser.' },
];

/** `T{3}` in a step is the third task of the list above, whatever number the install gives it. */
function resolveRefs(value: unknown, ids: number[]): unknown {
  if (typeof value === 'string') return value.replace(/T\{([0-9]+)\}/g, (_m, n: string) => `T${ids[Number(n) - 1]}`);
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
  return value;
}

function toChanges(changes: Record<string, unknown>, ids: number[] = []): Change[] {
  return Object.entries(changes).map(([type, value]) => ({ type, value: resolveRefs(value, ids) }));
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * When each step happened: the tasks are filed over the last four months, oldest first, and
 * each task's steps follow within hours or days, so the "updated" and "created" orders differ
 * and dates read like a real tracker's. Fixed numbers, not random ones: every load looks alike.
 */
function timesOf(index: number, steps: number, now: number): Date[] {
  const created = now - (120 - index * 3.9) * DAY + ((index * 7) % 9) * HOUR;
  const times = [created];
  for (let j = 1; j <= steps; j++) times.push(times[j - 1]! + (((index * 11 + j * 17) % 70) + 2) * HOUR);
  // A step that would fall in the future happens in the last hours instead, still in order.
  return times.map((t, j) => new Date(Math.min(t, now - (steps - j + 1) * 10 * 60_000)));
}

export interface DemoResult {
  people: number;
  tasks: number;
  /** Accounts the demo made, with the demo password; those that existed already keep their own. */
  created: string[];
  existing: string[];
}

/** Loads a small, realistic tracker into an empty install, all or nothing: six people, two projects, thirty tasks with history. */
export async function loadDemo(d: Domain): Promise<DemoResult> {
  return d.db.transaction((trx) => loadInto({ db: trx, tracker: d.tracker }));
}

async function loadInto(d: Domain): Promise<DemoResult> {
  const db: Knex = d.db;
  if ((await countTasks(db)) > 0) {
    throw new AppError(409, 'not-empty', 'This tracker already has tasks; the demo data is only loaded into an empty one.');
  }
  const hash = await hashPassword(DEMO_PASSWORD);
  const people = new Map<string, User>();
  const created: string[] = [];
  const existing: string[] = [];
  for (const p of PEOPLE) {
    const found = await findUserByUsername(db, p.username);
    (found ? existing : created).push(p.username);
    people.set(p.username, found ?? (await insertUser(db, { ...p, email: `${p.username}@example.com`, passwordHash: hash })));
  }
  const who = (name: string) => people.get(name)!;
  for (const p of PROJECTS) {
    if ((await findProjectsByHashtags(db, [p.hashtags])).size === 0) await createProject(db, who(p.by), ProjectInput.parse(p));
  }
  const now = Date.now();
  const ids: number[] = [];
  for (const [index, t] of TASKS.entries()) {
    const first: Record<string, unknown> = { title: t.title };
    if (t.description) first.description = t.description;
    if (t.priority) first.priority = t.priority;
    if (t.view) first.view = t.view;
    const steps = t.then ?? [];
    const times = timesOf(index, steps.length, now);
    const { taskId } = await applyEdit(d, who(t.by), null, toChanges(first), { source: 'cli', at: times[0] });
    ids.push(taskId);
    for (const [j, [name, changes]] of steps.entries()) await applyEdit(d, who(name), taskId, toChanges(changes, ids), { source: 'cli', at: times[j + 1] });
  }
  // The lists order by these columns; fresh statistics let PostgreSQL plan them for the demo's rows.
  await analyzeTasks(db);
  return { people: PEOPLE.length, tasks: TASKS.length, created, existing };
}

/** What `demo` tells: whom to log in as, and which passwords are the demo's (an account that existed keeps its own). */
export function demoReport(loaded: DemoResult): string[] {
  const login = 'Log in as alice (administrator), bob or carol (maintainers), dave or erin (engineers) or frank (reader)';
  const passwords = !loaded.existing.length
    ? `; every password is "${DEMO_PASSWORD}".`
    : `. ${loaded.created.length ? `The password of ${loaded.created.join(', ')} is "${DEMO_PASSWORD}"; ` : ''}${loaded.existing.join(', ')} already existed and kept ${loaded.existing.length === 1 ? 'its' : 'their'} own password.`;
  return [`Loaded ${loaded.people} people and ${loaded.tasks} tasks.`, login + passwords];
}
