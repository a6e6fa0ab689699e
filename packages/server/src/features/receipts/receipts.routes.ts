import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { ReceiptsService } from './receipts.service.js';

export function registerReceiptsRoutes(app: FastifyInstance, deps: HttpDeps, receipts: ReceiptsService): void {
  route(app, deps, api.updateReceipt, ({ actor, params, body }) => receipts.update(actor, params.conversationId, body));
}
