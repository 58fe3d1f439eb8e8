import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { buildTrackerConfig, checkTrackerFile, DEFAULT_PRIORITIES, DEFAULT_STATUSES } from '../../server/tracker-config';
import { ConfigError } from '../../server/config-error';
import { NO_POINTS } from '../../server/tasks/points';
import { NO_WORKFLOW } from '../../server/tasks/workflow';

const CWD = '/srv/trellis';

/** The problems a configuration is refused with, or a failure if it is accepted. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('The configuration was accepted');
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig', () => {
  test('an empty environment gives the defaults', () => {
    const config = loadConfig({}, CWD);
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: '/srv/trellis/data',
      databaseUrl: null,
      timezone: 'UTC',
      trustProxy: false,
      logRequests: true,
      sessionDays: 30,
      apiRateLimit: 600,
      maxFileBytes: 10485760,
      pageCacheBytes: 64 * 1024 * 1024,
      baseUrl: 'http://localhost:3000',
      mail: {
        from: 'Trellis <trellis@localhost>',
        replyDomain: null,
        inbound: null,
        createAddress: null,
        maxMessageBytes: 10 * 1024 * 1024,
        mailers: [],
      },
      tracker: {
        statuses: DEFAULT_STATUSES,
        priorities: DEFAULT_PRIORITIES,
        defaultPriority: 90,
        defaultStatus: 'open',
        defaultView: 'users',
        workflow: NO_WORKFLOW,
        points: NO_POINTS,
        fields: [],
      },
      database: { connectMs: 5000, statementMs: 30000, acquireMs: 10000 },
      requireMfa: false,
      mfaKey: null,
      replicaUrl: null,
      replicaStickySeconds: 10,
      directUrl: null,
      pooler: 'none',
      webConcurrency: 1,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('the default statuses and priorities are the ones the issue names', () => {
    const { tracker } = loadConfig({}, CWD);
    expect(tracker.priorities.map((p) => [p.value, p.name, p.keyword])).toEqual([
      [100, 'Unbreak Now!', 'unbreak'],
      [90, 'Needs Triage', 'triage'],
      [80, 'High', 'high'],
      [50, 'Normal', 'normal'],
      [25, 'Low', 'low'],
      [0, 'Wishlist', 'wish'],
    ]);
    expect(tracker.statuses.map((s) => [s.key, s.name, s.closed])).toEqual([
      ['open', 'Open', false],
      ['resolved', 'Resolved', true],
      ['wontfix', 'Wontfix', true],
      ['invalid', 'Invalid', true],
      ['duplicate', 'Duplicate', true],
    ]);
    // Closing as Invalid does not assign the task; duplicate is only reached by merging.
    expect(tracker.statuses.filter((s) => !s.claim).map((s) => s.key)).toEqual(['invalid', 'duplicate']);
    expect(tracker.statuses.filter((s) => s.reserved).map((s) => s.key)).toEqual(['duplicate']);
  });

  test('every environment variable is read', () => {
    const file = writeConfig('view.json', { defaultView: 'maintainers' });
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        DATA_DIR: 'var/db',
        DATABASE_URL: 'postgres://trellis@db.internal:5432/trellis',
        TRELLIS_CONFIG: file,
        DEFAULT_VIEW: 'public',
        TIMEZONE: 'Europe/Berlin',
        TRUST_PROXY: 'true',
        LOG_REQUESTS: 'false',
        SESSION_DAYS: '7',
      },
      CWD,
    );
    expect(config).toEqual(
      expect.objectContaining({
        port: 8080,
        host: '127.0.0.1',
        dataDir: '/srv/trellis/var/db',
        databaseUrl: 'postgres://trellis@db.internal:5432/trellis',
        timezone: 'Europe/Berlin',
        trustProxy: true,
        logRequests: false,
        sessionDays: 7,
      }),
    );
    // The environment outranks the file.
    expect(config.tracker.defaultView).toBe('public');
  });

  test.each([
    ['PORT', '0', 'port', 0],
    ['PORT', '65535', 'port', 65535],
    ['DATA_DIR', '/var/lib/trellis', 'dataDir', '/var/lib/trellis'],
    ['DATABASE_URL', 'postgresql://localhost/trellis', 'databaseUrl', 'postgresql://localhost/trellis'],
    ['SESSION_DAYS', '365', 'sessionDays', 365],
    ['SESSION_DAYS', '1', 'sessionDays', 1],
    ['DATABASE_CONNECT_TIMEOUT_MS', '2500', 'database.connectMs', 2500],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '100', 'database.statementMs', 100],
    ['DATABASE_ACQUIRE_TIMEOUT_MS', '3600000', 'database.acquireMs', 3600000],
  ])('%s=%s is accepted', (name, raw, key, expected) => {
    expect(loadConfig({ [name]: raw }, CWD)).toHaveProperty(key, expected);
  });

  test('the settings of several processes, replicas and a pooler go with a PostgreSQL server', () => {
    const server = { DATABASE_URL: 'postgres://db/trellis' };
    expect(
      loadConfig({ ...server, WEB_CONCURRENCY: '4', DATABASE_REPLICA_URL: 'postgres://replica/trellis', DATABASE_REPLICA_STICKY_SECONDS: '30', DATABASE_POOLER: 'pgbouncer', DATABASE_DIRECT_URL: 'postgres://db:5432/trellis' }, CWD),
    ).toMatchObject({ webConcurrency: 4, replicaUrl: 'postgres://replica/trellis', replicaStickySeconds: 30, pooler: 'pgbouncer', directUrl: 'postgres://db:5432/trellis' });
    expect(problemsOf(() => loadConfig({ WEB_CONCURRENCY: '2', DATABASE_POOLER: 'pgbouncer', DATABASE_DIRECT_URL: 'postgres://db/trellis' }, CWD))).toEqual([
      'WEB_CONCURRENCY: 2 app processes need a PostgreSQL server (DATABASE_URL); the embedded database in DATA_DIR opens in one process only. Set WEB_CONCURRENCY=1, or set DATABASE_URL.',
      'DATABASE_DIRECT_URL: needs DATABASE_URL; the embedded database has no replicas or poolers.',
      'DATABASE_POOLER: needs DATABASE_URL; the embedded database has no pooler.',
    ]);
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', ''],
    ['PORT', ' '],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['HOST', ''],
    ['DATA_DIR', ''],
    ['DATABASE_URL', 'mysql://localhost/trellis'],
    ['DATABASE_URL', ''],
    ['DEFAULT_VIEW', 'everyone'],
    ['TIMEZONE', 'Mars/Olympus_Mons'],
    ['TRUST_PROXY', 'yes'],
    ['LOG_REQUESTS', '1'],
    ['SESSION_DAYS', '0'],
    ['SESSION_DAYS', '366'],
    ['SESSION_DAYS', 'week'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '5s'],
    ['DATABASE_CONNECT_TIMEOUT_MS', ''],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '99'],
    ['DATABASE_ACQUIRE_TIMEOUT_MS', '3600001'],
    ['DATABASE_ACQUIRE_TIMEOUT_MS', '-1'],
    ['REQUIRE_MFA', 'yes'],
    ['MFA_KEY', 'too-short'],
    ['WEB_CONCURRENCY', '0'],
    ['WEB_CONCURRENCY', 'two'],
    ['WEB_CONCURRENCY', '65'],
    ['DATABASE_REPLICA_STICKY_SECONDS', '0'],
    ['DATABASE_POOLER', 'pgpool'],
    ['PAGE_CACHE_MB', '-1'],
    ['PAGE_CACHE_MB', '64MB'],
    ['PAGE_CACHE_MB', '4097'],
  ])('%s=%j is refused, naming the variable', (name, raw) => {
    const problems = problemsOf(() => loadConfig({ [name]: raw }, CWD));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}\\b`));
  });

  test('PAGE_CACHE_MB=0 keeps no rendered list', () => {
    expect(loadConfig({ PAGE_CACHE_MB: '0' }, CWD).pageCacheBytes).toBe(0);
    expect(loadConfig({ PAGE_CACHE_MB: '8' }, CWD).pageCacheBytes).toBe(8 * 1024 * 1024);
  });

  test('every problem is listed at once', () => {
    const err = (() => {
      try {
        loadConfig(
          {
            PORT: 'abc',
            DATABASE_URL: 'mysql://x',
            DEFAULT_VIEW: 'all',
            TIMEZONE: 'Mars/Olympus_Mons',
            TRUST_PROXY: 'yes',
            LOG_REQUESTS: '1',
            SESSION_DAYS: '0',
            TRELLIS_CONFIG: 'missing.json',
          },
          dir,
        );
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const { problems, message } = err as ConfigError;
    expect(problems.map((p) => p.split(/[ :]/)[0]).sort()).toEqual(
      ['PORT', 'DATABASE_URL', 'DEFAULT_VIEW', 'TIMEZONE', 'TRUST_PROXY', 'LOG_REQUESTS', 'SESSION_DAYS', 'TRELLIS_CONFIG'].sort(),
    );
    expect(problems).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(problems).toContain('TIMEZONE: "Mars/Olympus_Mons" is not a known time zone');
    expect(problems.find((p) => p.startsWith('TRELLIS_CONFIG'))).toContain(`cannot read ${path.join(dir, 'missing.json')}`);
    expect(message).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  test('unrelated environment variables are ignored', () => {
    expect(loadConfig({ HOME: '/root', NODE_ENV: 'production', PATH: '/usr/bin' }, CWD).port).toBe(3000);
  });
});

describe('the TRELLIS_CONFIG file', () => {
  const custom = {
    statuses: [
      { key: 'new', name: 'New', closed: false },
      { key: 'inprogress', name: 'In Progress', closed: false },
      { key: 'done', name: 'Done', closed: true },
      { key: 'rejected', name: 'Rejected', closed: true, claim: false },
      { key: 'merged', name: 'Merged', closed: true, claim: false, reserved: true },
    ],
    priorities: [
      { value: 10, name: 'Someday', keyword: 'someday', color: 'grey' },
      { value: 90, name: 'Urgent', keyword: 'urgent', color: 'red' },
      { value: 60, name: 'Soon', keyword: 'soon', color: 'orange' },
    ],
    defaultPriority: 60,
    defaultView: 'public',
  };

  test('defines the statuses and priorities, found relative to the working directory', () => {
    writeConfig('trellis.json', custom);
    const { tracker } = loadConfig({ TRELLIS_CONFIG: 'trellis.json' }, dir);
    expect(tracker).toEqual({
      statuses: [
        { key: 'new', name: 'New', closed: false, claim: true, reserved: false },
        { key: 'inprogress', name: 'In Progress', closed: false, claim: true, reserved: false },
        { key: 'done', name: 'Done', closed: true, claim: true, reserved: false },
        { key: 'rejected', name: 'Rejected', closed: true, claim: false, reserved: false },
        { key: 'merged', name: 'Merged', closed: true, claim: false, reserved: true },
      ],
      // Highest first, whatever order the file lists them in.
      priorities: [
        { value: 90, name: 'Urgent', keyword: 'urgent', color: 'red' },
        { value: 60, name: 'Soon', keyword: 'soon', color: 'orange' },
        { value: 10, name: 'Someday', keyword: 'someday', color: 'grey' },
      ],
      defaultPriority: 60,
      // The first open status, when the file names none.
      defaultStatus: 'new',
      defaultView: 'public',
      workflow: NO_WORKFLOW,
      points: NO_POINTS,
      fields: [],
    });
  });

  test('may name its default status', () => {
    const file = writeConfig('status.json', { ...custom, defaultStatus: 'inprogress' });
    expect(loadConfig({ TRELLIS_CONFIG: file }, CWD).tracker.defaultStatus).toBe('inprogress');
  });

  test('may change only the statuses and keep the default priorities', () => {
    const file = writeConfig('only-statuses.json', { statuses: custom.statuses });
    const { tracker } = loadConfig({ TRELLIS_CONFIG: file }, CWD);
    expect(tracker.priorities).toEqual(DEFAULT_PRIORITIES);
    expect(tracker.defaultPriority).toBe(90);
    expect(tracker.statuses.map((s) => s.key)).toEqual(['new', 'inprogress', 'done', 'rejected', 'merged']);
  });

  test('that cannot be parsed is refused, with the line and column of the mistake', () => {
    const file = writeConfig('broken.json', '{\n  "statuses": [\n    { "key": "open" }\n    { "key": "done" }\n  ]\n}');
    expect(problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD))).toEqual([`${file}:4:5: not valid JSON (CommaExpected)`]);
  });

  test('that cannot be read is refused, with its path', () => {
    const file = path.join(dir, 'absent.json');
    const problems = problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRELLIS_CONFIG: cannot read .*absent\.json: ENOENT/);
  });

  test('with wrong shapes is refused, every problem named by its place in the file', () => {
    const file = writeConfig('shapes.json', {
      statuses: [
        { key: 'Open', name: 'Open', closed: false },
        { key: '42', name: '', closed: 'no' },
      ],
      priorities: [{ value: -1, name: 'Low', keyword: 'low', color: '#ff0000' }],
      defaultView: 'everyone',
      colour: 'blue',
    });
    const problems = problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD));
    const prefix = `${file}:1:`;
    expect(problems.every((p) => p.startsWith(prefix))).toBe(true);
    expect(problems.map((p) => p.slice(file.length).split(': ')[1]).sort()).toEqual(
      [
        'statuses.0.key',
        'statuses.1.key',
        'statuses.1.name',
        'statuses.1.closed',
        'priorities.0.value',
        'priorities.0.color',
        'defaultView',
        // The unknown key "colour" is reported at the top level, with the key named in the message.
        'Unrecognized key',
      ].sort(),
    );
    // One line of JSON: the column points at the key ("key" of the first status starts at column 15).
    expect(problems).toContain(`${prefix}15: statuses.0.key: must be 1-64 lowercase letters or digits, not all digits`);
  });

  test('that breaks the rules is refused along with the environment problems', () => {
    const file = writeConfig('rules.json', { priorities: custom.priorities.filter((p) => p.value !== 90) });
    const problems = problemsOf(() => loadConfig({ TRELLIS_CONFIG: file, TRUST_PROXY: 'maybe' }, CWD));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^TRUST_PROXY: /);
    // A key the file does not have is placed at the object that lacks it.
    expect(problems[1]).toBe(`${file}:1:1: defaultPriority: 90 is not one of the priorities`);
  });
});

describe('buildTrackerConfig', () => {
  const open = { key: 'open', name: 'Open', closed: false, claim: true, reserved: false };
  const done = { key: 'done', name: 'Done', closed: true, claim: true, reserved: false };
  const high = { value: 80, name: 'High', keyword: 'high', color: 'red' };
  const low = { value: 20, name: 'Low', keyword: 'low', color: 'yellow' };

  test('with nothing given, is the default tracker', () => {
    expect(buildTrackerConfig({})).toEqual({
      statuses: DEFAULT_STATUSES,
      priorities: DEFAULT_PRIORITIES,
      defaultPriority: 90,
      defaultStatus: 'open',
      defaultView: 'users',
      workflow: NO_WORKFLOW,
      points: NO_POINTS,
      fields: [],
    });
  });

  test('the default visibility comes from the environment, then the file, then "users"', () => {
    expect(buildTrackerConfig({ defaultView: 'public' }, 'maintainers').defaultView).toBe('maintainers');
    expect(buildTrackerConfig({ defaultView: 'public' }).defaultView).toBe('public');
    expect(buildTrackerConfig({}).defaultView).toBe('users');
  });

  test.each([
    ['a status key defined twice', { statuses: [open, done, { ...done, name: 'Finished' }] }, ['statuses.2.key: "done" is defined twice']],
    ['a priority value defined twice', { priorities: [high, { ...low, value: 80 }], defaultPriority: 80 }, ['priorities.1.value: 80 is defined twice']],
    ['a priority keyword defined twice', { priorities: [high, { ...low, keyword: 'high' }], defaultPriority: 80 }, ['priorities.1: keyword "high" is defined twice']],
    ['a priority alias that is another keyword', { priorities: [high, { ...low, aliases: ['high'] }], defaultPriority: 80 }, ['priorities.1: keyword "high" is defined twice']],
    ['a default priority that is not a priority', { priorities: [high, low] }, ['defaultPriority: 90 is not one of the priorities']],
    ['a named default priority that is not a priority', { defaultPriority: 55 }, ['defaultPriority: 55 is not one of the priorities']],
    ['a default status that is not a status', { defaultStatus: 'todo' }, ['defaultStatus: "todo" is not one of the statuses']],
    ['a closed default status', { defaultStatus: 'resolved' }, ['defaultStatus: "resolved" must be an open status']],
    ['no closed status', { statuses: [open, { ...open, key: 'doing', name: 'Doing' }] }, ['statuses: at least one closed status is needed']],
    [
      'only a reserved closed status',
      { statuses: [open, { ...done, reserved: true }] },
      ['statuses: at least one closed status is needed'],
    ],
    ['no open status', { statuses: [done, { ...done, key: 'gone', name: 'Gone' }] }, ['defaultStatus: "open" is not one of the statuses']],
  ])('refuses %s', (_case, input, expected) => {
    expect(problemsOf(() => buildTrackerConfig(input))).toEqual(expected);
  });

  test('lists every broken rule at once', () => {
    const problems = problemsOf(() =>
      buildTrackerConfig({
        statuses: [
          { ...done, key: 'x' },
          { ...done, key: 'x', reserved: true },
        ],
        priorities: [high, { ...high, name: 'Higher' }],
        defaultPriority: 70,
      }),
    );
    expect(problems).toEqual([
      'statuses.1.key: "x" is defined twice',
      'priorities.1.value: 80 is defined twice',
      'priorities.1: keyword "high" is defined twice',
      'defaultPriority: 70 is not one of the priorities',
      'defaultStatus: "open" is not one of the statuses',
    ]);
  });
});

describe('the mail configuration', () => {
  const smtp = (key: string, extra: Record<string, unknown> = {}) => ({ key, type: 'smtp', options: { host: `${key}.example.com`, ...extra } });

  test('reads mailers in priority shape, with defaults, and passwords from the environment', () => {
    const file = writeConfig('mail.json', {
      mailers: [smtp('primary', { port: 587, user: 'trellis', password: '$SMTP_PASSWORD' }), { ...smtp('backup'), priority: 10, inbound: false }],
      mail: { from: 'Trellis <t@example.com>', replyDomain: 'reply.example.com', inbound: { port: 2525 }, createAddress: 'bugs@reply.example.com' },
    });
    const { mail } = loadConfig({ TRELLIS_CONFIG: file, SMTP_PASSWORD: 's3cret' }, CWD);
    expect(mail.mailers).toEqual([
      { key: 'primary', type: 'smtp', priority: 0, inbound: true, outbound: true, options: { host: 'primary.example.com', port: 587, secure: false, user: 'trellis', password: 's3cret', timeout: 30000 } },
      { key: 'backup', type: 'smtp', priority: 10, inbound: false, outbound: true, options: { host: 'backup.example.com', port: 25, secure: false, password: undefined, timeout: 30000 } },
    ]);
    expect(mail).toMatchObject({ from: 'Trellis <t@example.com>', replyDomain: 'reply.example.com', inbound: { host: '0.0.0.0', port: 2525 }, createAddress: 'bugs@reply.example.com' });
  });

  test('BASE_URL is the address links in mail use, without a trailing slash', () => {
    expect(loadConfig({ BASE_URL: 'https://tasks.example.com/' }, CWD).baseUrl).toBe('https://tasks.example.com');
    expect(loadConfig({ PORT: '8080' }, CWD).baseUrl).toBe('http://localhost:8080');
    expect(problemsOf(() => loadConfig({ BASE_URL: 'tasks.example.com' }, CWD))).toEqual([
      'BASE_URL: must be an http:// or https:// address without a query',
    ]);
  });

  test('lists every mail problem at once', () => {
    const file = writeConfig('bad-mail.json', {
      mailers: [smtp('a', { password: '$MISSING_SECRET' }), smtp('a'), { key: 'b', type: 'sendmail', options: {} }],
      mail: { inbound: { port: 2525 }, createAddress: 'bugs@example.com' },
    });
    const problems = problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD));
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('mailers.2.type')]));
    const second = writeConfig('bad-mail-2.json', {
      mailers: [smtp('a', { password: '$MISSING_SECRET' }), smtp('a')],
      mail: { inbound: { port: 2525 } },
    });
    // One line of JSON: each problem is placed at its key's column.
    expect(problemsOf(() => loadConfig({ TRELLIS_CONFIG: second }, CWD))).toEqual([
      `${second}:1:72: mailers.0.options.password: the environment variable MISSING_SECRET is not set`,
      `${second}:1:104: mailers.1.key: "a" is used by another mailer`,
      `${second}:1:173: mail.inbound: needs mail.replyDomain, the domain reply addresses are made at`,
    ]);
  });
});

describe('workflow rules', () => {
  const rules = {
    transitions: [
      { from: ['open'], to: ['resolved'], roles: ['maintainer'] },
      { to: ['invalid'], roles: ['engineer', 'maintainer'] },
    ],
    comments: { wontfix: 'Closing as Wontfix needs a comment saying why.' },
    locked: ['wontfix'],
  };

  test('are read from the file under "workflow"', () => {
    const file = writeConfig('workflow.json', { workflow: rules });
    expect(loadConfig({ TRELLIS_CONFIG: file }, CWD).tracker.workflow).toEqual(rules);
  });

  test('without them, no transitions are configured and nothing needs a comment or locks', () => {
    expect(buildTrackerConfig({}).workflow).toEqual({ transitions: null, comments: {}, locked: [] });
  });

  // Written by hand, as people write them: each problem's line and column are those of the mistake.
  const broken = [
    '{',
    '  "statuses": [',
    '    { "key": "open", "name": "Open", "closed": false },',
    '    { "key": "resolved", "name": "Resolved", "closed": true },',
    '    { "key": "resolved", "name": "Done", "closed": true },',
    '    { "key": "duplicate", "name": "Duplicate", "closed": true, "reserved": true }',
    '  ],',
    '  "defaultStatus": "todo",',
    '  "workflow": {',
    '    "transitions": [',
    '      { "from": ["open"], "to": ["fixed", "duplicate"], "roles": ["maintainer"] }',
    '    ],',
    '    "comments": { "wontfix": "Say why." },',
    '    "locked": ["gone"]',
    '  }',
    '}',
  ].join('\n');

  test('that name what is not configured are refused at start, every problem at once with its position', () => {
    const file = writeConfig('broken-workflow.json', broken);
    expect(problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD))).toEqual([
      `${file}:5:7: statuses.2.key: "resolved" is defined twice`,
      `${file}:8:3: defaultStatus: "todo" is not one of the statuses`,
      `${file}:11:34: workflow.transitions.0.to.0: "fixed" is not one of the statuses`,
      `${file}:11:43: workflow.transitions.0.to.1: "duplicate" is reserved: tasks reach it by merging`,
      `${file}:13:19: workflow.comments.wontfix: "wontfix" is not one of the statuses`,
      `${file}:14:16: workflow.locked.0: "gone" is not one of the statuses`,
    ]);
  });

  test('of the wrong shape are listed with the problems of the rest of the file', () => {
    const file = writeConfig(
      'shape-workflow.json',
      ['{', '  "statuses": [', '    { "key": "open", "name": "Open", "closed": false },', '    { "key": "open", "name": "Done", "closed": true }', '  ],', '  "workflow": { "transitions": [{ "to": ["open"], "roles": ["boss"] }], "lock": [] }', '}'].join('\n'),
    );
    expect(problemsOf(() => loadConfig({ TRELLIS_CONFIG: file }, CWD))).toEqual([
      `${file}:6:61: workflow.transitions.0.roles.0: Invalid option: expected one of "reader"|"engineer"|"maintainer"|"admin"`,
      `${file}:6:3: workflow: Unrecognized key: "lock"`,
      `${file}:4:7: statuses.1.key: "open" is defined twice`,
    ]);
  });

  test('checkTrackerFile, behind `config check`, lists the same problems without the environment', () => {
    const file = writeConfig('check.json', broken);
    expect(checkTrackerFile(file, {})).toHaveLength(6);
    expect(checkTrackerFile(writeConfig('fine.json', { workflow: rules }), {})).toEqual([]);
    expect(checkTrackerFile(writeConfig('syntax.json', '{ "workflow": { "locked": ["wontfix"] }'), {})).toEqual([
      `${path.join(dir, 'syntax.json')}:1:40: not valid JSON (CloseBraceExpected)`,
    ]);
  });
});
