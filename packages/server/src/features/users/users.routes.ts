import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { UsersService } from './users.service.js';

export function registerUsersRoutes(app: FastifyInstance, deps: HttpDeps, users: UsersService): void {
  route(app, deps, api.getMe, ({ actor }) => users.getMe(actor));
  route(app, deps, api.updateMe, ({ actor, body }) => users.updateMe(actor, body));
  route(app, deps, api.searchUsers, async ({ query }) => ({ users: await users.search(query.q, query.limit) }));
  route(app, deps, api.getUser, ({ params }) => users.getUser(params.userId));
}
