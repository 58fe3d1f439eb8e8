import type { Board, BoardOrder } from '../../projects/board';
import type { BoardColumn } from '../../projects/board-repository';
import type { BoardCardRow } from '../../projects/card-repository';
import { BOARD_ORDERS } from '../../projects/board';
import { tagOf } from '../../projects/project';
import type { Tracker } from '../../tasks/task';
import { pointsSum, pointsTag } from './points';
import { tagModel } from './projects';

const ORDER_NAMES: Record<BoardOrder, string> = { natural: 'Natural', priority: 'Priority', owner: 'Owner', created: 'Date Created' };

interface CardGroup {
  label: string | null;
  /** The priority keyword a drop under this header sets, in the priority order. */
  priority: string | null;
  cards: object[];
}

function headerText(column: BoardColumn, count: number): string {
  return column.wipLimit === null ? String(count) : `${count} / ${column.wipLimit}`;
}

/**
 * The board as columns of cards. In the priority and owner orders each column
 * is cut into groups under headers; in the natural order cards keep the places
 * people dragged them to.
 */
export function boardModel(board: Board, tracker: Tracker, order: BoardOrder, query: string) {
  const visible = board.columns.filter((c) => !c.hidden);
  const tags = new Map([...board.tags].map(([id, tag]) => [id, tagModel(tag)]));
  const base = `/project/board/${board.project.id}/`;
  const card = (row: BoardCardRow) => {
    const t = row.task;
    return {
      id: t.id,
      monogram: `T${t.id}`,
      url: `/T${t.id}`,
      title: t.title,
      closed: tracker.isClosed(t.status),
      priorityName: tracker.priorityName(t.priority),
      priorityColor: tracker.priorityColor(t.priority),
      owner: t.ownerName === null ? null : { username: t.ownerName, url: `/p/${encodeURIComponent(t.ownerName)}/` },
      tags: row.otherProjectIds.flatMap((id) => (tags.has(id) ? [tags.get(id)!] : [])),
      points: pointsTag(tracker, t.points),
    };
  };
  const sorters: Record<BoardOrder, (a: BoardCardRow, b: BoardCardRow) => number> = {
    natural: () => 0,
    priority: (a, b) => b.task.priority - a.task.priority,
    owner: (a, b) => ownerKey(a).localeCompare(ownerKey(b)),
    created: (a, b) => b.task.createdAt.getTime() - a.task.createdAt.getTime() || b.task.id - a.task.id,
  };
  const ownerKey = (r: BoardCardRow) => (r.task.ownerName === null ? '\uffff' : r.task.ownerName.toLowerCase());
  const columns = visible.map((column) => {
    const rows = board.cards.filter((c) => c.columnId === column.id).sort(sorters[order]);
    const groups: CardGroup[] = [];
    if (order === 'priority') {
      for (const p of tracker.priorities) {
        groups.push({ label: p.name, priority: p.keyword, cards: rows.filter((r) => r.task.priority === p.value).map(card) });
      }
      const known = new Set(tracker.priorities.map((p) => p.value));
      const others = rows.filter((r) => !known.has(r.task.priority));
      if (others.length) groups.push({ label: 'Other', priority: null, cards: others.map(card) });
    } else if (order === 'owner') {
      for (const r of rows) {
        const label = r.task.ownerName ?? 'Not Assigned';
        const last = groups[groups.length - 1];
        if (last?.label === label) last.cards.push(card(r));
        else groups.push({ label, priority: null, cards: [card(r)] });
      }
    } else groups.push({ label: null, priority: null, cards: rows.map(card) });
    const count = board.counts.get(column.id) ?? 0;
    const milestone = column.proxyProjectId ? board.milestones.get(column.proxyProjectId) : undefined;
    return {
      id: column.id,
      phid: column.phid,
      name: column.name,
      isDefault: column.isDefault,
      boundTo: column.status ? tracker.statusName(column.status) : null,
      milestone: milestone ? tagModel(tagOf(milestone)) : null,
      count: headerText(column, count),
      points: pointsSum(tracker, board.points.get(column.id)),
      over: column.wipLimit !== null && count > column.wipLimit,
      full: column.wipLimit !== null && count >= column.wipLimit,
      strict: column.wipStrict,
      groups,
      empty: rows.length === 0,
    };
  });
  return {
    project: { id: board.project.id, ...tagModel(tagOf(board.project)), url: `/project/view/${board.project.id}/` },
    columns,
    hiddenCount: board.cards.filter((c) => !visible.some((v) => v.id === c.columnId)).length,
    truncated: board.truncated,
    order,
    orders: BOARD_ORDERS.map((o) => ({ value: o, label: ORDER_NAMES[o], selected: o === order })),
    moveUrl: `${base}move`,
    manageUrl: `${base}columns/`,
    backParam: encodeURIComponent(query ? `${base}?${query}` : base),
  };
}

/**
 * The "Move to column" form of one card, the no-JavaScript way to move it: a
 * page of its own, so that a board of thousands of cards carries one link per
 * card rather than a form.
 */
export function moveFormModel(board: { id: number; name: string }, task: { id: number; title: string }, columns: BoardColumn[], current: number | null, version: number, back: string) {
  return {
    board,
    task: { id: task.id, monogram: `T${task.id}`, title: task.title, url: `/T${task.id}` },
    moveUrl: `/project/board/${board.id}/move`,
    options: columns.filter((c) => !c.hidden).map((c) => ({ value: String(c.id), label: c.name, selected: c.id === current })),
    version,
    back,
  };
}
