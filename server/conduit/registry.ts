import type { ConduitMethod } from './method';
import { conduitPing } from './methods/conduit-ping';
import { maniphestEdit } from './methods/maniphest-edit';
import { maniphestPrioritySearch } from './methods/maniphest-priority-search';
import { maniphestSearch } from './methods/maniphest-search';
import { maniphestStatusSearch } from './methods/maniphest-status-search';
import { projectColumnSearch } from './methods/project-column-search';
import { projectEdit } from './methods/project-edit';
import { projectSearch } from './methods/project-search';
import { transactionSearch } from './methods/transaction-search';
import { userSearch } from './methods/user-search';
import { userWhoami } from './methods/user-whoami';

/** Every Conduit method Trellis answers, in the order the console lists them. */
export const METHODS: readonly ConduitMethod[] = [
  conduitPing,
  maniphestEdit,
  maniphestPrioritySearch,
  maniphestSearch,
  maniphestStatusSearch,
  projectColumnSearch,
  projectEdit,
  projectSearch,
  transactionSearch,
  userSearch,
  userWhoami,
];

const BY_NAME = new Map(METHODS.map((m) => [m.name, m]));

export function findMethod(name: string): ConduitMethod | undefined {
  return BY_NAME.get(name);
}
