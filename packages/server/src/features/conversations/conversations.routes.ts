import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { ConversationsService } from './conversations.service.js';

export function registerConversationsRoutes(app: FastifyInstance, deps: HttpDeps, conversations: ConversationsService): void {
  route(app, deps, api.listConversations, async ({ actor }) => ({ conversations: await conversations.list(actor) }));
  route(app, deps, api.createConversation, ({ actor, body }) => conversations.create(actor, body));
  route(app, deps, api.getConversation, ({ actor, params }) => conversations.get(actor, params.conversationId));
  route(app, deps, api.updateConversation, ({ actor, params, body }) => conversations.update(actor, params.conversationId, body));
  route(app, deps, api.updateMySettings, ({ actor, params, body }) => conversations.updateSettings(actor, params.conversationId, body));
  route(app, deps, api.browseChannels, async ({ actor, query }) => ({ channels: await conversations.browseChannels(actor, query.q, query.limit) }));
  route(app, deps, api.joinChannel, ({ actor, params }) => conversations.join(actor, params.conversationId));
  route(app, deps, api.leaveConversation, ({ actor, params }) => conversations.leave(actor, params.conversationId));
  route(app, deps, api.hideConversation, ({ actor, params }) => conversations.hide(actor, params.conversationId));
  route(app, deps, api.listMembers, async ({ actor, params }) => ({ members: await conversations.listMembers(actor, params.conversationId) }));
  route(app, deps, api.addMembers, async ({ actor, params, body }) => ({
    members: await conversations.addMembers(actor, params.conversationId, body.userIds),
  }));
  route(app, deps, api.removeMember, ({ actor, params }) => conversations.removeMember(actor, params.conversationId, params.userId));
  route(app, deps, api.updateMember, ({ actor, params, body }) => conversations.updateMember(actor, params.conversationId, params.userId, body.role));
}
