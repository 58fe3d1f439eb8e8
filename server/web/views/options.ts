import type { Tracker } from '../../tasks/task';
import { VIEW_NAMES } from '../../tasks/task';
import { VIEW_POLICIES, type StatusConfig } from '../../tracker-config';

export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

/**
 * Picker options; `keep` adds a first "no change" choice for the comment form's actions, and
 * then the `current` value is left out: "Keep Open" and "Open" would be one choice offered twice.
 */
export function priorityOptions(tracker: Tracker, selected: string | undefined, keep?: string, current?: string): Option[] {
  const opts = tracker.priorities.filter((p) => p.keyword !== current).map((p) => ({ value: p.keyword, label: p.name, selected: p.keyword === selected }));
  return keep ? [{ value: '', label: keep, selected: !selected }, ...opts] : opts;
}

/**
 * `current`, the task's status, is left out (the "keep" choice stands for it); `choices`, the statuses
 * this person may pick under the workflow rules, defaults to every pickable one.
 */
export function statusOptions(tracker: Tracker, selected: string | undefined, keep?: string, current?: string, choices: StatusConfig[] = tracker.pickableStatuses): Option[] {
  const opts = choices.filter((s) => s.key !== current).map((s) => ({ value: s.key, label: s.name, selected: s.key === selected }));
  return keep ? [{ value: '', label: keep, selected: !selected }, ...opts] : opts;
}

export function viewOptions(selected: string | undefined): Option[] {
  return VIEW_POLICIES.map((v) => ({ value: v, label: VIEW_NAMES[v], selected: v === selected }));
}
