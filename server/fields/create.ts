import { ValidationError } from '../errors';
import { FieldProblem, type ParseContext } from '../tasks/events/types';
import type { Tracker } from '../tasks/task';
import { fieldName, parseFieldValue } from './parse';
import { isEmptyField, type FieldValues } from './values';

/**
 * On creation, a field the submission did not name takes its configured
 * default; then every required field must have a value. All problems at once.
 */
export async function applyFieldDefaults(plan: Map<string, unknown>, ctx: ParseContext, tracker: Tracker): Promise<void> {
  if (!tracker.fields.length) return;
  const given = (plan.get('custom') as FieldValues | undefined) ?? {};
  const values: FieldValues = { ...given };
  const problems: Record<string, string> = {};
  for (const def of tracker.fields) {
    if (def.key in given) continue;
    try {
      if (def.default !== null) values[def.key] = await parseFieldValue({ ...def, required: false }, def.default, ctx);
    } catch (err) {
      // A default naming an account since disabled leaves the field empty rather than refusing every new task.
      if (!(err instanceof FieldProblem)) throw err;
    }
    if (def.required && isEmptyField(values[def.key])) problems[fieldName(def.key)] = `${def.name} is required.`;
  }
  if (Object.keys(problems).length) throw new ValidationError(problems);
  if (Object.values(values).some((v) => !isEmptyField(v))) plan.set('custom', values);
}
