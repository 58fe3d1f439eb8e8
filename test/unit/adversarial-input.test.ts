import { TARGETS } from '../support/adversarial/cases';
import { runWithinBudget } from '../support/time-budget';

/** Each input gets this long; a linear pass over 250 KB takes milliseconds, a quadratic one minutes. */
const BUDGET_MS = 15_000;

describe('every parser of user text finishes on adversarial 250 KB inputs', () => {
  test.each(Object.keys(TARGETS))('%s', async (name) => {
    const run = await runWithinBudget(name, BUDGET_MS);
    const over = run.overBudget === null ? null : JSON.stringify(TARGETS[name]!.inputs[run.overBudget]!.slice(0, 60));
    expect({ over, stderr: run.stderr, code: run.code }).toEqual({ over: null, stderr: '', code: 0 });
    expect(run.finished).toBe(TARGETS[name]!.inputs.length);
  }, 600_000);
});
