import type { Knex } from 'knex';
import * as boards from '../projects/board-repository';
import * as cardRepo from '../projects/card-repository';
import { homeColumn } from '../projects/placement';
import { rankBetween } from '../projects/rank';
import { setPeople } from '../projects/repository';
import type { Tracker } from '../tasks/task';
import type { KnownUser } from './import-task';
import * as repo from './repository';
import type { ImportReport } from './report';
import type { PhabColumn, PhabProject, PhabTransaction } from './shapes';

/**
 * A project's members and watchers as the source lists them. The lists
 * replace what an earlier run wrote, so a second run leaves them as they are.
 */
export async function importProjectPeople(db: Knex, p: PhabProject, projectId: number, users: Map<string, KnownUser>, report: ImportReport, dryRun: boolean): Promise<void> {
  const lists = [
    ['project_members', 'member', p.attachments?.members?.members],
    ['project_watchers', 'watcher', p.attachments?.watchers?.watchers],
  ] as const;
  for (const [table, role, people] of lists) {
    if (!Array.isArray(people)) continue;
    const ids: number[] = [];
    for (const person of people) {
      const known = typeof person?.phid === 'string' ? users.get(person.phid) : undefined;
      if (known) ids.push(known.id);
      else report.skip(`${role} not imported (not a person imported here)`, `${String(person?.phid)} on ${p.fields.name}`);
    }
    if (ids.length) report.count(`project ${role}s`, ids.length);
    if (!dryRun) await db.transaction((trx) => setPeople(trx, table, projectId, ids));
  }
}

const boardOf = (c: PhabColumn): string | null => {
  const p = c.fields?.project;
  if (typeof p === 'string') return p;
  return typeof p?.phid === 'string' ? p.phid : null;
};

/**
 * The source's workboard columns on the boards of the projects imported here,
 * each board's in its order, hidden ones hidden. Proxy columns (subprojects
 * and milestones, which Trellis does not import) are left out and reported.
 * Every board keeps a visible default column: the first visible imported
 * column, or a Backlog when the board had none. Gives column PHID to column id.
 */
export async function importColumns(db: Knex, columns: PhabColumn[], projects: Map<string, number>, report: ImportReport, dryRun: boolean): Promise<Map<string, number>> {
  const imported = new Map<string, number>();
  const sorted = [...columns].sort((a, b) => Number(a.fields?.sequence ?? 0) - Number(b.fields?.sequence ?? 0) || a.id - b.id);
  const known = dryRun ? new Map() : await repo.findSources(db, 'column', sorted.map((c) => c.phid));
  for (const c of sorted) {
    const name = String(c.fields?.name ?? '').trim().slice(0, 128);
    const board = boardOf(c);
    const projectId = board === null ? undefined : projects.get(board);
    if (c.fields?.proxyPHID) report.skip('proxy column (a subproject or milestone on its parent board) not imported', name || c.phid);
    else if (projectId === undefined) report.skip('column of a board not imported', name || c.phid);
    else if (!name) report.skip('column without a name', c.phid);
    else if (known.has(c.phid)) {
      imported.set(c.phid, known.get(c.phid)!.localId);
      report.count('columns already imported');
    } else {
      report.count(c.fields.isHidden ? 'columns created (hidden)' : 'columns created');
      if (dryRun) continue;
      const id = await db.transaction(async (trx) => {
        const id = await boards.insertColumn(trx, projectId, { name, hidden: Boolean(c.fields.isHidden) });
        await repo.recordSource(trx, 'column', c.phid, id, 0);
        return id;
      });
      imported.set(c.phid, id);
    }
  }
  if (!dryRun) await ensureDefaultColumns(db, [...new Set(projects.values())]);
  return imported;
}

async function ensureDefaultColumns(db: Knex, projectIds: number[]): Promise<void> {
  const all = await boards.findColumns(db, projectIds);
  await db.transaction(async (trx) => {
    for (const projectId of projectIds) {
      const mine = all.filter((c) => c.projectId === projectId);
      if (mine.some((c) => c.isDefault)) continue;
      const first = mine.find((c) => !c.hidden && c.proxyProjectId === null && c.status === null);
      if (first) await boards.updateColumn(trx, first.id, { isDefault: true });
      else await boards.insertColumn(trx, projectId, { name: 'Backlog', isDefault: true });
    }
  });
}

/** Board PHID to column PHID, from one core:columns transaction (either shape Conduit has given it). */
function moves(fields: Record<string, unknown> | undefined): [string, string][] {
  if (!fields) return [];
  const out: [string, string][] = [];
  const list = Array.isArray(fields.columns) ? fields.columns : Array.isArray(fields.new) ? fields.new : [fields];
  for (const m of list as Record<string, unknown>[]) {
    const board = m?.boardPHID;
    const column = typeof m?.columnPHID === 'string' ? m.columnPHID : Array.isArray(m?.columnPHIDs) ? m.columnPHIDs[0] : undefined;
    if (typeof board === 'string' && typeof column === 'string') out.push([board, column]);
  }
  return out;
}

/** The column each board last moved the task to, by board PHID. */
export function lastColumns(history: PhabTransaction[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const x of history) if (x.type === 'core:columns') for (const [board, column] of moves(x.fields)) last.set(board, column);
  return last;
}

/**
 * A card on each board the task is tagged with: in the column its history last
 * moved it to when that column was imported, else where Trellis puts a task of
 * its status (the default column). Cards on boards it is no longer tagged with go.
 */
export async function placeCards(
  trx: Knex.Transaction,
  tracker: Tracker,
  t: { id: number; status: string; projectIds: number[]; source: string },
  last: Map<string, string>,
  projectPhids: Map<number, string>,
  columnIds: Map<string, number>,
  report: ImportReport,
): Promise<void> {
  const stale = Object.keys(await cardRepo.findTaskColumns(trx, t.id)).map(Number).filter((p) => !t.projectIds.includes(p));
  await cardRepo.deleteCards(trx, t.id, stale);
  const columns = await boards.findColumns(trx, t.projectIds);
  for (const projectId of t.projectIds) {
    const mine = columns.filter((c) => c.projectId === projectId);
    const wanted = last.get(projectPhids.get(projectId) ?? '');
    const imported = wanted === undefined ? undefined : mine.find((c) => c.id === columnIds.get(wanted));
    if (wanted !== undefined && !imported) report.skip('card placed in the default column: its column was not imported', `${t.source} on ${projectPhids.get(projectId)}`);
    const column = imported ?? homeColumn(mine, t.status, tracker);
    if (!column) continue;
    const current = await cardRepo.findRank(trx, projectId, t.id, column.id);
    const rank = current ?? rankBetween(await cardRepo.neighbourRank(trx, column.id, null, 'before', t.id), null);
    await cardRepo.upsertCard(trx, projectId, t.id, column.id, rank);
    report.count('cards placed');
  }
}
