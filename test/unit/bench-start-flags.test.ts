import { spawnSync } from 'node:child_process';
import { startScriptFlags } from '../bench/app-process';

describe('the node flags the bench starts the app with', () => {
  it('are those of npm start, and this node accepts each of them', () => {
    const flags = startScriptFlags();
    expect(flags).toContain('--max-semi-space-size=64');
    for (const flag of flags) {
      const run = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' });
      expect({ flag, status: run.status, stderr: run.stderr }).toEqual({ flag, status: 0, stderr: '' });
    }
  });
});
