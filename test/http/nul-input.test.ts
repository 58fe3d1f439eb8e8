import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { call, tokenFor } from '../support/conduit';
import { loggedIn } from '../support/http';

describe('U+0000, which PostgreSQL text cannot hold', () => {
  const t = useTestApp();

  test('U+0000 in Conduit parameters and account names is no internal error', async () => {
    const a = await createUser(t.db, { username: 'nul', role: 'admin' });
    const tok = await tokenFor(t.db, a);
    expect((await call(t.app, 'user.search', { constraints: { usernames: ['a\u0000'] } }, tok)).error_code).toBeNull();
    expect((await call(t.app, 'maniphest.search', { constraints: { query: 'x\u0000' } }, tok)).error_code).toBeNull();
    expect((await call(t.app, 'maniphest.edit', { objectIdentifier: 'PHID-TASK-\u0000', transactions: [] }, tok)).error_info).toBe('No object exists with PHID "PHID-TASK-\uFFFD".');
    const web = await loggedIn(t.app, 'nul');
    expect((await web.get('/p/a%00/')).status).toBe(404);
  });
});
