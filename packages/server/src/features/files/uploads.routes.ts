import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { MemoryLocker, Server } from '@tus/server';
import { DataStore, Metadata, TUS_RESUMABLE, Upload } from '@tus/utils';
import type { ErrorCode } from '@hearth/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/actor.js';
import { HearthError } from '../../platform/errors.js';
import { HTTP_STATUS } from '../../platform/http-errors.js';
import { newId } from '../../platform/ids.js';
import type { HttpDeps } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { requestCredentials, requireSameOrigin } from '../../platform/session-cookie.js';
import type { UploadsService, UploadState } from './uploads.service.js';

const UPLOADS_PATH = '/api/uploads';

/** The caller of each tus request, authenticated before @tus/server sees it (its hooks get the request only). */
const callers = new WeakMap<IncomingMessage, Actor>();

/** The tus request's raw Node request, where `callers` keys its actor. */
function callerOf(req: { runtime?: { node?: { req: object } } }): Actor {
  const raw = req.runtime?.node?.req;
  const actor = raw ? callers.get(raw as IncomingMessage) : undefined;
  if (!actor) throw new HearthError('UNAUTHENTICATED');
  return actor;
}

const COUNT = /^(0|[1-9][0-9]{0,15})$/;

/**
 * The tus headers @tus/server would refuse with a plain-text body, refused first in the protocol's error shape.
 * Throws VALIDATION_FAILED.
 */
function checkTusHeaders(req: FastifyRequest): void {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  for (const name of ['upload-length', 'upload-offset']) {
    const value = header(name);
    if (value !== undefined && !COUNT.test(value)) throw new HearthError('VALIDATION_FAILED', { header: name }, `${name} must be a non-negative integer.`);
  }
  const metadata = header('upload-metadata');
  if (metadata !== undefined) {
    try {
      Metadata.parse(metadata);
    } catch {
      throw new HearthError('VALIDATION_FAILED', { header: 'upload-metadata' }, 'Upload-Metadata must be comma-separated keys, each with a base64 value.');
    }
  }
  if (req.method === 'PATCH' && header('content-type') !== 'application/offset+octet-stream') {
    throw new HearthError('VALIDATION_FAILED', { header: 'content-type' }, 'A PATCH carries application/offset+octet-stream.');
  }
}

