import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { call, signUp, uniqueName } from '../../../../packages/server/test/support/raw.js';
import { conversationList, PASSWORD, personInBrowser, poll, shellServerAndBrowser } from '../support/people.js';

const suite = shellServerAndBrowser();

/** What the Content-Security-Policy blocked in the page so far (recorded from before the app's first script). */
function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** Every value the page's scripts can reach in its storage: localStorage, sessionStorage and document.cookie. */
function scriptReachableStorage(page: Page): Promise<string[]> {
  return page.evaluate(() => [
    ...Object.entries(localStorage).flat(),
    ...Object.entries(sessionStorage).flat(),
    document.cookie,
  ]);
}

test('the web app signs in and works under its CSP with no session token where a page script could read it', async () => {
  const { server, browser } = suite;
  const ana = await personInBrowser(browser, server, 'ana');
  const { context, page } = ana;
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
  });
  // Reloaded, the app is still signed in: by the cookie alone.
  await page.reload();
  await page.getByRole('navigation', { name: /conversations/i }).waitFor();

  const cookie = (await context.cookies()).find((c) => c.name === 'hearth_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  const reachable = await scriptReachableStorage(page);
  expect(reachable.some((value) => value.includes(cookie!.value))).toBe(false);
  expect(await page.evaluate(() => localStorage.getItem('hearth.token'))).toBeNull();

  // Live messages both ways: the WebSocket (connect-src 'self') and writes with the same-origin header.
  const ben = await signUp(server.url, uniqueName('ben'), PASSWORD);
  const anaId = (await page.evaluate(() => fetch('/api/me').then((r) => r.json()))) as { id: string };
  const dm = await call<{ id: string }>(server.url, 'createConversation', { token: ben.token, body: { kind: 'direct', userId: anaId.id } });
  await call(server.url, 'sendMessage', {
    token: ben.token,
    params: { conversationId: dm.body.id },
    body: { clientId: 'from-ben', content: { type: 'text', text: 'Is the cookie working?', entities: [] } },
  });
  await conversationList(page).getByRole('link', { name: new RegExp(ben.me.displayName) }).click();
  await page.getByText('Is the cookie working?').waitFor();
  const composer = page.getByRole('textbox', { name: /^message$/i });
  await composer.fill('It is, and my token stays out of reach.');
  await composer.press('Enter');
  await poll(async () => {
    const history = await call(server.url, 'history', { token: ben.token, params: { conversationId: dm.body.id } });
    return history.body.messages.map((m: { content: { text: string } }) => m.content.text);
  }).toContain('It is, and my token stays out of reach.');

  expect(await violations(page)).toEqual([]);

  // Signing out clears the cookie: a reload shows the sign-in screen.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('region', { name: 'Account' }).getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: /sign in to hearth/i }).waitFor();
  expect((await context.cookies()).find((c) => c.name === 'hearth_session')).toBeUndefined();
  await page.reload();
  await page.getByRole('heading', { name: /sign in to hearth/i }).waitFor();
  await context.close();
});

test('the app’s pages are served with the security headers, and other sites cannot frame them', async () => {
  const res = await fetch(new URL('/', suite.server.url));
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  const html = await res.text();
  // Neither Vite's output nor index.html holds inline script or style for the CSP to block.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style[\s>]|\sstyle=/);
});
