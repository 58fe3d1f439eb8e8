import { loadFieldValues } from '../../server/fields/repository';
import { applyEdit } from '../../server/tasks/editor';
import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createUser } from '../support/factories';
import { fieldsConfig } from '../support/fields';
import { loggedIn } from '../support/http';

describe('custom fields in bulk edit', () => {
  const t = useTestApp(fieldsConfig());

  test('"Set Field" sets one field on every selected task; a bad value is one message beside it', async () => {
    const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    const ids: number[] = [];
    for (const title of ['One', 'Two']) ids.push((await applyEdit(t.domain, mia, null, [{ type: 'title', value: title }])).taskId);
    const b = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?group=none';
    const list = await b.get(from);
    expect(list.dom.querySelectorAll('select[name="field"] option').map((o) => o.getAttribute('value'))).toContain('severity');

    const refused = await b.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', field: 'severity', fieldValue: 'sev9' }, ids), from);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Severity: "sev9" is not one of the options: Sev 1, Sev 2, Sev 3.');

    const done = await bulkEdit(b, bulkFields(list, { scope: 'selected', field: 'severity', fieldValue: 'sev1' }, ids), from);
    expect(done.text).toContain('2 tasks were changed.');
    const values = await loadFieldValues(t.db, ids);
    expect(ids.map((id) => values.get(id)!.severity)).toEqual(['sev1', 'sev1']);
  });
});
