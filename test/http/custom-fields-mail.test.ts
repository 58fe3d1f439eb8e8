import { applyEdit } from '../../server/tasks/editor';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { fieldsConfig } from '../support/fields';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';

describe('custom fields in mail', () => {
  const t = useTestApp(fieldsConfig());
  let sink: Provider;
  let alice: User;

  beforeAll(async () => {
    sink = await smtpProvider('accept');
    alice = await createUser(t.db, { username: 'alice', email: 'alice@example.com' });
    await createUser(t.db, { username: 'bob', email: 'bob@example.com' });
  });
  afterAll(() => sink.close());

  const deliver = () => mailRunner(t, [localMailer('sink', sink.port)]).kick();

  test('the new-task mail and the edit mail say what each field became, as the timeline does', async () => {
    const { taskId } = await applyEdit(t.domain, alice, null, [
      { type: 'title', value: 'Billing broken' },
      { type: 'owner', value: 'bob' },
      { type: 'custom', value: { customer: 'Acme', severity: 'sev1', launch: '2026-12-11' } },
    ]);
    await deliver();
    const created = sink.received.find((r) => r.recipients.includes('bob@example.com'))!;
    expect(created.mail.text).toContain('alice set Customer to "Acme".');
    expect(created.mail.text).toContain('alice set Severity to Sev 1.');
    expect(created.mail.text).toContain('alice set Launch to Dec 11 2026.');
    sink.received.length = 0;

    await applyEdit(t.domain, alice, taskId, [{ type: 'custom', value: { customer: 'Globex', severity: '' } }]);
    await deliver();
    const edited = sink.received.find((r) => r.recipients.includes('bob@example.com'))!;
    expect(edited.mail.text).toContain('alice changed Customer from "Acme" to "Globex".');
    expect(edited.mail.text).toContain('alice removed Severity.');
    expect(edited.mail.html).toContain('alice</a> changed <span class="value">Customer</span>');
  });
});
