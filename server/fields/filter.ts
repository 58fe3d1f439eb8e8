import type { Knex } from 'knex';

/**
 * Conditions on custom field values, for the one WHERE clause of lists, counts,
 * exports and the API. Each is an EXISTS on task_field_values narrowed by the
 * field's key first, which its indexes lead with.
 */
export type FieldFilter = { key: string } & (
  | { kind: 'contains'; text: string }
  | { kind: 'equals'; text: string }
  | { kind: 'range'; column: 'number_value' | 'date_value'; min?: number | string; max?: number | string }
  | { kind: 'checked'; value: boolean }
  | { kind: 'any'; values: string[] }
  | { kind: 'users'; ids: number[] }
);

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function whereFields(db: Knex, qb: Knex.QueryBuilder, filters: FieldFilter[]): void {
  for (const f of filters) {
    const rows = (sub: Knex.QueryBuilder) => {
      sub.select(db.raw('1')).from('task_field_values as fv').whereRaw('fv.task_id = tasks.id').where('fv.field_key', f.key);
      switch (f.kind) {
        case 'contains':
          sub.whereRaw(`lower(fv.text_value) LIKE ?`, [likePattern(f.text)]);
          break;
        case 'equals':
          sub.where('fv.text_value', f.text);
          break;
        case 'range':
          if (f.min !== undefined) sub.where(`fv.${f.column}`, '>=', f.min);
          if (f.max !== undefined) sub.where(`fv.${f.column}`, '<=', f.max);
          break;
        case 'any':
          sub.whereRaw('fv.text_value = ANY(?::text[])', [f.values]);
          break;
        case 'users':
          sub.whereRaw('fv.user_ids && ?::int[]', [f.ids]);
          break;
        case 'checked':
          break;
      }
    };
    if (f.kind === 'checked' && !f.value) qb.whereNotExists(rows);
    else qb.whereExists(rows);
  }
}
