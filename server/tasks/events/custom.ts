import type { FieldDef } from '../../fields/config';
import { parseFieldChanges } from '../../fields/parse';
import { dayName, isEmptyField, sameField, type FieldValues } from '../../fields/values';
import { join, listOf, say, value, type Sentence } from './sentence';
import type { DescribeContext, EventType, StoredEvent } from './types';

/**
 * Custom fields. The change is a patch (field key to input) and the value the
 * whole set, so several fields change in one edit; each field changed is
 * stored as its own event, old and new as { key, value }.
 */

export interface FieldSide {
  key: string;
  value: unknown;
}

const side = (v: unknown): FieldSide => (typeof v === 'object' && v !== null && 'key' in v ? (v as FieldSide) : { key: '', value: null });

function shown(def: FieldDef | undefined, v: unknown, ctx: DescribeContext): Sentence {
  if (Array.isArray(v)) return listOf(v.map((id) => ctx.user(Number(id))));
  if (def?.type === 'select') return say`${value(def.options.find((o) => o.key === v)?.name ?? String(v))}`;
  if (def?.type === 'date' || (!def && typeof v === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v))) return say`${value(dayName(String(v)))}`;
  if (def?.type === 'text' || (!def && typeof v === 'string')) return say`"${value(String(v))}"`;
  return say`${value(String(v))}`;
}

/** A custom field's line, for the timeline, mail and the API alike; a field no longer configured is named by its key. */
export function describeField(e: StoredEvent, ctx: DescribeContext): Sentence {
  const from = side(e.old);
  const to = side(e.new);
  const key = to.key || from.key;
  const def = ctx.tracker.fields.find((f) => f.key === key);
  const name = value(def?.name ?? key);
  if (def?.type === 'bool' || typeof to.value === 'boolean' || typeof from.value === 'boolean') {
    return to.value ? say`${ctx.actor} checked ${name}.` : say`${ctx.actor} unchecked ${name}.`;
  }
  if (isEmptyField(to.value)) return say`${ctx.actor} removed ${name}.`;
  if (isEmptyField(from.value)) return join(say`${ctx.actor} set ${name} to `, shown(def, to.value, ctx), '.');
  return join(say`${ctx.actor} changed ${name} from `, shown(def, from.value, ctx), ' to ', shown(def, to.value, ctx), '.');
}

export const custom: EventType<FieldValues> = {
  type: 'custom',
  strength: 100,
  field: 'custom',
  parse: (raw, ctx, current) => parseFieldChanges(raw, ctx, current),
  current: (s) => s.custom,
  apply: (s, custom) => ({ ...s, custom }),
  capability: () => 'task.edit',
  refusal: 'You do not have permission to change the fields of this task.',
  isNoop: (a, b) => [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => sameField(a[k], b[k])),
  split: (a, b) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => !sameField(a[k], b[k]))
      .map((key) => ({ old: { key, value: a[key] ?? null }, new: { key, value: isEmptyField(b[key]) ? null : b[key] } })),
  userIds: (e) => [side(e.old).value, side(e.new).value].flatMap((v) => (Array.isArray(v) ? v.map(Number) : [])),
  // Values given at creation are news worth a line, as an owner chosen then is.
  hiddenOnCreate: () => false,
  action: () => 'Updated',
  describe: describeField,
};
