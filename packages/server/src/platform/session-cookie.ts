import type { IncomingHttpHeaders } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import { SAME_ORIGIN_HEADER, SESSION_COOKIE, type AuthResult } from '@hearth/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from './errors.js';

/** Browsers keep a cookie at most 400 days; sessions themselves do not expire. */
const MAX_AGE_SECONDS = 400 * 24 * 3600;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie parsing on every request (`req.cookies`) and `reply.setCookie`; also readies `sessionCookieOf`. */
export async function registerSessionCookie(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
}

/** The session token of a request: the Authorization header (SDK, apps), else the web app's cookie. */
export function requestCredentials(req: FastifyRequest): { token: string | undefined; fromCookie: boolean } {
  const header = req.headers.authorization;
  if (header) return { token: /^Bearer\s+(\S+)$/i.exec(header)?.[1], fromCookie: false };
  const token = req.cookies[SESSION_COOKIE] || undefined;
  return { token, fromCookie: token !== undefined };
}

/** The session cookie's token in the headers of a WebSocket upgrade (which Fastify does not see), if any. */
export function sessionCookieOf(headers: IncomingHttpHeaders): string | undefined {
  const cookies = headers.cookie;
  return cookies ? fastifyCookie.parse(cookies)[SESSION_COOKIE] || undefined : undefined;
}

/**
 * Refuses a request with side effects that a page of another site could have made the browser send with the
 * cookie: without the custom header, which no cross-site form or script can add (no CORS preflight is approved).
 */
export function requireSameOrigin(req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method) || req.headers[SAME_ORIGIN_HEADER] === '1') return;
  throw new HearthError('CSRF_CHECK_FAILED', {}, `A request that uses the session cookie must send ${SAME_ORIGIN_HEADER}: 1.`);
}

/**
 * Whether a browser opened this request from a page of another origin. Non-browser clients send no Origin. The
 * server's own origin is the Host the request was sent to (X-Forwarded-Host behind a trusted proxy).
 */
export function isForeignOrigin(headers: IncomingHttpHeaders, trustProxy: boolean): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  const forwarded = trustProxy ? headers['x-forwarded-host'] : undefined;
  const own = (typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : headers.host ?? '').toLowerCase();
  try {
    return new URL(origin).host !== own;
  } catch {
    // `null` (a sandboxed frame, a file) or garbage: not this server's pages.
    return true;
  }
}

/** What an auth route may do with the session cookie of its answer. */
export interface SessionCookie {
  /** Throws CSRF_CHECK_FAILED unless the request carries the same-origin header. */
  requireSameOrigin(): void;
  /** Puts the result's token into the cookie and returns the result without it. */
  keep(result: AuthResult): AuthResult;
  /** Tells the browser to forget the cookie. */
  clear(): void;
}

export function sessionCookie(req: FastifyRequest, reply: FastifyReply): SessionCookie {
  // Secure when the browser reached us over HTTPS (req.protocol reads X-Forwarded-Proto behind a trusted proxy);
  // over plain HTTP a Secure cookie would never come back.
  const options = { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: req.protocol === 'https' };
  return {
    requireSameOrigin: () => requireSameOrigin(req),
    keep: ({ token, ...rest }) => {
      if (token) void reply.setCookie(SESSION_COOKIE, token, { ...options, maxAge: MAX_AGE_SECONDS });
      return rest;
    },
    clear: () => void reply.setCookie(SESSION_COOKIE, '', { ...options, maxAge: 0 }),
  };
}
