import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { MessagesService } from './messages.service.js';

export function registerMessagesRoutes(app: FastifyInstance, deps: HttpDeps, messages: MessagesService): void {
  route(app, deps, api.history, ({ actor, params, query }) => messages.history(actor, params.conversationId, query));
  route(app, deps, api.previewChannel, ({ actor, params }) => messages.previewChannel(actor, params.conversationId));
  route(app, deps, api.getMessage, ({ actor, params }) => messages.get(actor, params.conversationId, params.messageId));
  route(app, deps, api.sendMessage, ({ actor, params, body }) => messages.send(actor, params.conversationId, body));
  route(app, deps, api.forwardMessage, ({ actor, params, body }) => messages.forward(actor, params.conversationId, body));
  route(app, deps, api.forwardMany, async ({ actor, body }) => ({ results: await messages.forwardMany(actor, body) }));
  route(app, deps, api.editMessage, ({ actor, params, body }) => messages.edit(actor, params.conversationId, params.messageId, body.content));
  route(app, deps, api.deleteMessage, ({ actor, params }) => messages.delete(actor, params.conversationId, params.messageId));
}
