import type { Knex } from 'knex';
import type { ProjectRef } from '../tasks/events/sentence';
import type { StoredEvent } from '../tasks/events/types';
import { eventType } from '../tasks/events/registry';
import { findColumns, findColumnsByIds, findTaskTagsAndCards, type BoardColumn } from './board-repository';
import { tagOf, type Project, type ProjectTag } from './project';
import { findProjectsByIds } from './repository';

/** A task's tags and cards as its page shows them, and the names its timeline needs. */
export interface TaskBoards {
  tags: ProjectTag[];
  /** One entry per board the task has a card on: the board, its column now, and the columns it may move to. */
  cards: { board: ProjectTag; column: BoardColumn; columns: BoardColumn[] }[];
  project(id: number): ProjectRef | undefined;
  column(id: number): string | undefined;
}

export function projectRef(p: Project): ProjectRef {
  return { kind: 'project', id: p.id, hashtag: p.hashtags[0] ?? String(p.id), color: p.color };
}

/** Projects and columns named by a timeline's events, by ids, in two queries. */
export async function timelineBoardNames(db: Knex, events: StoredEvent[], extraProjects: number[] = [], extraColumns: number[] = []) {
  const projectIds = new Set(extraProjects);
  const columnIds = new Set(extraColumns);
  for (const e of events) {
    const t = eventType(e.type);
    t?.projectIds?.(e).forEach((id) => projectIds.add(id));
    t?.columnIds?.(e).forEach((id) => columnIds.add(id));
  }
  const [projects, columns] = await Promise.all([findProjectsByIds(db, projectIds), findColumnsByIds(db, columnIds)]);
  return { projects: new Map(projects.map((p) => [p.id, p])), columns: new Map(columns.map((c) => [c.id, c])) };
}

export async function loadTaskBoardsFor(db: Knex, taskId: number, eventsRead: Promise<StoredEvent[]>): Promise<TaskBoards> {
  const [{ projectIds: tagIds, columns: placement }, events] = await Promise.all([findTaskTagsAndCards(db, taskId), eventsRead]);
  const boardIds = Object.keys(placement).map(Number);
  const [names, boardColumns] = await Promise.all([timelineBoardNames(db, events, [...tagIds, ...boardIds]), findColumns(db, boardIds)]);
  const cards = boardIds.flatMap((board) => {
    const project = names.projects.get(board);
    const columns = boardColumns.filter((c) => c.projectId === board);
    const column = columns.find((c) => c.id === placement[String(board)]);
    return project && column ? [{ board: tagOf(project), column, columns: columns.filter((c) => !c.hidden) }] : [];
  });
  return {
    tags: tagIds.flatMap((id) => (names.projects.has(id) ? [tagOf(names.projects.get(id)!)] : [])),
    cards,
    project: (id) => (names.projects.has(id) ? projectRef(names.projects.get(id)!) : undefined),
    column: (id) => names.columns.get(id)?.name,
  };
}

/** The names a group of events needs, for renderings outside the task page (mail). */
export async function boardNamesFor(db: Knex, events: StoredEvent[]): Promise<Pick<TaskBoards, 'project' | 'column'>> {
  const names = await timelineBoardNames(db, events);
  return {
    project: (id) => (names.projects.has(id) ? projectRef(names.projects.get(id)!) : undefined),
    column: (id) => names.columns.get(id)?.name,
  };
}
