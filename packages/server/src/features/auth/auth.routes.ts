import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { AuthService } from './auth.service.js';

export function registerAuthRoutes(app: FastifyInstance, deps: HttpDeps, auth: AuthService): void {
  // Asked for the cookie, the session goes there and not into the answer; the same-origin header is checked before
  // anything is done, so a forged request creates no account and starts no session.
  route(app, deps, api.signUp, async ({ body, ip, userAgent, sessionCookie }) => {
    if (body.cookie) sessionCookie.requireSameOrigin();
    const result = await auth.signUp(body, { ip, userAgent });
    return body.cookie ? sessionCookie.keep(result) : result;
  });
  route(app, deps, api.signIn, async ({ body, ip, userAgent, sessionCookie }) => {
    if (body.cookie) sessionCookie.requireSameOrigin();
    const result = await auth.signIn(body, { ip, userAgent });
    return body.cookie ? sessionCookie.keep(result) : result;
  });
  route(app, deps, api.signOut, async ({ actor, sessionCookie }) => {
    await auth.signOut(actor);
    sessionCookie.clear();
  });
  route(app, deps, api.listSessions, async ({ actor }) => ({ sessions: await auth.listSessions(actor) }));
  route(app, deps, api.revokeSession, ({ actor, params }) => auth.revokeSession(actor, params.sessionId));
  route(app, deps, api.changePassword, ({ actor, body, ip, userAgent }) => auth.changePassword(actor, body, { ip, userAgent }));
}
