import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const RUNNER = path.join(__dirname, 'adversarial/runner.ts');

export interface BudgetRun {
  /** How many inputs finished. */
  finished: number;
  /** The index of the input that ran over the budget, when one did; the process was ended there. */
  overBudget: number | null;
  /** Anything the run said on standard error (a crash, a thrown error). */
  stderr: string;
  code: number | null;
}

/**
 * Runs a target's inputs in a child process and gives each one `budgetMs` of
 * its own: the clock restarts whenever an input finishes, and the child is
 * killed the moment one runs over. The budget is generous (seconds where a
 * linear parse takes milliseconds), so a busy machine never fails the test and
 * quadratic backtracking, which takes minutes on these inputs, always does.
 */
export function runWithinBudget(target: string, budgetMs: number): Promise<BudgetRun> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [RUNNER, target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let finished = 0;
    let current: number | null = null;
    let overBudget: number | null = null;
    let stderr = '';
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        overBudget = current;
        child.kill('SIGKILL');
      }, ms);
    };
    // Starting tsx and importing the server's modules is not part of any input's budget.
    arm(budgetMs + 30_000);
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [what, index] = line.split(' ');
        if (what === 'start') {
          current = Number(index);
          arm(budgetMs);
        } else if (what === 'done') {
          finished++;
          current = null;
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ finished, overBudget, stderr, code });
    });
  });
}
