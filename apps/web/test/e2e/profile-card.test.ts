import type { Me } from '@hearth/protocol';
import { expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import { screenshot } from '../support/browser.js';
import { createConversation, deviceToken, openDirect, PASSWORD, personInBrowser, poll, sendText, shellServerAndBrowser, userId } from '../support/people.js';

/** A person's status, local time and presence where others look: the DM header, the members panel, their card. */

const suite = shellServerAndBrowser();

test('a status shows in the DM header and the members panel; names and avatars open a card that writes to the person', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const anaId = await userId(suite.server, await deviceToken(suite.server, ana.username));
  const benName = uniqueName('ben');
  const ben = await signUp(suite.server.url, benName, PASSWORD);
  const updated = await call<Me>(suite.server.url, 'updateMe', { token: ben.token, body: { statusEmoji: '🌴', statusText: 'On vacation', timeZone: 'Asia/Tokyo' } });
  expect(updated.status).toBe(200);
  const { page } = ana;

  // The DM header.
  const dm = await openDirect(suite.server, ana, { token: ben.token, id: ben.me.id }, 'hello from Ben');
  await page.locator('.conv-header').getByText('🌴 On vacation').waitFor();

  // The members panel of a group.
  const group = await createConversation(suite.server, ben.token, { kind: 'group', title: 'Trip', memberIds: [anaId] });
  await sendText(suite.server, ben.token, group, 'tickets booked');
  await page.goto(`/c/${group}`);
  await page.getByRole('button', { name: /^2 members$/ }).click();
  const panel = page.locator('#members-panel');
  const benRow = panel.getByRole('listitem').filter({ hasText: benName.toUpperCase() });
  await benRow.getByText('🌴 On vacation').waitFor();

  // From a name in the message list: the card.
  const card = page.getByRole('dialog', { name: benName.toUpperCase() });
  await page.getByRole('article').filter({ hasText: 'tickets booked' }).getByRole('button', { name: benName.toUpperCase(), exact: true }).click();
  await card.waitFor();
  const text = await card.textContent();
  expect(text).toContain(`@${benName}`);
  expect(text).toContain('🌴 On vacation');
  expect(text).toMatch(/Local time\d{1,2}:\d{2}.*\(Asia\/Tokyo\)/);
  const tokyo = (ms: number) => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Tokyo' }).format(ms);
  expect([tokyo(Date.now() - 60_000), tokyo(Date.now())].some((time) => text?.includes(time))).toBe(true);
  expect(text).toMatch(/Presence(Offline|Last seen)/);
  await screenshot(page, 'profile-card');
  await page.keyboard.press('Escape');
  await card.waitFor({ state: 'hidden' });

  // From the avatar in the members panel, then "Message": the DM with Ben.
  await benRow.getByRole('button', { name: `Profile of ${benName.toUpperCase()}` }).click();
  await card.getByRole('button', { name: 'Message' }).click();
  await page.waitForURL(`**/c/${dm}`);
  await card.waitFor({ state: 'hidden' });

  // From the DM header's name.
  await page.locator('.conv-header').getByRole('button', { name: benName.toUpperCase(), exact: true }).click();
  await card.getByText('🌴 On vacation').waitFor();
  await ana.context.close();
});

test('the web app gives a person without a time zone the browser’s, and settings change it', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const token = await deviceToken(suite.server, ana.username);
  const me = async () => (await call<Me>(suite.server.url, 'getMe', { token })).body;
  // The browser runs in Europe/Madrid (support/browser.ts).
  await poll(async () => (await me()).timeZone).toBe('Europe/Madrid');

  const { page } = ana;
  await page.goto('/settings');
  const field = page.getByLabel('Time zone');
  await poll(() => field.inputValue()).toBe('Europe/Madrid');
  await field.selectOption('America/New_York');
  await page.locator('#profile').getByRole('button', { name: 'Save' }).click();
  await poll(async () => (await me()).timeZone).toBe('America/New_York');
  await ana.context.close();
});
