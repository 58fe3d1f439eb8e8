/**
 * The built-in queries, as the same parameters a person could type into the
 * filter form. The one definition for the web lists and maniphest.search, and
 * Phabricator's: Authored is every task of the author, newest first and not
 * grouped; the others keep the default order and grouping (priority).
 */
export interface BuiltinQuery {
  key: string;
  name: string;
  params: Record<string, string>;
  needsLogin: boolean;
}

export const BUILTIN_QUERIES: BuiltinQuery[] = [
  { key: 'assigned', name: 'Assigned', params: { assigned: 'me', statuses: 'any-open' }, needsLogin: true },
  { key: 'authored', name: 'Authored', params: { authors: 'me', order: 'newest', group: 'none' }, needsLogin: true },
  { key: 'subscribed', name: 'Subscribed', params: { subscribers: 'me', statuses: 'any-open' }, needsLogin: true },
  { key: 'open', name: 'Open Tasks', params: { statuses: 'any-open' }, needsLogin: false },
  { key: 'all', name: 'All Tasks', params: {}, needsLogin: false },
  { key: 'overdue', name: 'Overdue', params: { due: 'overdue', order: 'due', group: 'none' }, needsLogin: false },
  { key: 'dueweek', name: 'Due This Week', params: { due: 'this-week', statuses: 'any-open', order: 'due', group: 'none' }, needsLogin: false },
];

export function builtinQuery(key: string): BuiltinQuery | undefined {
  return BUILTIN_QUERIES.find((q) => q.key === key);
}
