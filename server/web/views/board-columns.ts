import type { Board } from '../../projects/board';
import type { Tracker } from '../../tasks/task';
import type { FormState } from './task-page';

/** The columns page: one form per column, and one to add a column. A refused edit keeps its input beside its column. */
export function columnsPageModel(board: Pick<Board, 'project' | 'columns' | 'counts'>, tracker: Tracker, form: FormState & { column?: number } = {}) {
  const input = (form.input ?? {}) as Record<string, unknown>;
  const str = (k: string, fallback: string) => (typeof input[k] === 'string' ? (input[k] as string) : fallback);
  const statusOptions = (selected: string | null) => [
    { value: '', label: 'Not bound', selected: selected === null || selected === '' },
    ...tracker.statuses.map((s) => ({ value: s.key, label: `${s.name} (${s.closed ? 'closed' : 'open'})`, selected: s.key === selected })),
  ];
  const errors = form.errors ?? {};
  const base = `/project/board/${board.project.id}/columns/`;
  return {
    project: { id: board.project.id, name: board.project.name, boardUrl: `/project/board/${board.project.id}/` },
    columns: board.columns.map((c, i) => {
      const mine = form.column === c.id;
      return {
        id: c.id,
        name: mine ? str('name', c.name) : c.name,
        isDefault: c.isDefault,
        hidden: c.hidden,
        isMilestone: c.proxyProjectId !== null,
        cards: board.counts.get(c.id) ?? 0,
        limit: mine ? str('limit', c.wipLimit === null ? '' : String(c.wipLimit)) : c.wipLimit === null ? '' : String(c.wipLimit),
        strict: mine ? input.strict === '1' : c.wipStrict,
        statusOptions: statusOptions(mine ? str('status', c.status ?? '') : c.status),
        first: i === 0,
        last: i === board.columns.length - 1,
        editUrl: `${base}${c.id}/edit`,
        hideUrl: `${base}${c.id}/hide`,
        moveUrl: `${base}${c.id}/move`,
        defaultUrl: `${base}${c.id}/default`,
        deleteUrl: `${base}${c.id}/delete`,
        errors: mine ? errors : {},
      };
    }),
    add: {
      url: base,
      name: form.column === undefined ? str('name', '') : '',
      limit: form.column === undefined ? str('limit', '') : '',
      statusOptions: statusOptions(form.column === undefined ? str('status', '') : null),
      errors: form.column === undefined ? errors : {},
    },
  };
}
