import type { Knex } from 'knex';
import type { TaskFilter } from '../search/query';
import { parseSearchText } from '../search/text';
import { findUsersByIds } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import * as boards from './board-repository';
import type { Project, ProjectTag } from './project';
import { loadTaskTags } from './tags';
import { findProjectsByIds } from './repository';

/** Cards a board shows at most; past that it says how many are left out and the filters narrow it. */
export const MAX_BOARD_CARDS = 5000;

export const BOARD_ORDERS = ['natural', 'priority', 'owner', 'created'] as const;
export type BoardOrder = (typeof BOARD_ORDERS)[number];

export interface Board {
  project: Project;
  columns: boards.BoardColumn[];
  cards: boards.BoardCardRow[];
  /** Whether more cards matched than the board shows. */
  truncated: boolean;
  /**
   * Cards in each column, counted from the cards read: those the viewer may see
   * and the filters keep, so a hidden task counts exactly like one that does not exist.
   */
  counts: Map<number, number>;
  tags: Map<number, ProjectTag[]>;
  owners: Map<number, User>;
  /** Milestones shown as columns, by id. */
  milestones: Map<number, Project>;
}

export async function loadBoard(db: Knex, viewer: Actor | null, project: Project, filter: TaskFilter): Promise<Board> {
  const text = filter.text?.trim() ? parseSearchText(filter.text) : null;
  const [columns, found] = await Promise.all([boards.findColumns(db, [project.id]), boards.findBoardCards(db, viewer, project.id, filter, text, MAX_BOARD_CARDS + 1)]);
  const cards = found.slice(0, MAX_BOARD_CARDS);
  const ids = cards.map((c) => c.task.id);
  const counts = new Map<number, number>();
  for (const c of cards) counts.set(c.columnId, (counts.get(c.columnId) ?? 0) + 1);
  const [tags, owners, milestones] = await Promise.all([
    loadTaskTags(db, ids),
    findUsersByIds(db, cards.flatMap((c) => (c.task.ownerId ? [c.task.ownerId] : []))),
    findProjectsByIds(db, columns.flatMap((c) => (c.proxyProjectId ? [c.proxyProjectId] : []))),
  ]);
  return { project, columns, cards, truncated: found.length > MAX_BOARD_CARDS, counts, tags, owners, milestones: new Map(milestones.map((m) => [m.id, m])) };
}

/** What the columns page shows: every column, and how many cards the viewer may see in each. */
export async function loadColumnsPage(db: Knex, viewer: Actor | null, project: Project): Promise<Pick<Board, 'project' | 'columns' | 'counts'>> {
  const columns = await boards.findColumns(db, [project.id]);
  const counts = await boards.countVisibleCards(
    db,
    viewer,
    columns.map((c) => c.id),
  );
  return { project, columns, counts };
}
