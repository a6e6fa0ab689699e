import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { BACKENDS } from '../support/backends.js';
import { expectError, http, MANY_SIGNUPS, users, type Account } from '../support/fixtures.js';
import { call, RawSocket, uniqueName, type HttpResult } from '../support/raw.js';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.js';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: blob:;connect-src 'self';font-src 'self';" +
  "object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";
const PASSWORD = 'correct horse battery';
const SAME_ORIGIN = { 'x-hearth-request': '1' };

/** The headers every answer carries, the web app's and the API's alike. */
function expectSecurityHeaders(headers: Headers | Record<string, string>): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  expect(get('content-security-policy')).toBe(CSP);
  expect(get('x-frame-options')).toBe('DENY');
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('no-referrer');
}

/** The `hearth_session` cookie a response sets, with its attributes, or undefined. */
function sessionCookie(res: HttpResult): { value: string; attributes: string[] } | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('hearth_session='));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  return { value: pair!.slice('hearth_session='.length), attributes };
}

describe.each(BACKENDS)('web security (%s)', (backend) => {
  let t: TestServer;
  let webRoot: string;
  let ana: Account;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    webRoot = tempDataDir();
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Hearth</title><script type="module" src="/app.js"></script>');
    t = await startTestServer(backend, { ...MANY_SIGNUPS, webRoot });
    [ana] = await users(t, 1);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  /** Signs up asking for the session cookie, as the web app does; returns the response and the cookie's value. */
  async function signUpWithCookie(headers: Record<string, string> = SAME_ORIGIN) {
    const username = uniqueName('web');
    const res = await http(t, 'POST', '/api/auth/signup', {
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, displayName: 'Web', password: PASSWORD, cookie: true }),
    });
    return { res, username, cookie: sessionCookie(res)?.value };
  }

  describe('headers', () => {
    test.each([
      ['the web app at /', '/'],
      ['a route of the web app', '/c/some-conversation'],
      ['an API answer', '/api/server'],
      ['an API error', '/api/me'],
      ['an unknown API path', '/api/nowhere'],
      ['a path the router refuses', '/api/users/%ZZ'],
      ['/healthz', '/healthz'],
    ])('%s carries the CSP, framing, nosniff and referrer headers', async (_, url) => {
      const res = await fetch(new URL(url, t.url));
      expectSecurityHeaders(res.headers);
    });

    test('the web app is served with no inline script for the CSP to block', async () => {
      const res = await fetch(new URL('/', t.url));
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    });
  });

  describe('session cookie', () => {
    test('sign-up with cookie: true sets an HttpOnly, SameSite=Strict cookie for / and returns no token', async () => {
      const { res, cookie } = await signUpWithCookie();
      expect(res.status).toBe(200);
      expect((res.body as Record<string, unknown>).token).toBeUndefined();
      expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const attributes = sessionCookie(res)!.attributes.map((a) => a.toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/']));
      // Over plain HTTP the cookie cannot be Secure, or the browser would never send it back.
      expect(attributes).not.toContain('secure');
      expect(attributes.some((a) => a.startsWith('max-age='))).toBe(true);
    });

    test('sign-in with cookie: true sets the cookie; without it, the token comes in the body and no cookie is set', async () => {
      const withCookie = await http(t, 'POST', '/api/auth/signin', {
        headers: { 'content-type': 'application/json', ...SAME_ORIGIN },
        body: JSON.stringify({ username: ana.me.username, password: ana.password, cookie: true }),
      });
      expect(withCookie.status).toBe(200);
      expect(sessionCookie(withCookie)).toBeDefined();
      const bearer = await call(t.url, 'signIn', { body: { username: ana.me.username, password: ana.password } });
      expect(typeof bearer.body.token).toBe('string');
      expect(sessionCookie(bearer)).toBeUndefined();
    });

    test('the cookie is Secure when the request came over HTTPS through a trusted proxy', async () => {
      const proxied = await startTestServer(backend, { ...MANY_SIGNUPS, trustProxy: true });
      try {
        const res = await http(proxied, 'POST', '/api/auth/signup', {
          headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', ...SAME_ORIGIN },
          body: JSON.stringify({ username: uniqueName('tls'), displayName: 'Tls', password: PASSWORD, cookie: true }),
        });
        expect(sessionCookie(res)!.attributes.map((a) => a.toLowerCase())).toContain('secure');
      } finally {
        await proxied.close();
      }
    });

    test('the cookie authenticates reads, and writes that carry X-Hearth-Request', async () => {
      const { cookie } = await signUpWithCookie();
      const jar = { cookie: `hearth_session=${cookie}` };
      expect((await http(t, 'GET', '/api/me', { headers: jar })).status).toBe(200);
      const patched = await http(t, 'PATCH', '/api/me', {
        headers: { ...jar, ...SAME_ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ statusText: 'from the web app' }),
      });
      expect(patched.status).toBe(200);
      expect((patched.body as { statusText: string }).statusText).toBe('from the web app');
    });

    test.each([
      ['PATCH', '/api/me', JSON.stringify({ statusText: 'forged' })],
      ['POST', '/api/auth/signout', undefined],
      ['POST', '/api/conversations', JSON.stringify({ kind: 'channel', title: 'forged' })],
    ])('a cross-site style %s %s, with the cookie but without X-Hearth-Request, is refused with 403 CSRF_CHECK_FAILED', async (method, url, body) => {
      const { cookie } = await signUpWithCookie();
      const headers: Record<string, string> = { cookie: `hearth_session=${cookie}`, ...(body ? { 'content-type': 'application/json' } : {}) };
      expectError(await http(t, method, url, { headers, ...(body ? { body } : {}) }), 403, 'CSRF_CHECK_FAILED');
      // Nothing happened: the session still works and the profile is unchanged.
      const me = await http(t, 'GET', '/api/me', { headers: { cookie: `hearth_session=${cookie}` } });
      expect(me.status).toBe(200);
      expect((me.body as { statusText: string }).statusText).toBe('');
    });

    test('asking for the cookie without X-Hearth-Request is refused, and creates no account', async () => {
      const { res, username } = await signUpWithCookie({});
      expectError(res, 403, 'CSRF_CHECK_FAILED');
      const found = await call(t.url, 'searchUsers', { token: ana.token, query: { q: username } });
      expect(found.body.users).toEqual([]);
    });

    test('bearer requests need no X-Hearth-Request', async () => {
      const res = await call(t.url, 'updateMe', { token: ana.token, body: { statusText: 'bearer' } });
      expect(res.status).toBe(200);
    });

    test('signing out ends the session and clears the cookie', async () => {
      const { cookie } = await signUpWithCookie();
      const out = await http(t, 'POST', '/api/auth/signout', { headers: { cookie: `hearth_session=${cookie}`, ...SAME_ORIGIN } });
      expect(out.status).toBe(200);
      const cleared = sessionCookie(out)!;
      expect(cleared.value).toBe('');
      expect(cleared.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['max-age=0', 'path=/']));
      expectError(await http(t, 'GET', '/api/me', { headers: { cookie: `hearth_session=${cookie}` } }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('WebSocket', () => {
    /** Opens /ws with the given headers; resolves with the socket, or with the HTTP status of a refused upgrade. */
    function upgrade(headers: Record<string, string>): Promise<WebSocket | number> {
      const ws = new WebSocket(t.wsUrl, { headers });
      return new Promise((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('error', reject);
      });
    }

    test('an upgrade carrying the cookie from the server’s own origin authenticates with an auth frame without token', async () => {
      const { cookie } = await signUpWithCookie();
      const ws = await upgrade({ cookie: `hearth_session=${cookie}`, origin: t.url });
      expect(ws).toBeInstanceOf(WebSocket);
      const socket = RawSocket.wrap(ws as WebSocket);
      sockets.push(socket);
      const ready = await socket.request({ type: 'auth' });
      expect(ready.type).toBe('ready');
    });

    test.each([
      ['with the cookie', true],
      ['without the cookie', false],
    ])('an upgrade from a foreign Origin %s is refused with 403 (cross-site WebSocket hijacking)', async (_, withCookie) => {
      const { cookie } = await signUpWithCookie();
      const status = await upgrade({ origin: 'https://evil.example', ...(withCookie ? { cookie: `hearth_session=${cookie}` } : {}) });
      expect(status).toBe(403);
    });

    test('an auth frame without token, on a socket that brought no cookie, is refused with 4001', async () => {
      const socket = await RawSocket.open(t.wsUrl);
      sockets.push(socket);
      const answer = await socket.request({ type: 'auth' });
      expect(answer).toMatchObject({ type: 'error', code: 'UNAUTHENTICATED' });
      expect((await socket.closed).code).toBe(4001);
    });

    test('clients without an Origin header (not browsers) still authenticate with the token', async () => {
      const socket = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(socket);
      expect(socket.ready.type).toBe('ready');
    });
  });
});