/** @tus/server's storage, over the uploads service: rows in the database, parts in the BlobStore. */
class HearthDataStore extends DataStore {
  constructor(
    private readonly uploads: UploadsService,
    private readonly expiryMs: number,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  // The row is made by onUploadCreate, which knows the caller; here the upload only learns its creation date.
  override async create(upload: Upload): Promise<Upload> {
    const state = await this.uploads.find(upload.id);
    if (!state) throw new HearthError('FILE_NOT_FOUND', { fileId: upload.id });
    upload.creation_date = new Date(state.createdAt).toISOString();
    return upload;
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    return this.uploads.writePart(id, offset, stream);
  }

  override async getUpload(id: string): Promise<Upload> {
    const state = await this.uploads.find(id);
    if (!state) throw new HearthError('FILE_NOT_FOUND', { fileId: id });
    return toUpload(state);
  }

  override async remove(id: string): Promise<void> {
    await this.uploads.abandon(id);
  }

  override getExpiration(): number {
    return this.expiryMs;
  }

  override async deleteExpired(): Promise<number> {
    return (await this.uploads.cleanup()).uploads;
  }
}

function toUpload(state: UploadState): Upload {
  return new Upload({ id: state.id, size: state.size, offset: state.offset, metadata: state.metadata, creation_date: new Date(state.createdAt).toISOString() });
}

/** tus' own refusals, by status, in the protocol's codes. */
const TUS_CODES: Record<number, ErrorCode> = { 404: 'FILE_NOT_FOUND', 410: 'FILE_NOT_FOUND', 413: 'FILE_TOO_LARGE' };

function errorBody(err: Error | { status_code: number; body: string }, log: Logger, maxBytes: number): { status_code: number; body: string } {
  if (err instanceof HearthError) {
    // tus answers an offset that is not the upload's with 409 Conflict; the body says which offset it is.
    const status = 'expectedOffset' in err.details ? 409 : HTTP_STATUS[err.code];
    return { status_code: status, body: JSON.stringify(err.toBody()) };
  }
  if ('status_code' in err && err.status_code < 500) {
    const code = TUS_CODES[err.status_code] ?? 'VALIDATION_FAILED';
    const error = new HearthError(code, code === 'FILE_TOO_LARGE' ? { maxBytes } : {}, code === 'VALIDATION_FAILED' ? err.body.trim() : undefined);
    return { status_code: err.status_code, body: JSON.stringify(error.toBody()) };
  }
  log.error({ err }, 'upload request failed');
  return { status_code: 500, body: JSON.stringify(new HearthError('INTERNAL_ERROR').toBody()) };
}

/**
 * Resumable uploads with the tus protocol at `/api/uploads` (docs/PROTOCOL.md §3.11). Authentication and the
 * `send` budget (on creation) happen here, before @tus/server; the uploads service checks the rest. The lock is
 * per node (MemoryLocker): across nodes the database's compare-and-set on the offset is what keeps two requests
 * from both appending at the same place (ARCHITECTURE.md, "State shared between nodes").
 */
export function registerUploadsRoutes(app: FastifyInstance, deps: HttpDeps, uploads: UploadsService, settings: { maxUploadBytes: number; uploadExpiryMs: number }, log: Logger): void {
  const tus = new Server({
    path: UPLOADS_PATH,
    datastore: new HearthDataStore(uploads, settings.uploadExpiryMs),
    locker: new MemoryLocker(),
    relativeLocation: true,
    namingFunction: () => newId(),
    maxSize: settings.maxUploadBytes,
    // Same origin only, like the rest of the API: no Access-Control-Allow-Origin for anyone.
    allowedOrigins: () => false,
    disableTerminationForFinishedUploads: true,
    onIncomingRequest: async (req, id) => {
      if (req.method !== 'POST') await uploads.requireUploader(callerOf(req), id);
    },
    onUploadCreate: async (req, upload) => {
      await uploads.create(callerOf(req), upload.id, upload.size, upload.metadata);
      return {};
    },
    // The last PATCH answers once the file is processed, with the UploadedFile (or the error, the file deleted).
    onUploadFinish: async (_req, upload) => ({
      status_code: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(await uploads.finish(upload.id)),
    }),
    onResponseError: (_req, err) => errorBody(err, log, settings.maxUploadBytes),
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'OPTIONS') {
      if (req.headers['tus-resumable'] !== TUS_RESUMABLE) {
        const error = new HearthError('VALIDATION_FAILED', { header: 'tus-resumable' }, `Send Tus-Resumable: ${TUS_RESUMABLE}.`);
        return reply.status(412).header('tus-version', TUS_RESUMABLE).send(error.toBody());
      }
      checkTusHeaders(req);
      const credentials = requestCredentials(req);
      if (credentials.fromCookie) requireSameOrigin(req);
      const actor = await deps.authenticate(credentials.token);
      if (req.method === 'POST') await deps.limiters.send.take(actor.userId);
      callers.set(req.raw, actor);
    }
    // From here @tus/server writes the answer; the security headers already set by the hooks go with it.
    void reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    const writeHead = reply.raw.writeHead.bind(reply.raw) as (...args: unknown[]) => unknown;
    // Error bodies are the protocol's JSON (onResponseError); @tus/server itself never says so.
    reply.raw.writeHead = ((status: number, ...rest: unknown[]) => {
      if (status >= 400 && !reply.raw.hasHeader('content-type')) reply.raw.setHeader('content-type', 'application/json; charset=utf-8');
      return writeHead(status, ...rest);
    }) as typeof reply.raw.writeHead;
    await tus.handle(req.raw, reply.raw);
  };

  void app.register((scope, _options, done) => {
    // The body is @tus/server's to stream to storage: Fastify must not read it.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    scope.route({ method: ['POST', 'OPTIONS'], url: UPLOADS_PATH, handler });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: `${UPLOADS_PATH}/:uploadId`, handler });
    done();
  });
}
