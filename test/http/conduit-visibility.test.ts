import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { result, tokenFor } from '../support/conduit';

describe('the API never shows what the caller may not see', () => {
  const t = useTestApp();

  test('transaction.search leaves out back-links from tasks the caller may not see', async () => {
    const boss = await createUser(t.db, { username: 'boss', role: 'maintainer' });
    const eng = await createUser(t.db, { username: 'eng', role: 'engineer' });
    const open = await createTask(t.domain, eng, { title: 'open one' });
    await createTask(t.domain, boss, { title: 'secret', view: 'maintainers', description: `see T${open}` });
    const seen = await result(t.app, 'transaction.search', { objectIdentifier: `T${open}` }, await tokenFor(t.db, eng));
    expect(seen.data.map((d: { authorPHID: string }) => d.authorPHID)).not.toContain(boss.phid);
    const all = await result(t.app, 'transaction.search', { objectIdentifier: `T${open}` }, await tokenFor(t.db, boss));
    expect(all.data.map((d: { authorPHID: string }) => d.authorPHID)).toContain(boss.phid);
  });
});
