import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every answer. The web app is built files only (no inline script or style, no
 * other origin), so everything is `'self'`; `data:` and `blob:` images cover the favicon and pasted previews;
 * `connect-src 'self'` covers the WebSocket to the same host (CSP Level 3, as browsers implement it today).
 * `frame-ancestors 'none'`: nobody may frame the app (clickjacking). No `upgrade-insecure-requests`: a server
 * reached over plain HTTP (a LAN, 127.0.0.1) must keep working.
 */
const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The security headers every answer carries, API and web app alike (helmet adds a few more to those Fastify
 * answers). Referrer-Policy is `no-referrer`: links in messages lead to other sites, which have no business
 * learning which conversation they were clicked in; the app needs no Referer itself.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': Object.entries(CSP_DIRECTIVES)
    .map(([name, values]) => [name, ...values].join(' '))
    .join(';'),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Helmet on every route, the 404 handler and static files. HSTS is left to the TLS-terminating proxy in front of
 * Hearth: it knows whether the whole host (and its subdomains) is HTTPS-only, and on plain HTTP the header means
 * nothing. Answers Fastify writes without running hooks (the router's refusals) get SECURITY_HEADERS by hand.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}
