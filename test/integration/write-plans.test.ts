import type { Knex } from 'knex';
import { claimJob, finishJob } from '../../server/jobs/repository';
import { recordAttempt } from '../../server/mail/attempt-repository';
import { closeMessage, findMessage, insertMessagesWithJobs, lockMessage, lockUnrenderedCopies, storeRendering } from '../../server/mail/repository';
import { findMailSubject } from '../../server/mail/render-repository';
import { checkLimits, LIMITS } from '../../server/users/throttle';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';

/**
 * A named statement is worth its name only if PostgreSQL reuses the plan: when a plan made for the
 * values at hand always looks cheaper than the reusable one, it plans the statement again on every
 * call, as if it had no name. PostgreSQL tries five such plans before it may settle on the reusable
 * one, so each write runs eight times here on one connection (a transaction holds one).
 */
(onPostgres() ? describe : describe.skip)('the statements of a write', () => {
  const t = useTestApp();
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer', email: 'bob@example.com' });
  });

  interface Plans {
    name: string;
    generic: number;
    custom: number;
  }

  /** How this connection planned each named statement the writes ran. */
  async function plansOf(write: (trx: Knex.Transaction) => Promise<void>): Promise<Plans[]> {
    return t.db.transaction(async (trx) => {
      for (let n = 0; n < 8; n++) await write(trx);
      const rows = (await trx.raw(`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'trellis%'`)).rows as {
        name: string;
        generic_plans: string;
        custom_plans: string;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      return rows.map((r) => ({ name: r.name, generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
    });
  }

  /** Named statements planned afresh on every call, past PostgreSQL's first five. */
  const replanned = (plans: Plans[]) => plans.filter((p) => p.generic === 0 && p.custom >= 8).map((p) => p.name);

  test('a comment plans each of its statements once', async () => {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Commented on' });
    await edit({ db: t.db, tracker: t.tracker }, bob, task, { comment: 'I see it too.' });
    const plans = await plansOf(async (trx) => {
      await edit({ db: trx, tracker: t.tracker }, alice, task, { comment: 'Another look at this.' });
    });
    expect(replanned(plans)).toEqual([]);
    // Bob is told of each comment: his copy and its job are written by one named statement, whatever the number of copies.
    const mail = plans.find((p) => p.name === 'trellis_mail_insert_with_jobs');
    expect(mail?.generic).toBeGreaterThan(0);
    // And so are the task's lock, its write and the recipients' read.
    for (const name of ['trellis_task_lock_state', 'trellis_task_update_comment', 'trellis_recipients_and_watchers']) {
      expect(plans.find((p) => p.name === name)?.generic).toBeGreaterThan(0);
    }
  });

  test('creating a task plans each of its statements once', async () => {
    const plans = await plansOf(async (trx) => {
      await createTask({ db: trx, tracker: t.tracker }, alice, { title: 'Filed again', description: 'Steps to see it.', owner: 'bob' });
    });
    expect(replanned(plans)).toEqual([]);
  });

  test("a Conduit call's check of refused tokens from its address plans its statement once", async () => {
    const plans = await plansOf(async (trx) => {
      await checkLimits(trx as unknown as Knex, [[LIMITS.apiToken, '192.0.2.7']]);
    });
    expect(plans.find((p) => p.name === 'trellis_attempts_wait')?.generic).toBeGreaterThan(0);
  });

  test('the mail sender names each statement it runs for every message, and plans it once', async () => {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Reported by mail' });
    const { groupId } = await edit({ db: t.db, tracker: t.tracker }, alice, task, { comment: 'Worth a message.' });
    const plans = await plansOf(async (trx) => {
      const copy = { kind: 'task', to: ['bob@example.com'], cc: [], taskId: task, eventGroups: [groupId], rendered: false };
      const [id, other] = await insertMessagesWithJobs(trx, [copy, { ...copy, to: ['carol@example.com'] }], 'plans-test', 0);
      const job = await claimJob(trx as unknown as Knex, { seconds: 60, byKind: {} });
      expect(job).not.toBeNull();
      expect(await findMessage(trx, id!)).not.toBeNull();
      const message = (await lockMessage(trx, id!))!;
      expect((await lockUnrenderedCopies(trx, message)).map((m) => m.id)).toEqual([other]);
      const subject = (await findMailSubject(trx, task, [groupId], [bob.id, alice.id]))!;
      expect(subject.events.map((e) => e.type)).toEqual(['comment']);
      expect([...subject.recipients.keys()].sort((a, b) => a - b)).toEqual([alice.id, bob.id].sort((a, b) => a - b));
      await storeRendering(trx, id!, { subject: 'T1', text: 'A comment.', html: null, replyTo: null, headers: {} });
      await storeRendering(trx, other!, { subject: 'T1', text: 'A comment.', html: null, replyTo: null, headers: {} });
      await closeMessage(trx, id!, 'void', 'No mailers are configured.');
      await recordAttempt(trx as unknown as Knex, other!, 'smtp-a', 'sent', null);
      await finishJob(trx as unknown as Knex, job!.id);
    });
    const sender = ['mail_message', 'mail_message_lock', 'mail_unrendered_copies', 'mail_subject', 'mail_store_rendering', 'mail_close', 'mail_attempt', 'job_claim', 'job_finish'];
    const reused = new Set(plans.filter((p) => p.generic > 0).map((p) => p.name));
    expect(sender.filter((name) => !reused.has(`trellis_${name}`))).toEqual([]);
  });
});
