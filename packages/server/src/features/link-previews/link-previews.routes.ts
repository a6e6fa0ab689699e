import { api, Id } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route, type HttpDeps } from '../../platform/http.js';
import { requestCredentials } from '../../platform/session-cookie.js';
import { parse } from '../../platform/validate.js';
import type { LinkPreviewsService } from './link-previews.service.js';

const ImageParams = z.object({ conversationId: Id, messageId: Id });

/**
 * `GET /api/conversations/:conversationId/messages/:messageId/link-preview/image`: the preview image of a message,
 * WebP, to whoever may read the message (bearer token, or the web app's cookie, so that `<img src>` works). Bytes, not
 * JSON, so it is not in the protocol's endpoint table (as file downloads are not); errors are JSON as everywhere.
 * The address carries `?v=<image id>`: a new image is a new address, so the answer may be cached for good.
 */
export function registerLinkPreviewsRoutes(app: FastifyInstance, deps: HttpDeps, previews: LinkPreviewsService): void {
  route(app, deps, api.removeLinkPreview, ({ actor, params }) => previews.removePreview(actor, params.conversationId, params.messageId));
  app.get('/api/conversations/:conversationId/messages/:messageId/link-preview/image', async (req, reply) => {
    const actor = await deps.authenticate(requestCredentials(req).token);
    const params = parse(ImageParams, req.params);
    await deps.limiters.light.take(actor.userId, 1);
    const image = await previews.imageOf(actor, params.conversationId, params.messageId);
    return reply
      .header('content-type', 'image/webp')
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('content-disposition', 'inline; filename="preview.webp"')
      .send(image);
  });
}
