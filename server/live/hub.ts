import type { Knex } from 'knex';
import { listen, type Listening } from '../db/listen';
import { errorText, logLine } from '../log';
import { canView } from '../tasks/policy';
import * as repo from '../tasks/repository';
import type { Task } from '../tasks/task';
import { timelineTaskIds } from '../tasks/timeline';
import type { Actor } from '../users/roles';
import { listEventsInGroups } from '../tasks/event-repository';

/** One open page: who looks at it, and how to tell it something. */
export interface LiveStream {
  viewer: Actor | null;
  send(event: string, data: object): void;
  end(): void;
}

/** What one notification says happened: a group of events written on a task. */
interface News {
  task: Task;
  /** The newest event of the group: the version a page that shows it has reached. */
  version: number;
  /** Other tasks the group's lines name (back-links): a viewer who may not see one is not told of the group. */
  named: Task[];
}

/** A comment line every so often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

/**
 * Fans the database's notifications out to the live pages of this process.
 * Each notification is read once (the task and what the group names), then
 * judged for each open page with that page's viewer in memory: an open page
 * costs no query and no connection while nothing happens. A page on a task
 * its viewer may no longer see is told so and closed.
 */
export class LiveHub {
  private readonly tasks = new Map<number, Set<LiveStream>>();
  private readonly lists = new Map<LiveStream, Set<number>>();
  private listening: Promise<Listening> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Knex,
    private readonly log: (line: string) => void,
    /** Where to LISTEN when `db` goes through a pooler; null: `db`'s own server. */
    private readonly directUrl: string | null = null,
  ) {}

  /** Streams open in this process, for the bench and tests. */
  get size(): number {
    let n = this.lists.size;
    for (const set of this.tasks.values()) n += set.size;
    return n;
  }

  /** Follows one task; returns what stops following it. Resolves once this process listens. */
  async watchTask(taskId: number, stream: LiveStream): Promise<() => void> {
    const set = this.tasks.get(taskId) ?? new Set();
    set.add(stream);
    this.tasks.set(taskId, set);
    await this.start();
    return () => {
      set.delete(stream);
      if (!set.size && this.tasks.get(taskId) === set) this.tasks.delete(taskId);
    };
  }

  /** Counts the tasks the viewer may see that change from now on, for a list's "N tasks changed" bar. */
  async watchLists(stream: LiveStream): Promise<() => void> {
    this.lists.set(stream, new Set());
    await this.start();
    return () => void this.lists.delete(stream);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const set of this.tasks.values()) for (const s of set) s.end();
    for (const s of this.lists.keys()) s.end();
    this.tasks.clear();
    this.lists.clear();
    const listening = this.listening;
    this.listening = null;
    await (await listening?.catch(() => null))?.close();
  }

  private start(): Promise<Listening> {
    if (this.closed) return Promise.reject(new Error('Live updates have stopped: the server is stopping.'));
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.everyStream((s) => s.send('', {})), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    this.listening ??= listen(
      this.db,
      (payload) => void this.deliver(payload).catch((err) => this.warn('a live update could not be delivered', err)),
      (err) => this.warn('the live updates connection was lost; connecting again', err),
      this.directUrl,
    );
    return this.listening;
  }

  private everyStream(fn: (s: LiveStream) => void) {
    for (const set of this.tasks.values()) for (const s of set) fn(s);
    for (const s of this.lists.keys()) fn(s);
  }

  private warn(msg: string, err: unknown) {
    this.log(logLine({ level: 'warn', msg, error: errorText(err) }));
  }

  private async deliver(payload: string): Promise<void> {
    const { task: taskId, group } = JSON.parse(payload) as { task: number; group: string };
    const watchers = this.tasks.get(taskId);
    if (!watchers?.size && !this.lists.size) return;
    const news = await this.read(taskId, group);
    if (!news) return;
    const sees = (viewer: Actor | null) => canView(viewer, news.task) && news.named.every((t) => canView(viewer, t));
    for (const s of watchers ?? []) {
      if (!canView(s.viewer, news.task)) {
        s.send('gone', {});
        s.end();
      } else if (sees(s.viewer)) {
        s.send('change', { version: news.version });
      }
    }
    for (const [s, changed] of this.lists) {
      if (!sees(s.viewer) || changed.has(taskId)) continue;
      changed.add(taskId);
      s.send('changed', { count: changed.size });
    }
  }

  private async read(taskId: number, group: string): Promise<News | null> {
    const [task, events] = await Promise.all([repo.findTask(this.db, taskId), listEventsInGroups(this.db, taskId, [group])]);
    if (!task || !events.length) return null;
    const namedIds = timelineTaskIds(events);
    const named = namedIds.length ? await repo.findTasksByIds(this.db, namedIds) : [];
    // A named task that no longer exists hides the group, as the timeline does.
    if (named.length < new Set(namedIds).size) return null;
    return { task, version: events[events.length - 1]!.id, named };
  }
}
