import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { SyncService } from './sync.service.js';

export function registerSyncRoutes(app: FastifyInstance, deps: HttpDeps, sync: SyncService): void {
  route(app, deps, api.sync, ({ actor, body }) => sync.sync(actor, body));
  route(app, deps, api.conversationEvents, ({ actor, params, query }) => sync.conversationEvents(actor, params.conversationId, query.after));
}
