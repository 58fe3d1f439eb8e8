import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkTrackerFile } from '../../server/tracker-config';

/** The README's example of a whole configuration file must stay one a start accepts. */
test('the README\'s whole configuration file passes config check', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### A whole file'));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(json).toBeDefined();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-readme-')), 'trellis.json');
  fs.writeFileSync(file, json!);
  expect(checkTrackerFile(file, {})).toEqual([]);
});
