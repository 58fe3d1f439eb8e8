import { BENCH_TRACKER_FILE } from './custom';
import type pg from 'pg';
import { buildTrackerConfig } from '../../server/tracker-config';
import { openPostgres } from '../../server/db/connect';
import { Tracker } from '../../server/tasks/task';
import { findUserByUsername } from '../../server/users/repository';
import { explainLists, orderLists } from './plans';
import { ordersReport, plansReport } from './report';
import type { Scenario } from './scenarios';
import { captureStatements, planStatements, type PlanCheck } from './statement-plans';
import { statementPlansReport } from './statement-report';

type Say = (line?: string) => void;

/** Every scenario's statements (one request each, in process), planned with fresh statistics and with none. */
export async function statementPlanSection(url: string, admin: pg.Client, chosen: Scenario[], cookie: string, say: Say): Promise<PlanCheck> {
  say("## Plans of every scenario's statements, with fresh statistics and with none");
  say();
  const check = await planStatements(admin, await captureStatements(url, chosen.filter((s) => s.name !== 'baseline'), cookie));
  say(statementPlansReport(check));
  say();
  return check;
}

/** The list and search scenarios' queries run through the engine under EXPLAIN ANALYZE; with `orders`, every order and grouping too. */
export async function listPlanSection(url: string, admin: pg.Client, login: string, chosen: Scenario[], orders: boolean, say: Say): Promise<void> {
  say('## Query plans of the list and search scenarios (slowest first)');
  say();
  const database = openPostgres(url, 2);
  try {
    const user = await findUserByUsername(database.db, login);
    if (!user) throw new Error(`No user ${login}`);
    const tracker = new Tracker(buildTrackerConfig(BENCH_TRACKER_FILE));
    const lists = chosen.filter((s) => s.params).map((s) => ({ name: s.name, params: s.params! }));
    const plans = await explainLists(database.db, admin, tracker, user, lists);
    say(plansReport(plans, 4));
    if (orders) {
      say();
      say('## Every order and grouping (slowest first)');
      say();
      const all = await explainLists(database.db, admin, tracker, user, orderLists());
      say(ordersReport(all));
      say();
      say(plansReport(all.slice(0, 2), 2));
    }
  } finally {
    await database.close();
  }
  say();
}
