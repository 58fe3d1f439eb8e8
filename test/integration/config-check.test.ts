import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, runCli } from '../support/process';

/**
 * `npm run cli -- config check FILE` checks a configuration file without starting
 * anything, and `npm start` refuses the same file with the same list.
 */

const SLOW = 60_000;

const BROKEN = [
  '{',
  '  "statuses": [',
  '    { "key": "open", "name": "Open", "closed": false },',
  '    { "key": "done", "name": "Done", "closed": true }',
  '  ],',
  '  "priorities": [{ "value": 50, "name": "Normal", "keyword": "normal", "color": "orange" }],',
  '  "workflow": {',
  '    "transitions": [{ "to": ["resolved"], "roles": ["maintainer"] }],',
  '    "comments": { "done": "Say what was done." }',
  '  },',
  '  "defaultView": "everyone"',
  '}',
].join('\n');

describe('config check', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-check-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test(
    'a valid file: exit 0 and a line saying so, whatever the environment says',
    async () => {
      const file = write('good.json', JSON.stringify({ defaultPriority: 50, workflow: { locked: ['wontfix'], comments: { wontfix: 'Say why.' } } }));
      // A broken environment does not matter: only the file is checked.
      const exit = await runCli(['config', 'check', file], { TIMEZONE: 'Mars/Olympus_Mons' });
      expect(exit).toMatchObject({ code: 0, stderr: '', stdout: `${file}: the configuration is valid.\n` });
    },
    SLOW,
  );

  test(
    'an invalid file: exit 1 and every problem with its line and column; the server refuses it the same way',
    async () => {
      const file = write('broken.json', BROKEN);
      const problems = [
        `${file}:11:3: defaultView: Invalid option: expected one of "public"|"users"|"maintainers"`,
        // Not in the file, so placed at the object that lacks it.
        `${file}:1:1: defaultPriority: 90 is not one of the priorities`,
        `${file}:8:30: workflow.transitions.0.to.0: "resolved" is not one of the statuses`,
      ];
      const exit = await runCli(['config', 'check', file], {});
      expect(exit.code).toBe(1);
      expect(exit.stdout).toBe('');
      expect(exit.stderr).toBe(`3 problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);

      const start = await launch('server/main.ts', [], { TRELLIS_CONFIG: file, DATA_DIR: path.join(dir, 'data') }).exited;
      expect(start.code).not.toBe(0);
      expect(start.stderr).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    },
    SLOW,
  );

  test(
    'a file that is not there, or not named, is said so',
    async () => {
      const missing = await runCli(['config', 'check', path.join(dir, 'absent.json')], {});
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^One problem:\n {2}- TRELLIS_CONFIG: cannot read .*absent\.json: ENOENT/);
      const unnamed = await runCli(['config', 'check'], {});
      expect(unnamed.code).toBe(64);
      expect(unnamed.stderr).toMatch(/^Name one file: config check FILE/);
    },
    SLOW,
  );
});
