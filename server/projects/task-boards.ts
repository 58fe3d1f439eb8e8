import type { Knex } from 'knex';
import type { ProjectRef } from '../tasks/events/sentence';
import type { StoredEvent } from '../tasks/events/types';
import { eventType } from '../tasks/events/registry';
import { findProjectsAndColumns, type BoardColumn, type BoardNames } from './board-repository';
import { tagOf, type Project, type ProjectTag } from './project';

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

/** The ids of the projects and columns that events name. */
function namedByEvents(events: StoredEvent[]): { projectIds: Set<number>; columnIds: Set<number> } {
  const projectIds = new Set<number>();
  const columnIds = new Set<number>();
  for (const e of events) {
    const t = eventType(e.type);
    t?.projectIds?.(e).forEach((id) => projectIds.add(id));
    t?.columnIds?.(e).forEach((id) => columnIds.add(id));
  }
  return { projectIds, columnIds };
}

function indexed(names: BoardNames) {
  return { projects: new Map(names.projects.map((p) => [p.id, p])), columns: names.columns, columnNames: new Map(names.columns.map((c) => [c.id, c.name])) };
}

/**
 * A task's boards as its page shows them, from its tags, its cards (board id to column id), its
 * events, and the names read with the task (its tags' and boards' projects, its boards' columns).
 * Only names its events hold beyond those (a tag since removed, a board left) cost a statement.
 */
export async function loadTaskBoards(db: Knex, events: StoredEvent[], tagIds: number[], placement: Record<string, number>, known: BoardNames): Promise<TaskBoards> {
  const named = namedByEvents(events);
  const knownProjects = new Set(known.projects.map((p) => p.id));
  const knownColumns = new Set(known.columns.map((c) => c.id));
  const projectIds = [...named.projectIds].filter((id) => !knownProjects.has(id));
  const columnIds = [...named.columnIds].filter((id) => !knownColumns.has(id));
  const more = await findProjectsAndColumns(db, { projectIds, boardIds: [], columnIds });
  const names = indexed({ projects: [...known.projects, ...more.projects], columns: [...known.columns, ...more.columns] });
  const boardIds = Object.keys(placement).map(Number);
  const cards = boardIds.flatMap((board) => {
    const project = names.projects.get(board);
    const columns = names.columns.filter((c) => c.projectId === board);
    const column = columns.find((c) => c.id === placement[String(board)]);
    return project && column ? [{ board: tagOf(project), column, columns: columns.filter((c) => !c.hidden) }] : [];
  });
  return {
    tags: tagIds.flatMap((id) => (names.projects.has(id) ? [tagOf(names.projects.get(id)!)] : [])),
    cards,
    project: (id) => (names.projects.has(id) ? projectRef(names.projects.get(id)!) : undefined),
    column: (id) => names.columnNames.get(id),
  };
}

/** The names a group of events needs, for renderings outside the task page (mail). */
export async function boardNamesFor(db: Knex, events: StoredEvent[]): Promise<Pick<TaskBoards, 'project' | 'column'>> {
  const names = indexed(await findProjectsAndColumns(db, { ...namedByEvents(events), boardIds: [] }));
  return {
    project: (id) => (names.projects.has(id) ? projectRef(names.projects.get(id)!) : undefined),
    column: (id) => names.columnNames.get(id),
  };
}
