/** The built-in queries, as the same parameters a person could type into the filter form. */
export interface BuiltinQuery {
  key: string;
  name: string;
  params: Record<string, string>;
  needsLogin: boolean;
}

export const BUILTIN_QUERIES: BuiltinQuery[] = [
  { key: 'assigned', name: 'Assigned', params: { assigned: 'me', statuses: 'any-open' }, needsLogin: true },
  { key: 'authored', name: 'Authored', params: { authors: 'me', statuses: 'any-open', order: 'newest' }, needsLogin: true },
  { key: 'subscribed', name: 'Subscribed', params: { subscribers: 'me', statuses: 'any-open', order: 'updated' }, needsLogin: true },
  { key: 'open', name: 'Open Tasks', params: { statuses: 'any-open' }, needsLogin: false },
  { key: 'all', name: 'All Tasks', params: { order: 'newest', group: 'none' }, needsLogin: false },
];

export function builtinQuery(key: string): BuiltinQuery | undefined {
  return BUILTIN_QUERIES.find((q) => q.key === key);
}
