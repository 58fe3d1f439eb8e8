import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn } from '../support/http';

describe('probe', () => {
  const t = useTestApp();
  test('probe', async () => {
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const id = await createTask(t.domain, alice, { title: '<b>Crash</b> & <script>alert(1)</script> crashes here', description: 'desc' });
    await edit(t.domain, alice, id, { comment: 'a comment about widgets' });
    const b = await loggedIn(t.app, 'alice');
    const urls = [
      '/maniphest/query/?text=crash',
      '/maniphest/query/?text=%00',
      '/maniphest/query/?assigned=%00',
      '/maniphest/query/?text=a&text=b',
      '/maniphest/query/?order=title&after=' + Buffer.from(JSON.stringify(['title', 'priority', 50, 'a\u0000', 1])).toString('base64url'),
      '/maniphest/query/?createdEnd=9999-12-31',
      '/maniphest/query/?createdStart=0000-01-01',
      '/maniphest/query/?createdStart=0001-01-01',
      '/maniphest/query/?text=title:crash',
      '/maniphest/query/?text=widgets',
      '/maniphest/query/?limit=%00',
      '/maniphest/query/?statuses=%00',
    ];
    for (const u of urls) {
      const p = await b.get(u);
      console.log(u, p.status, p.text.slice(0, 300), (p.html.match(/<a class="task-title"[^]*?<\/a>/g) ?? []).join(' | '));
    }
    t.errors.splice(0);
  });
});
