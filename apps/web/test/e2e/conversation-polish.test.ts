import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import { createConversation, deviceToken, openDirect, PASSWORD, personInBrowser, poll, sendText, shellServerAndBrowser, userId } from '../support/people.js';

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
  const composer = page.getByRole('textbox', { name: /^message$/i });
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

/** The toolbars that can be seen (the hidden ones stay in the page at opacity 0, to keep focus when it moves in). */
function visibleToolbars(page: Page): Promise<number> {
  return page.locator('.msg-actions').evaluateAll((bars) => bars.filter((b) => getComputedStyle(b).opacity !== '0').length);
}

test('after reacting from the toolbar, hovering another message shows only that message’s toolbar', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const ben = await apiUser('ben');
  const dm = await openDirect(suite.server, ana, ben, 'first from Ben');
  await sendText(suite.server, ben.token, dm, 'second from Ben');
  const { page } = ana;
  const first = page.getByRole('article').filter({ hasText: 'first from Ben' });
  const second = page.getByRole('article').filter({ hasText: 'second from Ben' });
  await second.waitFor();

  await first.hover();
  await first.getByRole('button', { name: 'React with 👍' }).click();
  await first.getByRole('button', { name: /👍 1: reacted by/ }).waitFor();
  await second.hover();
  await poll(() => second.locator('.msg-actions').evaluate((b) => getComputedStyle(b).opacity)).toBe('1');
  await poll(() => visibleToolbars(page)).toBe(1);
  await ana.context.close();
});

test('the toolbar of the message after mine leaves my "Seen by everyone" line visible', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const anaDevice = await deviceToken(suite.server, ana.username);
  const [ben, carl] = [await apiUser('ben'), await apiUser('carl')];
  const group = await createConversation(suite.server, ben.token, { kind: 'group', title: 'Lunch', memberIds: [await userId(suite.server, anaDevice), carl.id] });
  await sendText(suite.server, ben.token, group, 'who is in?');
  const seq = await sendText(suite.server, anaDevice, group, 'count me in', [], 'seq');
  for (const reader of [ben, carl]) await call(suite.server.url, 'updateReceipt', { token: reader.token, params: { conversationId: group }, body: { readSeq: seq } });
  await sendText(suite.server, carl.token, group, 'great');
  const { page } = ana;
  await page.goto(`/c/${group}`);
  const seen = page.getByRole('article').filter({ hasText: 'count me in' }).getByText('Seen by everyone');
  await seen.waitFor();

  const next = page.getByRole('article').filter({ hasText: 'great' });
  await next.hover();
  const bar = next.locator('.msg-actions');
  await poll(() => bar.evaluate((b) => getComputedStyle(b).opacity)).toBe('1');
  // The box of the words themselves (the line's element may keep room below them).
  const words = await seen.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });
  const [a, b] = [await bar.boundingBox(), words];
  const overlap = a && b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  expect(overlap).toBe(false);
  await ana.context.close();
});

test('a reply’s quote shows the original’s current text after an edit, and that it was deleted, live and after a reload', async () => {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const ben = await apiUser('ben');
  const dm = await openDirect(suite.server, ana, ben, 'before');
  const { page } = ana;
  const original = await page.getByRole('article').filter({ hasText: 'before' }).getAttribute('data-message-id');
  const res = await call(suite.server.url, 'sendMessage', {
    token: ben.token,
    params: { conversationId: dm },
    body: { clientId: `reply-${original}`, content: { type: 'text', text: 'the reply', entities: [] }, replyToId: original },
  });
  expect(res.status).toBe(200);
  const quote = page.getByRole('article').filter({ hasText: 'the reply' }).locator('.reply-quote-text');
  await poll(() => quote.textContent()).toBe('before');

  const params = { conversationId: dm, messageId: original! };
  await call(suite.server.url, 'editMessage', { token: ben.token, params, body: { content: { type: 'text', text: 'after the edit', entities: [] } } });
  await poll(() => quote.textContent()).toBe('after the edit');
  await page.reload();
  await poll(() => quote.textContent()).toBe('after the edit');

  await call(suite.server.url, 'deleteMessage', { token: ben.token, params });
  await poll(() => quote.textContent()).toBe('Original message deleted');
  await page.reload();
  await poll(() => quote.textContent()).toBe('Original message deleted');
  await ana.context.close();
});
