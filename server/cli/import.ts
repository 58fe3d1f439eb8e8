import { parseRoleMapping } from '../import/writer';
import type { ImportOptions } from '../import/run';
import { parse, UsageError } from './args';

/** The options of `import phabricator`, checked before anything is read or written. */
export function parseImportArgs(argv: string[]): Omit<ImportOptions, 'progress'> {
  const { values: raw, positionals } = parse(argv, {
    url: { type: 'string' },
    token: { type: 'string' },
    since: { type: 'string' },
    'dry-run': { type: 'boolean' },
    offset: { type: 'string' },
    role: { type: 'string' },
    markup: { type: 'string' },
    concurrency: { type: 'string' },
  });
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const values = { url: str(raw.url), token: str(raw.token), since: str(raw.since), offset: str(raw.offset), role: str(raw.role), markup: str(raw.markup), concurrency: str(raw.concurrency), 'dry-run': raw['dry-run'] === true };
  if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  if (!values.url || !/^https?:\/\//.test(values.url)) throw new UsageError('Give the install\'s address: --url https://phab.example.com');
  if (!values.token) throw new UsageError('Give a Conduit API token of an account that sees every task: --token api-…');
  let since: number | null = null;
  if (values.since) {
    const t = Date.parse(values.since);
    if (Number.isNaN(t)) throw new UsageError(`--since takes a date such as 2024-01-31 or 2024-01-31T12:00Z, not "${values.since}".`);
    since = Math.floor(t / 1000);
  }
  const offset = values.offset === undefined ? 0 : Number(values.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError('--offset takes a whole number of 0 or more.');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new UsageError('--concurrency takes a number from 1 to 32.');
  const markup = values.markup ?? 'remarkup';
  if (markup !== 'remarkup' && markup !== 'markdown') throw new UsageError('--markup is remarkup (Phabricator, Phorge) or markdown (another Trellis).');
  let roles;
  try {
    roles = parseRoleMapping(values.role);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { url: values.url, token: values.token, since, dryRun: Boolean(values['dry-run']), offset, roles, markup, concurrency };
}
