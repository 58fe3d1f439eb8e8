import type { ConduitMethod } from './method';
import { conduitPing } from './methods/conduit-ping';
import { conduitGetcapabilities } from './methods/conduit-getcapabilities';
import { conduitQuery } from './methods/conduit-query';
import { maniphestCreatetask } from './methods/maniphest-createtask';
import { maniphestGettasktransactions } from './methods/maniphest-gettasktransactions';
import { maniphestInfo } from './methods/maniphest-info';
import { maniphestQuery } from './methods/maniphest-query';
import { maniphestQuerystatuses } from './methods/maniphest-querystatuses';
import { maniphestUpdate } from './methods/maniphest-update';
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
  conduitGetcapabilities,
  conduitPing,
  conduitQuery,
  maniphestCreatetask,
  maniphestEdit,
  maniphestGettasktransactions,
  maniphestInfo,
  maniphestPrioritySearch,
  maniphestQuery,
  maniphestQuerystatuses,
  maniphestSearch,
  maniphestStatusSearch,
  maniphestUpdate,
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
