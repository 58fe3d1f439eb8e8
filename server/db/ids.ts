/**
 * A row id as written in a URL: digits without a leading zero, within the
 * integer column's range. Anything else names no row, and is not looked up.
 */
export function parseRowId(raw: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= 2147483647 ? id : null;
}
