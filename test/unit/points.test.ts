import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { buildTrackerConfig, checkTrackerFile } from '../../server/tracker-config';
import { ConfigError } from '../../server/config-error';
import { formatPoints, MAX_POINTS, NO_POINTS, parsePoints, pointsText } from '../../server/tasks/points';

const CWD = '/srv/trellis';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-points-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('The configuration was accepted');
}

describe('the points configuration', () => {
  test('is off by default, named as Phabricator names it', () => {
    expect(loadConfig({}, CWD).tracker.points).toEqual({ enabled: false, label: 'Points', action: 'Change Points' });
    expect(buildTrackerConfig({}).points).toEqual(NO_POINTS);
  });

  test('is read from the file under "points", its label and action optional', () => {
    const file = writeConfig('points.json', JSON.stringify({ points: { enabled: true, label: 'Story Points', action: 'Change Story Points' } }));
    expect(loadConfig({ TRELLIS_CONFIG: file }, CWD).tracker.points).toEqual({ enabled: true, label: 'Story Points', action: 'Change Story Points' });
    const bare = writeConfig('bare.json', JSON.stringify({ points: { enabled: true } }));
    expect(loadConfig({ TRELLIS_CONFIG: bare }, CWD).tracker.points).toEqual({ enabled: true, label: 'Points', action: 'Change Points' });
  });

  test('of the wrong shape is refused with each problem placed in the file, beside the problems of the rest', () => {
    const text = [
      '{',
      '  "points": {',
      '    "enabled": "yes",',
      '    "label": "  ",',
      '    "colour": "blue"',
      '  },',
      '  "defaultPriority": 7',
      '}',
    ].join('\n');
    const file = writeConfig('broken.json', text);
    expect(problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD))).toEqual([
      `${file}:3:5: points.enabled: Invalid input: expected boolean, received string`,
      `${file}:4:5: points.label: must not be empty`,
      `${file}:2:3: points: Unrecognized key: "colour"`,
      `${file}:7:3: defaultPriority: 7 is not one of the priorities`,
    ]);
    // `config check` lists the same, without starting.
    expect(checkTrackerFile(file, {})).toHaveLength(4);
  });

  test('without "enabled" says so at the section', () => {
    const file = writeConfig('no-enabled.json', '{\n  "points": { "label": "Story Points" }\n}');
    expect(checkTrackerFile(file, {})).toEqual([`${file}:2:3: points.enabled: Invalid input: expected boolean, received undefined`]);
  });

  test('a label of several lines or past 64 characters is refused', () => {
    const file = writeConfig('long.json', JSON.stringify({ points: { enabled: true, label: 'x'.repeat(65), action: 'Change\nPoints' } }, null, 2));
    expect(checkTrackerFile(file, {})).toEqual([
      `${file}:4:5: points.label: must be at most 64 characters`,
      `${file}:5:5: points.action: must be one line of text`,
    ]);
  });
});

describe('point values', () => {
  test('are non-negative numbers with up to two decimals, or empty for none', () => {
    expect(parsePoints('3')).toBe(3);
    expect(parsePoints(' 0.5 ')).toBe(0.5);
    expect(parsePoints('.25')).toBe(0.25);
    expect(parsePoints(0)).toBe(0);
    expect(parsePoints(12.75)).toBe(12.75);
    expect(parsePoints(String(MAX_POINTS))).toBe(MAX_POINTS);
    expect(parsePoints('')).toBeNull();
    expect(parsePoints(null)).toBeNull();
  });

  test.each([
    ['-1', 'Points value must be nonnegative.'],
    [-0.5, 'Points value must be nonnegative.'],
    ['lots', 'Points value must be numeric or empty.'],
    ['NaN', 'Points value must be numeric or empty.'],
    [Number.NaN, 'Points value must be numeric or empty.'],
    [Infinity, 'Points value must be numeric or empty.'],
    ['1e3', 'Points value must be numeric or empty.'],
    ['0x10', 'Points value must be numeric or empty.'],
    ['3 points', 'Points value must be numeric or empty.'],
    [true, 'Points value must be numeric or empty.'],
    [[3], 'Points value must be numeric or empty.'],
    ['10001', `Points value must be at most ${MAX_POINTS}.`],
    ['1.125', 'Points value may have at most two decimal places.'],
  ])('%p is refused: %s', (raw, message) => {
    expect(() => parsePoints(raw)).toThrow(message);
  });

  test('read as people write them, sums without float noise', () => {
    expect(formatPoints(3)).toBe('3');
    expect(formatPoints(0.1 + 0.2)).toBe('0.3');
    expect(pointsText(12.5, { enabled: true, label: 'Story Points', action: 'Change Points' })).toBe('12.5 Story Points');
  });
});
