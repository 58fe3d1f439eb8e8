import type { BulkEdit, BulkTarget } from '../../tasks/bulk-repository';
import type { Tracker } from '../../tasks/task';
import { bulkStatusChoices } from '../../tasks/workflow';
import type { Actor } from '../../users/roles';
import { safeLocalUrl } from '../local-url';
import { priorityOptions, statusOptions } from './options';
import type { SelectableRow } from './search-results';

export interface BulkFormState {
  input: Record<string, unknown>;
  errors: Record<string, string>;
}

const text = (input: Record<string, unknown>, key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');

/** The bulk edit controls under a list; `query` and `back` carry the list along for "all results" and the way back. */
export function bulkFormModel(tracker: Tracker, viewer: Actor, query: string, back: string, state?: BulkFormState) {
  const input = state?.input ?? {};
  const errors = state?.errors ?? {};
  return {
    query,
    back,
    open: Boolean(state),
    priorityOptions: priorityOptions(tracker, text(input, 'priority') || undefined, '(no change)'),
    statusOptions: statusOptions(tracker, text(input, 'status') || undefined, '(no change)', undefined, bulkStatusChoices(tracker.workflow, tracker.pickableStatuses, viewer)),
    owner: text(input, 'owner'),
    addSubscribers: text(input, 'addSubscribers'),
    removeSubscribers: text(input, 'removeSubscribers'),
    points: tracker.points.enabled ? { label: tracker.points.label, value: text(input, 'points') } : null,
    due: text(input, 'due'),
    fieldOptions: tracker.fields.some((f) => f.edit)
      ? [{ value: '', label: '(no change)', selected: !text(input, 'field') }, ...tracker.fields.filter((f) => f.edit).map((f) => ({ value: f.key, label: f.name, selected: text(input, 'field') === f.key }))]
      : null,
    fieldValue: text(input, 'fieldValue'),
    errors,
    formError: errors.form ?? errors.ids ?? errors.scope ?? null,
  };
}

/** The ids a re-rendered list keeps ticked. */
export function selectedIds(input: Record<string, unknown> | undefined): Set<number> {
  const raw = input?.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return new Set(list.filter((v): v is string => typeof v === 'string').map(Number));
}

/** The list's rows with a checkbox each, ticked again where a refused form had them ticked. */
export function selectableResults<R extends { groups: { rows: SelectableRow[] }[] }>(results: R, selected: Set<number>): R {
  // The rows were made for this page alone: marking them in place spares a copy of every row.
  for (const g of results.groups) {
    for (const row of g.rows) {
      row.selectable = true;
      row.selected = selected.has(row.id);
    }
  }
  return results;
}

const monogramLinks = (targets: BulkTarget[]) => targets.map((t) => ({ monogram: `T${t.taskId}`, url: `/T${t.taskId}` }));

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Seconds between reloads of a bulk edit's page while it runs. */
const REFRESH_SECONDS = 2;

export function bulkEditModel(job: BulkEdit, targets: BulkTarget[]) {
  const changed = targets.filter((t) => t.outcome === 'changed');
  const unchanged = targets.filter((t) => t.outcome === 'unchanged');
  const refused = targets.filter((t) => t.outcome === 'refused');
  const done = changed.length + unchanged.length + refused.length;
  const finished = job.finishedAt !== null;
  return {
    finished,
    refreshSeconds: finished ? null : REFRESH_SECONDS,
    progress: finished ? null : `${done.toLocaleString('en-US')} of ${plural(targets.length, 'task', 'tasks')} done so far. This page reloads until the edit is finished.`,
    summary: finished ? `${plural(changed.length, 'task was', 'tasks were')} changed.` : `${plural(changed.length, 'task was', 'tasks were')} changed so far.`,
    changed: monogramLinks(changed),
    unchangedSummary: unchanged.length
      ? `${plural(unchanged.length, 'task already had', 'tasks already had')} these values and ${unchanged.length === 1 ? 'was' : 'were'} left as ${unchanged.length === 1 ? 'it was' : 'they were'}.`
      : null,
    unchanged: monogramLinks(unchanged),
    refusedSummary: refused.length ? `${plural(refused.length, 'task was', 'tasks were')} not changed:` : null,
    refused: refused.map((t) => ({ monogram: `T${t.taskId}`, url: `/T${t.taskId}`, reason: t.reason })),
    // Checked again on the way out: a job stored before the check was as strict keeps its address.
    back: safeLocalUrl(job.back, '/maniphest/'),
  };
}
