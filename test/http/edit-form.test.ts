import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { fieldError, formValues, loggedIn, timelineLines } from '../support/http';

describe('the edit form, saved as a browser sends it', () => {
  const t = useTestApp();

  test('closing an unassigned task from the edit form claims it; conflict messages name owner and visibility', async () => {
    const author = await createUser(t.db, { username: 'author', role: 'maintainer' });
    await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'maintainer' });
    await createUser(t.db, { username: 'carol', role: 'maintainer' });
    const alice = await loggedIn(t.app, 'alice');
    const bob = await loggedIn(t.app, 'bob');
    const id = await createTask(t.domain, author, { title: 'x' });
    const url = `/maniphest/task/edit/${id}/`;
    expect((await alice.postRaw(url, { ...formValues(await alice.get(url), 'form.task-form'), status: 'resolved' })).status).toBe(303);
    expect(timelineLines(await alice.get(`/T${id}`))).toEqual(['author created this task.', 'alice closed this task as Resolved.', 'alice claimed this task.']);
    const id2 = await createTask(t.domain, author, { title: 'y' });
    const url2 = `/maniphest/task/edit/${id2}/`;
    const a2 = formValues(await alice.get(url2), 'form.task-form');
    const b2 = formValues(await bob.get(url2), 'form.task-form');
    expect((await alice.postRaw(url2, { ...a2, owner: 'carol', view: 'public' })).status).toBe(303);
    const refused = await bob.postRaw(url2, { ...b2, owner: 'bob', view: 'maintainers' });
    expect(fieldError(refused, 'owner', 'form.task-form')).toBe('Someone else changed this while you were editing; it is now "carol". Save again to replace it with yours.');
    expect(fieldError(refused, 'view', 'form.task-form')).toBe('Someone else changed this while you were editing; it is now "Public". Save again to replace it with yours.');
  });
});
