import type { Tracker } from '../../tasks/task';
import { VIEW_NAMES } from '../../tasks/task';
import { VIEW_POLICIES, type StatusConfig } from '../../config';

export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

/** Picker options; `keep` adds a first "no change" choice for the comment form's actions. */
export function priorityOptions(tracker: Tracker, selected: string | undefined, keep?: string): Option[] {
  const opts = tracker.priorities.map((p) => ({ value: p.keyword, label: p.name, selected: p.keyword === selected }));
  return keep ? [{ value: '', label: keep, selected: !selected }, ...opts] : opts;
}

/** `choices`: the statuses this person may pick (the workflow rules); every pickable one when not given. */
export function statusOptions(tracker: Tracker, selected: string | undefined, keep?: string, choices: StatusConfig[] = tracker.pickableStatuses): Option[] {
  const opts = choices.map((s) => ({ value: s.key, label: s.name, selected: s.key === selected }));
  return keep ? [{ value: '', label: keep, selected: !selected }, ...opts] : opts;
}

export function viewOptions(selected: string | undefined): Option[] {
  return VIEW_POLICIES.map((v) => ({ value: v, label: VIEW_NAMES[v], selected: v === selected }));
}
