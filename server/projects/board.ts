import type { Knex } from 'knex';
import type { TaskFilter } from '../search/query';
import { parseSearchText } from '../search/text';
import type { Actor } from '../users/roles';
import * as boards from './board-repository';
import * as cardRepo from './card-repository';
import { tagOf, type Project, type ProjectTag } from './project';
import { findProjectsByIds } from './repository';

/** Cards a board shows at most; past that it says how many are left out and the filters narrow it. */
export const MAX_BOARD_CARDS = 5000;

export const BOARD_ORDERS = ['natural', 'priority', 'owner', 'created'] as const;
export type BoardOrder = (typeof BOARD_ORDERS)[number];

export interface Board {
  project: Project;
  columns: boards.BoardColumn[];
  cards: cardRepo.BoardCardRow[];
  /** Whether more cards matched than the board shows. */
  truncated: boolean;
  /**
   * Cards in each column, counted from the cards read: those the viewer may see
   * and the filters keep, so a hidden task counts exactly like one that does not exist.
   */
  counts: Map<number, number>;
  /** The points of each column's cards, summed over the same cards as `counts`. */
  points: Map<number, number>;
  /** The cards' other tags, by project id. */
  tags: Map<number, ProjectTag>;
  /** Milestones shown as columns, by id. */
  milestones: Map<number, Project>;
}

export async function loadBoard(db: Knex, viewer: Actor | null, project: Project, filter: TaskFilter): Promise<Board> {
  const text = filter.text?.trim() ? parseSearchText(filter.text) : null;
  const [columns, found] = await Promise.all([boards.findColumns(db, [project.id]), cardRepo.findBoardCards(db, viewer, project.id, filter, text, MAX_BOARD_CARDS + 1)]);
  const cards = found.slice(0, MAX_BOARD_CARDS);
  const counts = new Map<number, number>();
  const points = new Map<number, number>();
  const tagIds = new Set<number>();
  for (const c of cards) {
    counts.set(c.columnId, (counts.get(c.columnId) ?? 0) + 1);
    if (c.task.points !== null) points.set(c.columnId, (points.get(c.columnId) ?? 0) + c.task.points);
    for (const id of c.otherProjectIds) tagIds.add(id);
  }
  const milestoneIds = columns.flatMap((c) => (c.proxyProjectId ? [c.proxyProjectId] : []));
  // Thousands of cards carry a few distinct tags: those, and the milestones of the columns, in one query.
  const projects = new Map((await findProjectsByIds(db, [...tagIds, ...milestoneIds])).map((p) => [p.id, p]));
  return {
    project,
    columns,
    cards,
    truncated: found.length > MAX_BOARD_CARDS,
    counts,
    points,
    tags: new Map([...tagIds].flatMap((id) => (projects.has(id) ? [[id, tagOf(projects.get(id)!)] as const] : []))),
    milestones: new Map(milestoneIds.flatMap((id) => (projects.has(id) ? [[id, projects.get(id)!] as const] : []))),
  };
}

/** What the columns page shows: every column, and how many cards the viewer may see in each. */
export async function loadColumnsPage(db: Knex, viewer: Actor | null, project: Project): Promise<Pick<Board, 'project' | 'columns' | 'counts'>> {
  const columns = await boards.findColumns(db, [project.id]);
  const counts = await cardRepo.countVisibleCards(
    db,
    viewer,
    columns.map((c) => c.id),
  );
  return { project, columns, counts };
}
