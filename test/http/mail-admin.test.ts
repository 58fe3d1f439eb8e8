import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { queueMail } from '../../server/mail/outbox';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createUser } from '../support/factories';
import { Browser, loggedIn, textOf } from '../support/http';
import { mailRunner, messageRow } from '../support/mail';
import { runCli } from '../support/process';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';
import { databaseUrl } from '../support/targets';

describe('the outbox pages and commands', () => {
  const t = useTestApp();
  let accept: Provider, refuses: Provider;

  beforeAll(async () => {
    [accept, refuses] = await Promise.all([smtpProvider('accept'), smtpProvider('permanent')]);
    await createUser(t.db, { username: 'root', role: 'admin' });
    await createUser(t.db, { username: 'mia', role: 'maintainer' });
  });
  afterAll(async () => {
    await Promise.all([accept.close(), refuses.close()]);
  });

  test('administrators see every message with its status, recipients, mailer, attempts and reasons; nobody else does', async () => {
    const sent = await queueMail(t.db, { kind: 'test', to: ['ann@example.com'], cc: ['bob@example.com'], subject: 'Went out', text: 'Hello.' });
    await mailRunner(t, [localMailer('primary', accept.port)]).kick();
    const refused = await queueMail(t.db, { kind: 'test', to: ['ghost@example.com'], subject: 'Bounced', text: 'Hello?' });
    await mailRunner(t, [localMailer('strict', refuses.port)]).kick();
    const voided = await queueMail(t.db, { kind: 'test', to: ['cat@example.com'], subject: 'Nowhere to go <b>', text: 'Hi.' });
    await t.deps.jobs.kick();
    const waiting = await queueMail(t.db, { kind: 'test', to: ['dan@example.com'], subject: 'Later', text: 'Soon.' });

    const page = await (await loggedIn(t.app, 'root')).get('/mail/');
    expect(page.status).toBe(200);
    const row = (id: number) =>
      page.dom
        .querySelector(`a[href="/mail/${id}/"]`)!
        .closest('tr')!
        .querySelectorAll('td')
        .slice(0, 6)
        .map((td) => textOf(td))
        .join(' | ');
    expect(row(sent)).toBe(`${sent} | Sent | Went out | ann@example.com, bob@example.com (Cc) | primary | 1`);
    expect(row(refused)).toBe(`${refused} | Delivery Failed strict: 550 No such user here: ghost@example.com | Bounced | ghost@example.com | strict | 1`);
    expect(row(voided)).toBe(`${voided} | Voided No mailers are configured. | Nowhere to go <b> | cat@example.com |  | 0`);
    expect(row(waiting)).toBe(`${waiting} | Queued | Later | dan@example.com |  | 0`);
    expect(page.html).not.toContain('Nowhere to go <b>');

    expect((await (await loggedIn(t.app, 'mia')).get('/mail/')).status).toBe(403);
    expect((await (await loggedIn(t.app, 'mia')).get(`/mail/${sent}/`)).status).toBe(403);
    expect((await new Browser(t.app).get('/mail/')).status).toBe(403);
  });

  test("a message's page shows its headers, attempts and both bodies; retry sends a failed one again", async () => {
    const id = await queueMail(t.db, {
      kind: 'test',
      to: ['ghost@example.com'],
      subject: 'Twice',
      text: 'Plain <text>.',
      html: '<p>Rich</p>',
      replyTo: 'T1+2+abc@example.com',
      headers: { 'X-Trellis-Stamps': 'monogram(T1)' },
    });
    await mailRunner(t, [localMailer('strict', refuses.port)]).kick();
    const admin = await loggedIn(t.app, 'root');
    const page = await admin.get(`/mail/${id}/`);
    expect(page.status).toBe(200);
    const headers = Object.fromEntries(page.dom.querySelectorAll('.mail-headers tr').map((tr) => [textOf(tr.querySelector('th')!), textOf(tr.querySelector('td')!)]));
    expect(headers).toEqual({
      From: 'Trellis <trellis@localhost>',
      To: 'ghost@example.com',
      Subject: 'Twice',
      'Message-ID': `<trellis-mail-${id}@localhost>`,
      'Reply-To': 'T1+2+abc@example.com',
      'X-Trellis-Stamps': 'monogram(T1)',
    });
    expect(textOf(page.dom.querySelector('.mail-text')!)).toBe('Plain <text>.');
    expect(textOf(page.dom.querySelector('.mail-html')!)).toBe('<p>Rich</p>');
    expect(page.dom.querySelectorAll('.mail-attempts tbody tr').map((tr) => tr.querySelectorAll('td').slice(1).map(textOf).join(' '))).toEqual([
      'strict permanent strict: 550 No such user here: ghost@example.com',
    ]);

    const retried = await admin.post(`/mail/${id}/retry`, {}, `/mail/${id}/`);
    expect([retried.status, retried.location]).toEqual([303, `/mail/${id}/`]);
    expect(await messageRow(t, id)).toMatchObject({ status: 'queued', status_reason: null });
    await mailRunner(t, [localMailer('primary', accept.port)]).kick();
    expect(await messageRow(t, id)).toMatchObject({ status: 'sent', mailer_key: 'primary', attempts: 2 });
    expect((await admin.get(`/mail/${id}/`)).dom.querySelector('form[action$="retry"]')).toBeNull();
    const again = await admin.post(`/mail/${id}/retry`, {}, `/mail/${id}/`);
    expect(again.status).toBe(409);
    expect(again.text).toContain(`Message ${id} was already sent; it is not sent twice.`);
    for (const bad of ['/mail/0/', '/mail/abc/', '/mail/99999999/']) expect((await admin.get(bad)).status).toBe(404);
  });

  (onPostgres() ? test : test.skip)(
    'the command line lists, shows, sends a test and retries',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-mail-cli-'));
      try {
        const configFile = path.join(dir, 'trellis.json');
        fs.writeFileSync(
          configFile,
          JSON.stringify({
            mailers: [
              { key: 'primary', type: 'smtp', priority: 10, options: { host: '127.0.0.1', port: accept.port } },
              { key: 'strict', type: 'smtp', priority: 5, options: { host: '127.0.0.1', port: refuses.port } },
            ],
            mail: { from: 'Trellis <trellis@example.com>' },
          }),
        );
        const { rows } = (await t.db.raw('SELECT current_database() AS name')) as { rows: { name: string }[] };
        const env = { DATABASE_URL: databaseUrl(rows[0]!.name, process.env.TRELLIS_TEST_ADMIN_URL), TRELLIS_CONFIG: configFile };

        const test = await runCli(['mail', 'send-test', '--to', 'ops@example.com'], env);
        expect(test.stderr).toBe('');
        const id = Number(/^Message ([0-9]+): Sent through "primary"\.$/m.exec(test.stdout)?.[1]);
        expect(test.code).toBe(0);
        expect(accept.received.at(-1)!.mail.subject).toBe('[Trellis] Test message');

        const strict = await runCli(['mail', 'send-test', '--to', 'ops@example.com', '--mailer', 'strict'], env);
        expect(strict.code).toBe(1);
        expect(strict.stdout).toMatch(/^Message ([0-9]+): Delivery Failed: strict: 550 No such user here: ops@example.com/m);
        const failedId = Number(/^Message ([0-9]+)/.exec(strict.stdout)![1]);

        const list = await runCli(['mail', 'list', '--limit', '2'], env);
        expect(list.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3))).toEqual([
          [String(failedId), 'Delivery Failed (strict: 550 No such user here: ops@example.com)', 'test'],
          [String(id), 'Sent', 'test'],
        ]);
        const show = await runCli(['mail', 'show', String(id)], env);
        expect(show.stdout).toContain(`Message-ID: <trellis-mail-${id}@example.com>`);
        expect(show.stdout).toContain('TEXT BODY\nThis is a test message from Trellis.');

        const retry = await runCli(['mail', 'retry', String(failedId)], env);
        expect(retry.stdout).toContain(`Message ${failedId}: Sent through "primary".`);
        expect((await runCli(['mail', 'retry', String(failedId)], env)).stderr).toContain('was already sent');
        const bad = await runCli(['mail', 'send-test', '--to', 'not an address'], env);
        expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([64, '"not an address" is not a mail address.']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
