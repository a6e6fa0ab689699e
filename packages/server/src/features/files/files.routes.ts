import { api, Id } from '@hearth/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HearthError } from '../../platform/errors.js';
import { route, type HttpDeps } from '../../platform/http.js';
import type { ByteRange } from '../../platform/storage/blob-store.js';
import { requestCredentials } from '../../platform/session-cookie.js';
import { parse } from '../../platform/validate.js';
import type { FilesService } from './files.service.js';
import type { FileVariant } from './link-signer.js';

/** Types a browser may show inline from our origin: none of them can run script. */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp|avif)|video\/[a-z0-9.+-]+|audio\/[a-z0-9.+-]+)$/;

const DownloadQuery = z.object({
  download: z.enum(['1']).optional(),
  expires: z.coerce.number().int().optional(),
  signature: z.string().max(200).optional(),
});

/**
 * `Content-Disposition` for a name a user chose: an ASCII fallback with anything risky replaced, and the exact name
 * as RFC 8187 `filename*`.
 */
function contentDisposition(inline: boolean, name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\/;%]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are; RFC 8187 allows none of them unencoded.
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** The one range of a `Range: bytes=…` header, or undefined for none or several; 'invalid' when unsatisfiable. */
function parseRange(header: string | undefined, size: number): ByteRange | undefined | 'invalid' {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return 'invalid';
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'invalid';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

/** Files: metadata, signed links, a conversation's files, and the bytes (docs/PROTOCOL.md §3.11). */
export function registerFilesRoutes(app: FastifyInstance, deps: HttpDeps, files: FilesService): void {
  route(app, deps, api.fileInfo, ({ actor, params }) => files.info(actor, params.fileId));
  route(app, deps, api.fileLink, ({ actor, params, query }) => files.link(actor, params.fileId, query.variant));
  route(app, deps, api.conversationFiles, ({ actor, params, query }) => files.list(actor, params.conversationId, query));

  const download = (variant: FileVariant) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { fileId } = parse(z.object({ fileId: Id }), req.params);
    const query = parse(DownloadQuery, req.query ?? {});
    // A signed link stands for the session; without one, the caller's own (a GET: the cookie needs no header).
    const who =
      query.signature !== undefined || query.expires !== undefined
        ? { expires: query.expires ?? 0, signature: query.signature ?? '' }
        : await deps.authenticate(requestCredentials(req).token);
    let unsatisfiable: number | undefined;
    const rangeHeader = req.headers['if-range'] === undefined ? req.headers.range : undefined;
    const found = await files.open(who, fileId, variant, (size) => {
      const range = parseRange(rangeHeader, size);
      if (range !== 'invalid') return range;
      unsatisfiable = size;
      return undefined;
    });
    if (unsatisfiable !== undefined) {
      found.body.destroy();
      return reply.status(416).header('content-range', `bytes */${unsatisfiable}`).send(new HearthError('VALIDATION_FAILED', {}, 'The range lies outside the file.').toBody());
    }
    const inline = INLINE_TYPES.test(found.mimeType) && query.download === undefined;
    void reply
      .header('content-type', found.mimeType.startsWith('text/') ? `${found.mimeType}; charset=utf-8` : found.mimeType)
      .header('content-disposition', contentDisposition(inline, found.name))
      .header('etag', found.etag)
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      // Even if a browser were to render it, a file is a sandboxed document: no script, no same-origin access.
      .header('content-security-policy', 'sandbox')
      // A signed link is made to be used elsewhere (a player, an embed on another origin): let other origins load it.
      .header('cross-origin-resource-policy', 'signature' in who ? 'cross-origin' : 'same-origin');
    if (req.headers['if-none-match'] === found.etag) {
      found.body.destroy();
      return reply.status(304).send();
    }
    if (found.range) {
      void reply
        .status(206)
        .header('content-range', `bytes ${found.range.start}-${found.range.end}/${found.totalSize}`)
        .header('content-length', found.range.end - found.range.start + 1);
    } else {
      void reply.header('content-length', found.totalSize);
    }
    return reply.send(found.body);
  };
  app.get('/api/files/:fileId', download('original'));
  app.get('/api/files/:fileId/thumbnail', download('thumbnail'));
}
