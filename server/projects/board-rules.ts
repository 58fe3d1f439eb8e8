import type { Knex } from 'knex';
import { ValidationError } from '../errors';
import { sameColumns, type ColumnValue } from '../tasks/events/column';
import type { TaskState, Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import * as boards from './board-repository';
import * as cardRepo from './card-repository';
import { placeCard } from './placement';
import type { Project } from './project';
import { rankBetween } from './rank';
import { findProjectsByIds, addTaskProjects, removeTaskProjects } from './repository';

/**
 * The editor's board rules: tags and cards move together, and a column bound
 * to a status keeps the task's status and its cards in step, both ways.
 */

const sorted = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** Of a project and its milestones, a task keeps one tag: the one a move named, else the newest milestone. */
function keepOnePerFamily(tags: Map<number, Project>, preferred: Set<number>) {
  const families = new Map<number, Project[]>();
  for (const p of tags.values()) families.set(p.parentId ?? p.id, [...(families.get(p.parentId ?? p.id) ?? []), p]);
  for (const members of families.values()) {
    if (members.length < 2) continue;
    const keep = members.find((p) => preferred.has(p.id)) ?? members.filter((p) => p.parentId !== null).sort((a, b) => b.id - a.id)[0]!;
    for (const p of members) if (p.id !== keep.id) tags.delete(p.id);
  }
}

/**
 * Completes a plan with what tags, moves and status imply: a move onto a board
 * tags the task (a milestone's column tags the milestone), a move into a bound
 * column sets the status, and a new status or tag places every card where it
 * belongs. Runs before capabilities are checked, so implied changes need the
 * same permission as chosen ones.
 */
export async function planBoards(trx: Knex.Transaction, actor: Actor, plan: Map<string, unknown>, state: TaskState, tracker: Tracker, taskId: number | null): Promise<void> {
  const requested = plan.get('column') as ColumnValue | undefined;
  if (!requested && !plan.has('projects') && !(plan.has('status') && Object.keys(state.columns).length)) return;
  const explicit = new Map<number, number>();
  for (const board of Object.keys(requested?.order ?? {})) explicit.set(Number(board), requested!.columns[board]!);

  const movedTo = await boards.findColumnsByIds(trx, explicit.values());
  const tagIds = new Set<number>((plan.get('projects') as number[] | undefined) ?? state.projectIds);
  const known = new Map((await findProjectsByIds(trx, [...tagIds, ...explicit.keys(), ...movedTo.flatMap((c) => (c.proxyProjectId ? [c.proxyProjectId] : []))])).map((p) => [p.id, p]));
  const tags = new Map([...tagIds].map((id) => [id, known.get(id)!]));
  const preferred = new Set<number>();
  for (const col of movedTo) {
    const target = col.proxyProjectId ?? col.projectId;
    preferred.add(target);
    tags.set(target, known.get(target)!);
  }
  keepOnePerFamily(tags, preferred);
  const finalTags = sorted(tags.keys());
  if (plan.has('projects') || finalTags.join() !== state.projectIds.join()) plan.set('projects', finalTags);

  const bound = [...new Set(movedTo.filter((c) => c.status !== null).map((c) => c.status!))];
  if (bound.length > 1) throw new ValidationError({ column: 'These columns are bound to different statuses; move the card to one of them at a time.' });
  if (bound.length === 1) {
    const chosen = plan.get('status') as string | undefined;
    if (chosen !== undefined && chosen !== bound[0]) {
      const col = movedTo.find((c) => c.status === bound[0])!;
      throw new ValidationError({
        column: `The column "${col.name}" is bound to ${tracker.statusName(bound[0]!)}; it can not hold a task set to ${tracker.statusName(chosen)}.`,
      });
    }
    plan.set('status', bound[0]);
  }
  await checkLimits(trx, actor, movedTo, state, requested, taskId);

  const status = (plan.get('status') as string | undefined) ?? state.status;
  const statusChanged = status !== state.status;
  const milestones = new Map<number, number>();
  for (const p of tags.values()) if (p.parentId !== null) milestones.set(p.parentId, p.id);
  const boardIds = sorted([...tags.keys(), ...milestones.keys()]);
  const columns = await boards.findColumns(trx, boardIds);
  const placement: Record<string, number> = {};
  for (const board of boardIds) {
    const own = columns.filter((c) => c.projectId === board);
    const milestone = milestones.get(board);
    const proxy = milestone === undefined ? null : (own.find((c) => c.proxyProjectId === milestone)?.id ?? null);
    const chosen = explicit.get(board);
    const place = chosen ?? placeCard(own, tracker, { status, statusChanged, current: state.columns[String(board)] ?? null, milestoneColumn: proxy });
    if (place !== null) placement[String(board)] = place;
  }
  const order = Object.fromEntries(Object.entries(requested?.order ?? {}).filter(([board]) => placement[board] === explicit.get(Number(board))));
  if (sameColumns(placement, state.columns) && !Object.keys(order).length) plan.delete('column');
  else plan.set('column', { columns: placement, ...(Object.keys(order).length ? { order } : {}) } satisfies ColumnValue);
}

/**
 * Moves people make into a column at its card limit: refused when the limit is strict, else only once confirmed.
 * A limit counts the cards the mover may see, as the board's header does for them: a task hidden from them
 * neither fills a column nor shows in what the refusal says.
 */
async function checkLimits(trx: Knex.Transaction, actor: Actor, movedTo: boards.BoardColumn[], state: TaskState, requested: ColumnValue | undefined, taskId: number | null) {
  for (const col of movedTo) {
    if (col.wipLimit === null || state.columns[String(col.projectId)] === col.id) continue;
    await boards.lockColumn(trx, col.id);
    const count = (await cardRepo.countVisibleCards(trx, actor, [col.id])).get(col.id) ?? 0;
    if (count < col.wipLimit) continue;
    if (col.wipStrict) {
      throw new ValidationError({ column: `The column "${col.name}" is full (${count} / ${col.wipLimit}) and its limit is strict: move a card out first.` }, 409, 'column-full');
    }
    if (!requested?.overLimit) {
      throw new ValidationError(
        { column: `The column "${col.name}" already holds ${count} of ${col.wipLimit} cards. Move ${taskId ? `T${taskId}` : 'the card'} there anyway?` },
        409,
        'column-over-limit',
      );
    }
  }
}

async function rankFor(trx: Knex.Transaction, board: number, taskId: number, columnId: number, order: { after?: number; before?: number } | undefined) {
  const after = order?.after === undefined ? null : await cardRepo.findRank(trx, board, order.after, columnId);
  const before = order?.before === undefined ? null : await cardRepo.findRank(trx, board, order.before, columnId);
  if (after !== null && before !== null && after < before) return rankBetween(after, before);
  if (after !== null) return rankBetween(after, await cardRepo.neighbourRank(trx, columnId, after, 'after', taskId));
  if (before !== null) return rankBetween(await cardRepo.neighbourRank(trx, columnId, before, 'before', taskId), before);
  // Without neighbours named, a card goes to the top of its new column, where people look first.
  return rankBetween(null, await cardRepo.neighbourRank(trx, columnId, null, 'after', taskId));
}

/** Writes the tags and cards of the edit's end state; each moved card gets one new rank, nothing else in its column changes. */
export async function writeBoards(trx: Knex.Transaction, taskId: number, before: TaskState, after: TaskState, plan: Map<string, unknown>): Promise<void> {
  const was = new Set(before.projectIds);
  const is = new Set(after.projectIds);
  await addTaskProjects(trx, taskId, [...is].filter((id) => !was.has(id)));
  await removeTaskProjects(trx, taskId, [...was].filter((id) => !is.has(id)));
  const order = (plan.get('column') as ColumnValue | undefined)?.order ?? {};
  await cardRepo.deleteCards(
    trx,
    taskId,
    Object.keys(before.columns)
      .filter((b) => after.columns[b] === undefined)
      .map(Number),
  );
  for (const [board, columnId] of Object.entries(after.columns)) {
    if (before.columns[board] === columnId && !order[board]) continue;
    await cardRepo.upsertCard(trx, Number(board), taskId, columnId, await rankFor(trx, Number(board), taskId, columnId, order[board]));
  }
}
