import { TARGETS } from './cases';

/**
 * Runs one target's adversarial inputs in this process, one after another,
 * saying on standard output when each starts and ends. The test that spawned
 * it keeps the clock and ends the process when an input runs over its budget.
 */
const name = process.argv[2]!;
const target = TARGETS[name];
if (!target) {
  process.stderr.write(`No adversarial target named ${JSON.stringify(name)}.\n`);
  process.exit(2);
}
target.inputs.forEach((input, i) => {
  process.stdout.write(`start ${i}\n`);
  target.run(input);
  process.stdout.write(`done ${i}\n`);
});
