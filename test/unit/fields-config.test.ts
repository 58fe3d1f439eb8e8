import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkTrackerFile } from '../../server/tracker-config';
import { checkFields } from '../../server/fields/config';
import { parseDay } from '../../server/fields/values';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-fields-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BROKEN = [
  '{',
  '  "fields": {',
  '    "customer": { "name": "Customer", "type": "text", "caption": "Who asked", "view": true },',
  '    "severity": { "name": "Severity", "type": "select" },',
  '    "mood": { "name": "Mood", "type": "select", "options": { "up": "Up" }, "default": "down" },',
  '    "notes": { "name": "Notes", "type": "remarkup" },',
  '    "client": { "name": "severity", "type": "text" },',
  '    "bad key!": { "name": "Bad", "type": "text" },',
  '    "hours": { "name": "Hours", "type": "int", "colour": "red", "default": "many" },',
  '    "launch": { "name": "Launch", "type": "date", "default": "2026-02-30" },',
  '    "customer": { "name": "Again", "type": "text" }',
  '  }',
  '}',
].join('\n');

describe('fields in the configuration file', () => {
  test('every problem at once, each at its line and column', () => {
    const file = path.join(dir, 'fields.json');
    fs.writeFileSync(file, BROKEN);
    expect(checkTrackerFile(file, {})).toEqual([
      `${file}:11:5: fields.customer: the field "customer" is defined twice; the second definition would replace the first`,
      `${file}:4:5: fields.severity: a select field needs "options": { "key": "Name", … }`,
      `${file}:5:76: fields.mood.default: "down" is not among the options (up)`,
      `${file}:6:33: fields.notes.type: "remarkup" is not a field type; use one of text, int, bool, date, select, users ("remarkup" is not supported: use "text", or write it in the description)`,
      `${file}:7:17: fields.client.name: the name "severity" is already the name of field "severity"`,
      `${file}:8:5: fields.bad key!: the key "bad key!" may hold only letters, digits, ":", "-" and "_", 1-64 of them, starting with a letter or digit`,
      `${file}:9:48: fields.hours.colour: "colour" is not a field setting; use name, type, required, default, search, copy, list, options, disabled, view, edit`,
      `${file}:10:51: fields.launch.default: "2026-02-30" is not a day written YYYY-MM-DD`,
    ]);
  });

  test("Phabricator's definitions paste in: display keys accepted, keys with colons, disabled fields left out", () => {
    const { fields, problems } = checkFields({
      'mycompany:estimated-hours': { name: 'Estimated Hours', type: 'int', caption: 'Hours', description: 'How long', instructions: 'x', placeholder: '3', fulltext: false, edit: true, view: true, list: 'attribute' },
      'mycompany:old': { name: 'Old', type: 'text', disabled: true },
      reviewers: { name: 'Reviewers', type: 'users', default: ['@alice'] },
    });
    expect(problems).toEqual([]);
    expect(fields.map((f) => [f.key, f.type, f.list, f.help, f.placeholder, f.default])).toEqual([
      ['mycompany:estimated-hours', 'int', true, 'How long', '3', null],
      ['reviewers', 'users', false, '', '', ['alice']],
    ]);
  });

  test('days are checked for existing', () => {
    expect(parseDay('2026-02-28')).toBe('2026-02-28');
    expect(parseDay('2026-02-30')).toBeNull();
    expect(parseDay('2024-02-29')).toBe('2024-02-29');
    expect(parseDay('26-1-1')).toBeNull();
  });
});
