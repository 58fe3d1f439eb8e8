import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queueMail } from '../../server/mail/outbox';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { databaseUrl } from '../support/targets';
import { attemptsOf, mailRunner, messageRow } from '../support/mail';
import { trellisEnv } from '../support/process';
import { hangingProvider, localMailer, smtpProvider, type Provider } from '../support/smtp';

// Two processes on one database need a database server; the embedded one belongs to one process.
const onServer = onPostgres() ? describe : describe.skip;

onServer('a process killed while it sends', () => {
  const t = useTestApp();
  let hangs: Provider, accept: Provider;
  let dir: string;

  beforeAll(async () => {
    [hangs, accept] = await Promise.all([hangingProvider(), smtpProvider('accept')]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-mail-crash-'));
  });
  afterAll(async () => {
    await Promise.all([hangs.close(), accept.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('leaves its message to another process once the lease lapses, and it is sent once', async () => {
    const id = await queueMail(t.db, { kind: 'test', to: ['ann@example.com'], subject: 'Survivor', text: 'Still here.' });
    const configFile = path.join(dir, 'trellis.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({ mailers: [{ key: 'silent', type: 'smtp', options: { host: '127.0.0.1', port: hangs.port, timeout: 60000 } }], mail: { from: 'Trellis <trellis@example.com>' } }),
    );
    const { rows } = (await t.db.raw('SELECT current_database() AS name')) as { rows: { name: string }[] };
    const url = databaseUrl(rows[0]!.name, process.env.TRELLIS_TEST_ADMIN_URL);
    // node itself rather than the tsx wrapper, so that SIGKILL reaches the process that sends.
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: trellisEnv({ DATABASE_URL: url, TRELLIS_CONFIG: configFile, PORT: '0' }),
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => server.on('exit', resolve));
    try {
      for (let tries = 0; hangs.connections === 0; tries++) {
        if (tries === 400) throw new Error('The server never tried to send.');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      server.kill('SIGKILL');
      await exited;
    }

    const runner = mailRunner(t, [localMailer('accepting', accept.port)]);
    // The dead process's lease still holds: nobody else touches the message.
    await runner.kick();
    expect(await messageRow(t, id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(accept.received).toHaveLength(0);

    await t.db('jobs').whereRaw(`payload ->> 'messageId' = ?`, [String(id)]).update({ claimed_until: t.db.raw(`now() - interval '1 second'`) });
    await runner.kick();
    expect(await messageRow(t, id)).toMatchObject({ status: 'sent', mailer_key: 'accepting', attempts: 1 });
    expect(await attemptsOf(t, id)).toEqual([{ mailer_key: 'accepting', outcome: 'sent' }]);
    expect(accept.received.map((r) => r.mail.subject)).toEqual(['Survivor']);
  });
});
