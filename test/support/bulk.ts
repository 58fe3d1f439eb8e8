import { Browser, formValues, type Page } from './http';

/**
 * Posts the bulk form, which answers with a redirect to the edit's own page,
 * and reads that page until the edit has finished.
 */
export async function bulkEdit(browser: Browser, fields: Record<string, string | string[]>, from: string): Promise<Page> {
  const posted = await browser.post('/maniphest/bulk/', fields, from);
  expect(posted.status).toBe(303);
  expect(posted.location).toMatch(/^\/maniphest\/bulk\/[0-9]+\/$/);
  for (let tries = 0; ; tries++) {
    const page = await browser.get(posted.location!);
    expect(page.status).toBe(200);
    if (!page.dom.querySelector('.progress')) return page;
    if (tries === 100) throw new Error('The bulk edit did not finish.');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The bulk form as the list fills it in, with the person's choices and ticked tasks. */
export function bulkFields(list: Page, fields: Record<string, string>, ids: number[] = []): Record<string, string | string[]> {
  // The token is the poster's own: Browser.post adds it.
  const { __csrf__: _token, ...form } = formValues(list, 'form#bulk-edit');
  return { ...form, ...fields, ids: ids.map(String) };
}
