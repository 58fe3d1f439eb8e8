import { fieldName } from '../fields/parse';
import type { Change } from '../tasks/events/types';
import type { Tracker } from '../tasks/task';

/**
 * The custom field controls of a posted task form as changes, one per field
 * so that each problem is shown beside its own control. Only fields present
 * in the POST change; a checkbox's hidden twin makes an unchecked box present.
 */
export function fieldChanges(tracker: Tracker, body: unknown): Change[] {
  if (!body || typeof body !== 'object') return [];
  const posted = body as Record<string, unknown>;
  const changes: Change[] = [];
  for (const f of tracker.fields) {
    const raw = posted[fieldName(f.key)];
    if (raw === undefined || !f.edit) continue;
    const value = Array.isArray(raw) ? (raw.at(-1) ?? '') : raw;
    changes.push({ type: 'custom', value: { [f.key]: typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : '' } });
  }
  return changes;
}
