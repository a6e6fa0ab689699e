import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { ReactionsService } from './reactions.service.js';

export function registerReactionsRoutes(app: FastifyInstance, deps: HttpDeps, reactions: ReactionsService): void {
  route(app, deps, api.addReaction, ({ actor, params }) => reactions.add(actor, params.conversationId, params.messageId, params.emoji));
  route(app, deps, api.removeReaction, ({ actor, params }) => reactions.remove(actor, params.conversationId, params.messageId, params.emoji));
}
