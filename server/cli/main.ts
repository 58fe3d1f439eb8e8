import path from 'node:path';
import { boot } from '../boot';
import { loadConfig } from '../config';
import { checkTrackerFile } from '../tracker-config';
import { ConfigError } from '../config-error';
import { DataDirLockedError } from '../db/lock';
import { isDatabaseUnavailable, unreachableSentence } from '../db/unavailable';
import { migrationStatus } from '../db/migrate';
import { AppError, ValidationError } from '../errors';
import { createAccount } from '../users/accounts';
import { resetAccountMfa, setPasswordFor } from '../users/administration';
import { COMMAND_LINE } from '../users/audit';
import { createApiTokenFor } from '../users/tokens';
import { parse, UsageError } from './args';
import { demoReport, loadDemo } from './demo';
import { mailCommand } from './mail';
import { parseImportArgs } from './import';
import { runImport } from '../import/run';
import { readPassword } from './password';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate                       apply pending database migrations and list them
  config check FILE             check a TRELLIS_CONFIG file without starting: every problem, with its line and column
  user add NAME --role ROLE [--email E] [--realname "R"]
                                create an account; the password is read from standard input
                                (ROLE: reader, engineer, maintainer, admin)
  user password NAME            set an account's password, read from standard input; its sessions end
  user mfa-reset NAME           remove an account's second factor and recovery codes (a lost phone)
  demo                          load demo people and about thirty tasks into an empty tracker
  token create USERNAME [--name N]
                                create a Conduit API token for an account and print it (shown once)
  mail list [--limit N]         the outbox, newest first: id, status, kind, recipients, subject, mailer, attempts
  mail inbound [--limit N]      mail received, newest first: id, time, outcome, kind, sender, task, reason
  mail show ID                  one message: properties, headers, attempts, both bodies
  mail send-test --to ADDRESS [--mailer KEY]
                                send a test message now, through every mailer in turn or through one
  mail retry ID                 send a failed, voided or waiting message again now
  import phabricator --url URL --token TOKEN [--since DATE] [--dry-run] [--offset N]
                     [--role SOURCE=ROLE,...] [--markup remarkup|markdown] [--concurrency N]
                                import a Phabricator or Phorge install through its Conduit API, keeping
                                T-numbers and history; run again to bring in what changed
`;

const out = (line: string) => process.stdout.write(line + '\n');

async function run(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') return void out(USAGE);
  // Before loading the configuration: checking a file must work where the current one is broken.
  if (command === 'config' && sub === 'check') {
    const { positionals } = parse(rest, {});
    if (positionals.length !== 1) throw new UsageError('Name one file: config check FILE');
    const problems = checkTrackerFile(path.resolve(positionals[0]!));
    if (!problems.length) return void out(`${positionals[0]}: the configuration is valid.`);
    process.stderr.write(`${problems.length === 1 ? 'One problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  const config = loadConfig();

  if (command === 'user' && sub === 'add') {
    const { values, positionals } = parse(rest, { role: { type: 'string' }, email: { type: 'string' }, realname: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one account: user add NAME --role ROLE');
    if (!values.role) throw new UsageError('Say which role the account has: --role reader|engineer|maintainer|admin');
    const password = await readPassword(`Password for ${positionals[0]}: `);
    const { database, deps } = await boot(config, () => undefined);
    try {
      const user = await createAccount(deps.db, { username: positionals[0], role: values.role, email: values.email ?? '', realname: values.realname ?? '', password });
      out(`Created ${user.username} (${user.role}).`);
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'user' && (sub === 'password' || sub === 'mfa-reset')) {
    const { positionals } = parse(rest, {});
    if (positionals.length !== 1) throw new UsageError(`Name exactly one account: user ${sub} NAME`);
    const name = positionals[0]!;
    const password = sub === 'password' ? await readPassword(`New password for ${name}: `) : '';
    const { database, deps } = await boot(config, () => undefined);
    try {
      if (sub === 'password') {
        const user = await setPasswordFor(deps.db, name, password, COMMAND_LINE);
        out(`Set the password of ${user.username}; every session of the account has ended.`);
      } else {
        const user = await resetAccountMfa(deps.db, name, COMMAND_LINE);
        out(`Removed the second factor of ${user.username}; it logs in with its password alone until it sets up a new one.`);
      }
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'token' && sub === 'create') {
    const { values, positionals } = parse(rest, { name: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one account: token create USERNAME [--name N]');
    const { database, deps } = await boot(config, () => undefined);
    try {
      const { token } = await createApiTokenFor(deps.db, positionals[0]!, typeof values.name === 'string' ? values.name : 'Command line');
      // The token alone on standard output, so scripts can capture it.
      out(token);
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'migrate' && !sub) {
    const { database, migrated } = await boot(config, () => undefined);
    try {
      out(migrated.length ? `Applied: ${migrated.join(', ')}` : 'The database is up to date.');
      const { done } = await migrationStatus(database.db);
      out(`${done.length} migrations applied in all.`);
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'demo' && !sub) {
    const { database, deps } = await boot(config, () => undefined);
    try {
      const loaded = await loadDemo({ db: deps.db, tracker: deps.tracker });
      for (const line of demoReport(loaded)) out(line);
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'mail') {
    const booted = await boot(config, () => undefined);
    try {
      if (!(await mailCommand(sub, rest, booted, out))) process.exitCode = 1;
    } finally {
      // Closes the mailers' connections a send opened, politely, before the process ends.
      await booted.deps.jobs.stop();
      await booted.database.close();
    }
    return;
  }

  if (command === 'import' && sub === 'phabricator') {
    const options = parseImportArgs(rest);
    const { database, deps } = await boot(config, () => undefined);
    try {
      const report = await runImport({ db: deps.db, tracker: deps.tracker }, { ...options, progress: (line) => process.stderr.write(`\r${line}\x1b[K`) });
      process.stderr.write('\n');
      for (const line of report.lines(options.dryRun)) out(line);
    } finally {
      await database.close();
    }
    return;
  }

  throw new UsageError(`Unknown command: ${argv.join(' ')}`);
}

run(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ValidationError) process.stderr.write(`${Object.entries(err.fields).map(([f, m]) => `${f}: ${m}`).join('\n')}\n`);
    else if (err instanceof AppError || err instanceof ConfigError || err instanceof DataDirLockedError) process.stderr.write(`${err.message}\n`);
    else if (isDatabaseUnavailable(err)) process.stderr.write(`${unreachableSentence(err)}\n`);
    else process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
    process.exit(err instanceof UsageError ? 64 : 1);
  },
);
