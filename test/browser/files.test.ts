import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser-suite';
import { createTask, createUser } from '../support/factories';

/**
 * Files into a Markdown box in a real browser: a dropped image and a pasted
 * one are uploaded, their {F12} inserted at the caret, and once saved the
 * image shows as a thumbnail that loads under the page's own CSP.
 */

/** A real 1×1 PNG, so the browser can decode it. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

let taskId = 0;
const suite = useBrowserSuite(async (t) => {
  const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
  await createUser(t.db, { username: 'alice', role: 'engineer' });
  taskId = await createTask(t.domain, mia, { title: 'Layout is broken', view: 'users' });
});

const session = (username: string): Promise<Page> => suite.open(username);

/** Sends a drop or a paste of one PNG file to the comment box, as the browser would for a person. */
async function give(page: Page, how: 'drop' | 'paste', name: string) {
  await page.locator('#comment-text').evaluate(
    (box, [how, name, pixel]) => {
      const bytes = Uint8Array.from(atob(pixel!), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name!, { type: 'image/png' }));
      const event = how === 'drop' ? new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }) : new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      box.dispatchEvent(event);
    },
    [how, name, PIXEL],
  );
}

test('a dropped and a pasted image are uploaded, inserted as {F…}, and shown as thumbnails once saved', async () => {
  const alice = await session('alice');
  await alice.goto(`/T${taskId}`);
  await alice.fill('#comment-text', 'Before:');
  await alice.locator('#comment-text').evaluate((box: HTMLTextAreaElement) => box.setSelectionRange(box.value.length, box.value.length));
  await give(alice, 'drop', 'before.png');
  await alice.waitForFunction(() => /\{F[0-9]+\}/.test((document.querySelector('#comment-text') as HTMLTextAreaElement).value));
  await give(alice, 'paste', 'after.png');
  await alice.waitForFunction(() => ((document.querySelector('#comment-text') as HTMLTextAreaElement).value.match(/\{F[0-9]+\}/g) ?? []).length === 2);
  expect(await alice.inputValue('#comment-text')).toMatch(/^Before: \{F[0-9]+\} \{F[0-9]+\}$/);

  await Promise.all([alice.waitForURL((url) => url.pathname === `/T${taskId}`), alice.click('form.comment-form button.primary')]);
  await alice.waitForFunction(() => {
    const images = [...document.querySelectorAll<HTMLImageElement>('.comment img.file-thumb')];
    return images.length === 2 && images.every((i) => i.complete && i.naturalWidth === 1);
  });
  expect(await alice.locator('.curtain .files li').allTextContents()).toEqual(['before.png (70 B)', 'after.png (70 B)']);
});
