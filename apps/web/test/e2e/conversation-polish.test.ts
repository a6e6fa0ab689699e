import { expect, test } from 'vitest';
import { signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import { openDirect, PASSWORD, personInBrowser, poll, shellServerAndBrowser } from '../support/people.js';

/** What the conversation screen shows around a message: the composer's limit, the toolbar, receipts, reply quotes. */

const suite = shellServerAndBrowser();

async function apiUser(prefix: string): Promise<{ token: string; id: string; displayName: string }> {
  const username = uniqueName(prefix);
  const res = await signUp(suite.server.url, username, PASSWORD);
  return { token: res.token, id: res.me.id, displayName: username.toUpperCase() };
}

test('a message over the size limit cannot be sent: Send is disabled and described by the reason', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const ben = await apiUser('ben');
  await openDirect(suite.server, ana, ben, 'hello');
  const { page } = ana;
  const composer = page.getByRole('combobox', { name: /^message$/i });
  const send = page.getByRole('button', { name: /^send$/i });

  await composer.fill('x'.repeat(16_385));
  await poll(() => send.isDisabled()).toBe(true);
  const describedBy = await send.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe('Too long to send: 16385 of 16384 bytes. Shorten it to send.');
  expect((await composer.getAttribute('aria-describedby'))?.split(' ')).toContain(describedBy);

  // Enter says the same in words, never "Something went wrong".
  await composer.press('Enter');
  await page.getByText('The message is too long to send. Shorten it or split it into several messages.').waitFor();
  expect(await page.getByText(/something went wrong/i).count()).toBe(0);

  await composer.fill('x'.repeat(16_384));
  await poll(() => send.isEnabled()).toBe(true);
  expect(await send.getAttribute('aria-describedby')).toBeNull();
  await ana.context.close();
});
