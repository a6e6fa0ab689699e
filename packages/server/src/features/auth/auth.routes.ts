import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { AuthService } from './auth.service.js';

export function registerAuthRoutes(app: FastifyInstance, deps: HttpDeps, auth: AuthService): void {
  route(app, deps, api.signUp, ({ body, ip, userAgent }) => auth.signUp(body, { ip, userAgent }));
  route(app, deps, api.signIn, ({ body, ip, userAgent }) => auth.signIn(body, { ip, userAgent }));
  route(app, deps, api.signOut, ({ actor }) => auth.signOut(actor));
  route(app, deps, api.listSessions, async ({ actor }) => ({ sessions: await auth.listSessions(actor) }));
  route(app, deps, api.revokeSession, ({ actor, params }) => auth.revokeSession(actor, params.sessionId));
  route(app, deps, api.changePassword, ({ actor, body, ip, userAgent }) => auth.changePassword(actor, body, { ip, userAgent }));
}
