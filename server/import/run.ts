import type { Knex } from 'knex';
import { AppError } from '../errors';
import type { Markup } from '../markup/render';
import type { Tracker } from '../tasks/task';
import type { Role } from '../users/roles';
import { importColumns, importProjectPeople, lastColumns, placeCards } from './boards';
import { ConduitCallError, ConduitClient } from './client';
import { SkipTask, type KnownUser, type MappingContext } from './import-task';
import { mapTask } from './mapping';
import { Progress } from './progress';
import { highestTaskId, readColumns, readProjects, readStatuses, readTasks, readTransactions, readUsers } from './readers';
import * as repo from './repository';
import { ImportReport } from './report';
import type { PhabColumn, PhabTask } from './shapes';
import { importProject, importUser, unknownUser, writeTask } from './writer';

export interface ImportOptions {
  url: string;
  token: string;
  /** Only tasks modified at or after this time (epoch seconds). */
  since: number | null;
  dryRun: boolean;
  offset: number;
  roles: Map<string, Role>;
  /** The markup of the source's text: Remarkup for Phabricator and Phorge, Markdown for another Trellis. */
  markup: Markup;
  concurrency?: number;
  timeoutMs?: number;
  backoffMs?: number;
  /** Where the progress line goes; none when omitted. */
  progress?: (line: string) => void;
}

const sourceOf = (t: PhabTask) => `T${t.id}`;

/**
 * Reads a Phabricator install through Conduit and writes it here: people,
 * projects, then tasks page by page (each task's history fetched while the
 * previous ones are written, one database transaction per task).
 */
export async function runImport(d: { db: Knex; tracker: Tracker }, o: ImportOptions): Promise<ImportReport> {
  const report = new ImportReport();
  const skip = (kind: string, reason: string) => report.skip(reason, kind);
  const client = new ConduitClient({
    url: o.url,
    token: o.token,
    concurrency: o.concurrency ?? 4,
    timeoutMs: o.timeoutMs,
    backoffMs: o.backoffMs,
    onRetry: (method, reason) => report.skip(`request retried (${reason})`, method),
  });
  let fake = 0;
  const fakeId = () => --fake;

  for (const s of await readStatuses(client).catch(() => [])) {
    if (!d.tracker.status(s.value)) report.note(`status "${s.value}" (${s.name})`, 0);
  }

  const users = new Map<string, KnownUser>();
  for await (const page of readUsers(client, skip)) {
    for (const u of page) {
      const known = await importUser(d.db, u, o.roles, report, o.dryRun, fakeId);
      if (known) users.set(u.phid, known);
    }
  }
  const unknown = await unknownUser(d.db, o.dryRun);

  const projects = new Map<string, number>();
  try {
    for await (const page of readProjects(client, skip)) {
      for (const p of page) {
        if (p.fields?.milestone !== undefined && p.fields.milestone !== null) {
          report.skip('milestone (Trellis imports projects, not their milestones): its tasks lose that tag', p.fields.name);
          continue;
        }
        const id = await importProject(d.db, p, unknown.id, report, o.dryRun, fakeId);
        if (id === null) continue;
        projects.set(p.phid, id);
        await importProjectPeople(d.db, p, id, users, report, o.dryRun);
      }
    }
  } catch (err) {
    if (!(err instanceof ConduitCallError)) throw err;
    report.skip(`projects not read (${err.message})`, 'project.search');
  }
  const projectPhids = new Map([...projects].map(([phid, id]) => [id, phid]));
  const sourceColumns: PhabColumn[] = [];
  try {
    for await (const page of readColumns(client, skip)) sourceColumns.push(...page);
  } catch (err) {
    if (!(err instanceof ConduitCallError)) throw err;
    report.skip(`workboard columns not read (${err.message})`, 'project.column.search');
  }
  const columnIds = await importColumns(d.db, sourceColumns, projects, report, o.dryRun);

  const highest = await highestTaskId(client);
  if (highest !== null && !o.dryRun) {
    const clashes = await repo.countForeignTasks(d.db, 1 + o.offset, highest + o.offset);
    if (clashes) {
      throw new AppError(
        409,
        'numbers-clash',
        `${clashes} tasks here have numbers the import needs (T${1 + o.offset} to T${highest + o.offset}). Import into an empty tracker, or move the imported numbers with --offset N (N > ${await maxTaskId(d.db)}).`,
      );
    }
    await repo.moveTaskSequence(d.db, highest + o.offset);
  }

  const ctx: MappingContext = { tracker: d.tracker, report, users, projects, unknownUser: unknown, markup: o.markup, offset: o.offset };
  const progress = new Progress(highest ?? 0, o.progress);
  for await (const page of readTasks(client, skip, o.since)) {
    const valid = page.filter((t) => {
      if (typeof t?.phid === 'string' && Number.isInteger(t.id) && t.id > 0) return true;
      report.skip(`task id ${String(t?.id)} is not a positive number`, String(t?.phid ?? '?'));
      return false;
    });
    const known = o.dryRun ? new Map() : await repo.findSources(d.db, 'task', valid.map((t) => t.phid));
    // Histories are fetched side by side (the client bounds how many at once), then written in order.
    const histories = valid.map((t) => {
      const k = known.get(t.phid);
      if (k && k.modified === Number(t.fields?.dateModified)) return null;
      return readTransactions(client, t.phid, skip).catch((err: Error) => err);
    });
    for (const [i, t] of valid.entries()) {
      progress.task(t.id);
      const history = await histories[i];
      if (history === null) {
        report.count('tasks unchanged');
        continue;
      }
      if (history instanceof Error) {
        report.skip(`history not readable (${history.message.slice(0, 120)})`, sourceOf(t));
        continue;
      }
      progress.transactions(history.length);
      let mapped;
      try {
        mapped = mapTask(t, history, ctx);
      } catch (err) {
        if (!(err instanceof SkipTask)) throw err;
        report.skip(err.message, sourceOf(t));
        continue;
      }
      if (o.dryRun) {
        report.count('tasks read');
        continue;
      }
      const last = lastColumns(history);
      const task = { id: mapped.id, status: mapped.status, projectIds: mapped.projectIds, source: sourceOf(t) };
      const outcome = await writeTask(d.db, mapped, (trx) => placeCards(trx, d.tracker, task, last, projectPhids, columnIds, report));
      if (outcome === 'number-taken') report.skip(`T${mapped.id} exists here already (not from an import)`, sourceOf(t));
      else report.count(`tasks ${outcome}`);
    }
  }
  progress.done();
  if (!o.dryRun) {
    await repo.moveTaskSequence(d.db);
    await repo.analyzeImported(d.db);
    const waiting = await repo.countPendingLinks(d.db);
    if (waiting) report.count('links waiting for tasks not imported (mentions of tasks the source lacks)', waiting);
  }
  return report;
}

async function maxTaskId(db: Knex): Promise<number> {
  const row = await db('tasks').max<{ m: number | null }>({ m: 'id' }).first();
  return Number(row?.m ?? 0);
}
