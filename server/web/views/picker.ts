import type { PickerPage, Relationship } from '../../tasks/graph/picker';
import { RELATIONSHIPS } from '../../tasks/graph/picker';
import type { Tracker } from '../../tasks/task';
import { formWideError, type FormState } from './task-page';

function chosen(input: Record<string, unknown> | undefined, key: string): Set<string> {
  const v = input?.[key];
  return new Set((Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'));
}

/** A related-task picker: the tasks related now (to remove), a search, its results (to add). */
export function pickerModel(page: PickerPage, relationship: Relationship, tracker: Tracker, q: string, form: FormState = {}) {
  const spec = RELATIONSHIPS[relationship];
  const url = `/search/rel/${relationship}/${page.task.id}/`;
  const add = chosen(form.input, 'add');
  const remove = chosen(form.input, 'remove');
  const item = (t: { id: number; title: string; status: string; priority: number }, checked: boolean) => ({
    id: t.id,
    monogram: `T${t.id}`,
    title: t.title,
    url: `/T${t.id}`,
    closed: tracker.isClosed(t.status),
    stateText: tracker.stateText(t),
    checked,
  });
  const errors = form.errors ?? {};
  return {
    heading: spec.title,
    task: { monogram: `T${page.task.id}`, title: page.task.title, url: `/T${page.task.id}` },
    action: url,
    q,
    currentHeading: spec.current,
    current: page.current.map((t) => item(t, remove.has(String(t.id)))),
    results: page.results.map((t) => item(t, add.has(String(t.id)))),
    searched: q.trim() !== '',
    multiple: spec.multiple,
    openOnly: spec.openOnly,
    submit: spec.submit,
    typeaheadUrl: `/typeahead/tasks/?relationship=${encodeURIComponent(relationship)}&task=${page.task.id}`,
    formError: formWideError(errors, []),
  };
}
