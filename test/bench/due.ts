import { builtinQuery } from '../../server/search/builtin';
import type { Scenario } from './scenarios';

/**
 * The Overdue built-in query: open tasks past their due date, soonest first. Its plan must be
 * served by the due date index (a share of the seed's tasks have due dates, seed-sql.ts).
 */
export function dueScenario(): Scenario {
  return { name: 'due', title: 'Overdue list, by due date', kind: 'list', method: 'GET', path: '/maniphest/query/overdue/', expect: 200, auth: true, params: { ...builtinQuery('overdue')!.params } };
}
