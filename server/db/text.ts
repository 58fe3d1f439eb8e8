/**
 * PostgreSQL text cannot hold U+0000. As CommonMark does, every path in reads
 * it as U+FFFD, in strings however deeply nested, rather than fail on storing
 * or looking it up.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)])) as T;
  return value;
}
