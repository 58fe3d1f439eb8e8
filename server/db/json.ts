import pg from 'pg';

/**
 * Rows gathered into one statement's JSON (json_agg) lose their column types:
 * a timestamp arrives as text. Selected as `column::text` and read here, it
 * becomes the very Date the column read on its own gives, since this is the
 * parser pg applies to a timestamptz column.
 */
const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date;

export function timestampOf(text: string): Date;
export function timestampOf(text: string | null): Date | null;
export function timestampOf(text: string | null): Date | null {
  return text === null ? null : parseTimestamp(text);
}
