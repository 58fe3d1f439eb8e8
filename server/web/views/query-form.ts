import { DUE_CHOICES, DUE_CHOICE_NAMES } from '../../search/due';
import { splitList, type QueryParams } from '../../search/params';
import { GROUPS, GROUP_NAMES, ORDER_NAMES, ordersOf } from '../../search/query';
import type { Tracker } from '../../tasks/task';
import { fieldFiltersModel } from './query-form-fields';
import { groupableFields } from '../../fields/groups';

const list = (v: string | undefined) => new Set(splitList(v));

/** The filter form, filled with the query's parameters; every field maps to one URL parameter. */
export function queryFormModel(params: QueryParams, tracker: Tracker, errors: Record<string, string> = {}) {
  const statuses = list(params.statuses);
  const priorities = list(params.priorities);
  return {
    text: params.text ?? '',
    assigned: params.assigned ?? '',
    authors: params.authors ?? '',
    subscribers: params.subscribers ?? '',
    closers: params.closers ?? '',
    projects: params.projects ?? '',
    parents: params.parents ?? '',
    subtasks: params.subtasks ?? '',
    relationOptions: (['hasParents', 'hasSubtasks'] as const).map((name) => ({
      name,
      label: name === 'hasParents' ? 'Open Parents' : 'Open Subtasks',
      error: errors[name] ?? null,
      options: [
        { value: '', label: 'Show All', selected: !params[name] },
        { value: 'yes', label: `Only Tasks With Open ${name === 'hasParents' ? 'Parents' : 'Subtasks'}`, selected: params[name] === 'yes' },
        { value: 'no', label: `Only Tasks Without Open ${name === 'hasParents' ? 'Parents' : 'Subtasks'}`, selected: params[name] === 'no' },
      ],
    })),
    statusOptions: [
      { value: 'any-open', label: 'Any open', checked: statuses.has('any-open') },
      { value: 'any-closed', label: 'Any closed', checked: statuses.has('any-closed') },
      ...tracker.statuses.map((s) => ({ value: s.key, label: s.name, checked: statuses.has(s.key) })),
    ],
    priorityOptions: tracker.priorities.map((p) => ({ value: p.keyword, label: p.name, checked: priorities.has(p.keyword), color: p.color })),
    dueOptions: [
      { value: '', label: 'Show All', selected: !params.due },
      ...DUE_CHOICES.map((c) => ({ value: c, label: DUE_CHOICE_NAMES[c], selected: params.due === c })),
    ],
    dates: (['created', 'updated', 'closed', 'due'] as const).map((name) => ({
      label: { created: 'Created', updated: 'Updated', closed: 'Closed', due: 'Due' }[name],
      startName: `${name}Start`,
      endName: `${name}End`,
      start: params[`${name}Start`] ?? '',
      end: params[`${name}End`] ?? '',
      startError: errors[`${name}Start`] ?? null,
      endError: errors[`${name}End`] ?? null,
    })),
    points: tracker.points.enabled ? { label: tracker.points.label, min: params.pointsMin ?? '', max: params.pointsMax ?? '' } : null,
    orderOptions: ordersOf(tracker.points.enabled).map((o) => ({ value: o, label: ORDER_NAMES[o], selected: (params.order || (params.text ? 'relevance' : 'priority')) === o })),
    groupOptions: [
      ...GROUPS.map((g) => ({ value: g, label: GROUP_NAMES[g], selected: (params.group || 'priority') === g })),
      ...groupableFields(tracker).map((f) => ({ value: `custom.${f.key}`, label: f.name, selected: params.group === `custom.${f.key}` })),
    ],
    limit: params.limit ?? '',
    fields: fieldFiltersModel(params, tracker, errors),
    errors,
  };
}
