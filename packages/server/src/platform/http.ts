import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Endpoint, RateLimitClass } from '@hearth/protocol';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Actor } from './actor.js';
import { HearthError } from './errors.js';
import { HTTP_STATUS } from './http-errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RateBudget } from './rate-limit.js';
import { registerSecurityHeaders, SECURITY_HEADERS } from './security-headers.js';
import { registerSessionCookie, requestCredentials, requireSameOrigin, sessionCookie, type SessionCookie } from './session-cookie.js';
import { serveAppShell } from './static.js';
import { parse } from './validate.js';

/** What a route handler receives: the caller (for authenticated endpoints) and the validated input. */
export interface RouteInput<E extends Endpoint> {
  actor: E['auth'] extends true ? Actor : Actor | null;
  params: z.infer<E['params']>;
  query: z.infer<E['query']>;
  body: z.infer<E['body']>;
  ip: string;
  userAgent: string;
  /** The web app's session cookie, for the routes that start and end sessions. */
  sessionCookie: SessionCookie;
}

export interface HttpDeps {
  /** Resolves a bearer token; throws UNAUTHENTICATED. */
  authenticate(token: string | undefined): Promise<Actor>;
  limiters: Record<RateLimitClass, RateBudget>;
}

/**
 * Registers one endpoint of the protocol's table: authenticates when the endpoint requires it (bearer token, or the
 * web app's cookie with the same-origin header on requests with side effects), charges the rate budget, validates
 * params, query and body with the protocol's schemas, and replies with the handler's result.
 */
export function route<E extends Endpoint>(
  app: FastifyInstance,
  deps: HttpDeps,
  endpoint: E,
  handler: (input: RouteInput<E>) => Promise<z.infer<E['response']> | void>,
): void {
  app.route({
    method: endpoint.method,
    url: endpoint.path,
    handler: async (req, reply) => {
      const credentials = requestCredentials(req);
      // The browser attaches the cookie whichever page made it send the request: only the app's own requests count.
      if (credentials.fromCookie) requireSameOrigin(req);
      const actor = endpoint.auth ? await deps.authenticate(credentials.token) : null;
      const input = {
        actor,
        params: parse(endpoint.params, req.params ?? {}),
        query: parse(endpoint.query, req.query ?? {}),
        // An absent body reads as {} (endpoints without one); a JSON null is a body, and not an object.
        body: parse(endpoint.body, req.body === undefined ? {} : req.body),
        ip: req.ip,
        userAgent: String(req.headers['user-agent'] ?? ''),
        sessionCookie: sessionCookie(req, reply),
      } as RouteInput<E>;
      // Charged after validation: a malformed request costs the caller nothing but its answer.
      if (actor && endpoint.rateLimit) await deps.limiters[endpoint.rateLimit].take(actor.userId, endpoint.rateCost?.(input.body) ?? 1);
      return (await handler(input)) ?? {};
    },
  });
}

/** Longest path parameter the router takes; ids are 36 characters, an encoded emoji at most a few dozen. */
const MAX_PARAM_LENGTH = 200;

/**
 * A request Node's HTTP parser cannot read (a malformed header, a Content-Length that is not a number, headers
 * too large): answered with the error body on the raw socket, which is then closed.
 */
function answerUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new HearthError('PAYLOAD_TOO_LARGE', {}, 'The request headers are larger than the server accepts.')
      : new HearthError('VALIDATION_FAILED', {}, err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'The request did not arrive in time.' : 'The request is not valid HTTP.');
  const status = HTTP_STATUS[error.code];
  const body = JSON.stringify(error.toBody());
  const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${headers}\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Fastify's own errors (body parsing and the like) in the protocol's terms. */
function fromFastify(err: FastifyError, bodyLimit: number): HearthError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HearthError('INVALID_JSON', {}, 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HearthError('PAYLOAD_TOO_LARGE', { maxBytes: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HearthError('VALIDATION_FAILED', {}, 'Send the body as application/json.');
    case 'FST_ERR_BAD_URL':
      return new HearthError('VALIDATION_FAILED', {}, 'The path is not a valid URL: check its percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HearthError('VALIDATION_FAILED', {}, `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HearthError('VALIDATION_FAILED', {}, 'The body does not match its Content-Length.');
    default:
      if (err instanceof SyntaxError) return new HearthError('INVALID_JSON');
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return new HearthError('VALIDATION_FAILED', {}, err.message);
      }
      return undefined;
  }
}

/**
 * The Fastify instance with the protocol's error mapping, security headers, request metrics and no per-request info
 * logs; with `serveAppShell`, unknown non-API paths get the web app's index.html.
 */
export async function createHttpApp(
  log: Logger,
  metrics: Metrics,
  bodyLimit: number,
  options: { serveAppShell?: boolean; trustProxy?: boolean } = {},
): Promise<FastifyInstance> {
  const sendError = (reply: FastifyReply, error: HearthError) => {
    const retryAfterMs = error.details.retryAfterMs;
    if (typeof retryAfterMs === 'number') void reply.header('retry-after', Math.max(1, Math.ceil(retryAfterMs / 1000)));
    void reply.status(HTTP_STATUS[error.code]).send(error.toBody());
  };
  // Fastify's logger type is narrower than pino's; the instance is pino's, so the cast only widens it back.
  const app = Fastify({
    loggerInstance: log,
    // Two info lines per request would drown the logs under load; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Behind a reverse proxy, the client address (for sign-in throttling) comes from X-Forwarded-For.
    trustProxy: options.trustProxy ?? false,
    // Emoji in reaction paths are percent-encoded; the router decodes them.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a malformed percent-encoding, an over-long parameter) in the protocol's shape.
    // Fastify answers them without running hooks, so the security headers are added here.
    frameworkErrors: (err, _req, reply) => sendError(reply.headers(SECURITY_HEADERS), fromFastify(err, bodyLimit) ?? new HearthError('VALIDATION_FAILED')),
    // What Node's HTTP parser refuses never reaches Fastify; it is answered on the socket, in the same shape.
    clientErrorHandler: answerUnparsable,
  }) as unknown as FastifyInstance;
  // Bodies are JSON only: without this, Fastify's built-in text/plain parser hands a string to the body schema.
  app.removeContentTypeParser('text/plain');
  await registerSecurityHeaders(app);
  await registerSessionCookie(app);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = err instanceof HearthError ? err : fromFastify(err, bodyLimit);
    if (!known) req.log.error({ err, url: req.url }, 'request failed');
    sendError(reply, known ?? new HearthError('INTERNAL_ERROR'));
  });

  app.setNotFoundHandler((req, reply) => {
    if (options.serveAppShell && serveAppShell(req, reply)) return;
    void reply.status(404).send(new HearthError('ROUTE_NOT_FOUND', {}, `No endpoint ${req.method} ${req.url.split('?')[0]}.`).toBody());
  });

  app.addHook('onResponse', (req, reply, done) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return app;
}
