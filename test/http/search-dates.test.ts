import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { loggedIn } from '../support/http';

/**
 * Date filters name the install's calendar days. In Los Angeles, 10 March 2024
 * began at 08:00 UTC and, the clocks having gone forward that night, ended at
 * 07:00 UTC the next day.
 */
describe('date filters in the install time zone', () => {
  const t = useTestApp({ timezone: 'America/Los_Angeles' });
  const T: Record<string, string> = {};

  beforeAll(async () => {
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const at: Record<string, string> = {
      eve: '2024-03-10T07:59:59Z',
      dawn: '2024-03-10T08:00:00Z',
      night: '2024-03-11T06:59:59Z',
      next: '2024-03-11T07:00:00Z',
    };
    for (const [name, when] of Object.entries(at)) {
      const id = await createTask(t.domain, alice, { title: `Created at ${name}` });
      await t.db('tasks').where({ id }).update({ created_at: when, updated_at: when });
      T[name] = `T${id}`;
    }
  });

  const monograms = async (query: string) => {
    const alice = await loggedIn(t.app, 'alice');
    const page = await alice.get(`/maniphest/query/?${query}&order=oldest&group=none`);
    expect(page.status).toBe(200);
    return page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
  };

  test('one day, start and end the same, holds what was created on it there', async () => {
    expect(await monograms('createdStart=2024-03-10&createdEnd=2024-03-10')).toEqual([T.dawn, T.night]);
  });

  test('a start day alone begins at local midnight', async () => {
    expect(await monograms('createdStart=2024-03-11')).toEqual([T.next]);
  });

  test('an end day alone ends at the next local midnight', async () => {
    expect(await monograms('createdEnd=2024-03-09')).toEqual([T.eve]);
  });

  test('updated dates follow the same days', async () => {
    expect(await monograms('updatedStart=2024-03-10&updatedEnd=2024-03-10')).toEqual([T.dawn, T.night]);
  });
});
