import type { QueryParams } from '../../search/params';
import type { Tracker } from '../../tasks/task';

/** The filter form's controls for searchable custom fields; each maps to one URL parameter (fields/params.ts). */
export function fieldFiltersModel(params: QueryParams, tracker: Tracker, errors: Record<string, string>) {
  return tracker.fields
    .filter((f) => f.search)
    .map((f) => {
      const name = `custom.${f.key}`;
      const control = (suffix: string, label: string) => {
        const param = suffix ? `${name}.${suffix}` : name;
        return { name: param, label, value: params[param] ?? '', error: errors[param] ?? null };
      };
      const chosen = new Set((params[name] ?? '').split(/[\s,]+/).filter(Boolean));
      return {
        label: f.name,
        text: f.type === 'text' ? [control('', `${f.name} contains`), control('is', `${f.name} is exactly`)] : null,
        range: f.type === 'int' ? [control('min', `${f.name} at least`), control('max', `${f.name} at most`)] : null,
        dates: f.type === 'date' ? [control('after', `${f.name} on or after`), control('before', `${f.name} on or before`)] : null,
        people: f.type === 'users' ? control('', f.name) : null,
        yesNo:
          f.type === 'bool'
            ? {
                ...control('', f.name),
                options: [
                  { value: '', label: 'Show All', selected: !params[name] },
                  { value: 'yes', label: 'Checked', selected: params[name] === 'yes' },
                  { value: 'no', label: 'Not Checked', selected: params[name] === 'no' },
                ],
              }
            : null,
        choices: f.type === 'select' ? { ...control('', f.name), options: f.options.map((o) => ({ value: o.key, label: o.name, checked: chosen.has(o.key) })) } : null,
      };
    });
}
