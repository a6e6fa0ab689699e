import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE } from '@hearth/protocol';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { ConfigInput } from '@hearth/server';
import { BACKENDS } from '../../../../packages/server/test/support/backends.js';
import { startTestServer, type TestServer } from '../../../../packages/server/test/support/server.js';

export { BACKENDS };

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built web app (npm test builds it first). */
export const WEB_ROOT = path.resolve(here, '../../dist');
/** Screenshots for people to look at; not committed. */
export const OUTPUT_DIR = path.resolve(here, '../../../../test-output/web');

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';

/** No sandbox (containers), no GPU, and no calls home: what every Chromium of the tests runs with. */
export const QUIET_CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, headless, with a fresh profile, a fake camera and microphone, and no calls home. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`the web app is not built at ${WEB_ROOT}: run npm run build`);
  // launch() gives every browser a fresh temporary profile (user-data-dir) of its own and deletes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...QUIET_CHROMIUM_FLAGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}

/** A real Hearth server serving the built web app, on an ephemeral loopback port. */
export function startWebServer(backend: (typeof BACKENDS)[number] = 'sqlite', overrides: ConfigInput = {}): Promise<TestServer> {
  return startTestServer(backend, { webRoot: WEB_ROOT, ...overrides });
}

/** A browser context (one person on one device) with a page open on the server. */
export async function openApp(browser: Browser, baseUrl: string, options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    timezoneId: 'Europe/Madrid',
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  reportCspViolations(page);
  await page.goto('/');
  return { context, page };
}

const AXE_SOURCE = fs.readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8');

/**
 * Puts axe-core into the page (once). Not as a script tag, which the app's CSP (no inline script) refuses: evaluated
 * through DevTools, which the page's policy does not govern.
 */
export async function injectAxe(page: Page): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
}

type AxeRun = (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[]; failureSummary?: string }> }> }>;

/**
 * Everything axe-core finds wrong in the page (or in the part `include` selects) with its default rules, best
 * practices included (landmarks, regions), as "rule: target (what to fix)" lines.
 */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  await injectAxe(page);
  return page.evaluate(async (selector) => {
    const run = (window as unknown as { axe: { run: AxeRun } }).axe.run;
    const { violations } = await run(selector ? { include: [[selector]] } : document, { resultTypes: ['violations'] });
    return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()})`));
  }, include);
}

/** Prints what the Content-Security-Policy blocked in the page, so that a test run shows it. */
export function reportCspViolations(page: Page): void {
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) console.error(`[csp] ${msg.text()}`);
  });
}

/**
 * Signs a browser context in with a session token (from a sign-in over HTTP) the way the web app keeps a session:
 * in the server's HttpOnly session cookie.
 */
export async function useSession(context: BrowserContext, baseUrl: string, token: string): Promise<void> {
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
}

let counter = 0;
export function uniqueUsername(prefix = 'web'): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;
}

/** Signs up through the UI and waits for the app shell. */
export async function signUpInUi(page: Page, username: string, password = 'correct horse battery', displayName = username.toUpperCase()): Promise<void> {
  const signUpSwitch = page.getByRole('button', { name: /^sign up$/i });
  if (await signUpSwitch.isVisible().catch(() => false)) await signUpSwitch.click();
  await page.getByLabel(/^username$/i).fill(username);
  await page.getByLabel(/^display name$/i).fill(displayName);
  await page.getByLabel(/^password$/i).fill(password);
  await page.getByRole('button', { name: /^(sign up|create administrator account)$/i }).click();
  await page.getByRole('navigation', { name: /conversations/i }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: false });
}

/**
 * The list's scrollTop once it has stopped moving: the same over five animation frames, so that the rows the
 * scroll brought into view are rendered and measured (counted in frames, not time: a slow machine takes longer).
 */
export function settledScrollTop(region: Locator): Promise<number> {
  return region.evaluate(
    (el) =>
      new Promise<number>((resolve) => {
        let last = el.scrollTop;
        let still = 0;
        const frame = () => {
          still = el.scrollTop === last ? still + 1 : 0;
          last = el.scrollTop;
          if (still >= 5) resolve(last);
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
  );
}
