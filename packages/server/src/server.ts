import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { registerAuthRoutes } from './features/auth/auth.routes.js';
import { AuthService } from './features/auth/auth.service.js';
import { LoginThrottle, type SignInThrottle } from './features/auth/login-throttle.js';
import { Passwords } from './features/auth/passwords.js';
import { RedisLoginThrottle } from './features/auth/redis-login-throttle.js';
import { registerConversationsRoutes } from './features/conversations/conversations.routes.js';
import { ConversationsService } from './features/conversations/conversations.service.js';
import { ConversationViews } from './features/conversations/conversations.views.js';
import { registerFilesRoutes } from './features/files/files.routes.js';
import { FilesService } from './features/files/files.service.js';
import { findFfmpeg } from './features/files/processing.js';
import { registerUploadsRoutes } from './features/files/uploads.routes.js';
import { UploadsService } from './features/files/uploads.service.js';
import { registerLinkPreviewsRoutes } from './features/link-previews/link-previews.routes.js';
import { LinkPreviewsService } from './features/link-previews/link-previews.service.js';
import { registerMessagesRoutes } from './features/messages/messages.routes.js';
import { MessagesService } from './features/messages/messages.service.js';
import { latestMessages } from './features/messages/messages.views.js';
import { postSystemMessage } from './features/messages/system-messages.js';
import { registerMessagesFrames } from './features/messages/messages.ws.js';
import { registerReactionsRoutes } from './features/messages/reactions.routes.js';
import { ReactionsService } from './features/messages/reactions.service.js';
import { registerReactionsFrames } from './features/messages/reactions.ws.js';
import { listenForMetrics, type MetricsListener } from './features/ops/metrics-listener.js';
import { registerOpsRoutes } from './features/ops/ops.routes.js';
import { OpsService } from './features/ops/ops.service.js';
import { LocalPresence, PresenceService, type PresenceAnnouncer, type PresenceRegistry } from './features/presence/presence.service.js';
import { registerPresenceFrames } from './features/presence/presence.ws.js';
import { RedisPresence } from './features/presence/redis-presence.js';
import { Gateway } from './features/realtime/gateway.js';
import { registerReceiptsRoutes } from './features/receipts/receipts.routes.js';
import { ReceiptsService } from './features/receipts/receipts.service.js';
import { registerReceiptsFrames } from './features/receipts/receipts.ws.js';
import { registerSyncRoutes } from './features/sync/sync.routes.js';
import { SyncService } from './features/sync/sync.service.js';
import { TypingService } from './features/typing/typing.service.js';
import { registerTypingFrames } from './features/typing/typing.ws.js';
import { registerUsersRoutes } from './features/users/users.routes.js';
import { UsersService } from './features/users/users.service.js';
import { LocalBus, type Bus } from './platform/bus.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { migrateToLatest, openDatabase, type Database } from './platform/db/database.js';
import { createHttpApp, type HttpDeps } from './platform/http.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import { RateLimiter, type RateBudget } from './platform/rate-limit.js';
import { isForeignOrigin } from './platform/session-cookie.js';
import { redactUrl } from './platform/redact.js';
import { RedisBus } from './platform/redis-bus.js';
import { RedisRateLimiter } from './platform/redis-rate-limit.js';
import { openSharedState } from './platform/redis-state.js';
import { registerWebApp } from './platform/static.js';
import type { BlobStore } from './platform/storage/blob-store.js';
import { DiskBlobStore } from './platform/storage/disk-blob-store.js';
import { S3BlobStore } from './platform/storage/s3-blob-store.js';
import { WriteQueue } from './platform/write-queue.js';
import { VERSION } from './version.js';

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
}

export interface HearthServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** `http://host:port` of the metrics listener (`/metrics`), when `config.metricsPort` is set. */
  readonly metricsUrl: string | undefined;
  readonly config: Config;
  readonly log: Logger;
  readonly services: Services;
  /** Graceful stop: refuse new work, commit what is queued, close sockets with GOING_AWAY, close the database. */
  close(): Promise<void>;
}

export type Services = Awaited<ReturnType<typeof createServices>>;

/** The configured storage for files: the data directory, or an S3-compatible bucket. */
function openBlobStore(config: Config): BlobStore {
  const { storage, s3 } = config.files;
  return storage === 's3' ? new S3BlobStore(s3) : new DiskBlobStore(path.join(config.dataDir, 'files'));
}

/** Storage, ffmpeg (optional: said at start when missing), uploads and files. */
async function createFiles(database: Database, config: Config, clock: Clock, log: Logger) {
  const blobs = openBlobStore(config);
  const ffmpeg = await findFfmpeg(config.files.ffmpegPath, config.files.ffprobePath);
  if (!ffmpeg) log.warn({ ffmpeg: config.files.ffmpegPath }, 'ffmpeg not found: videos are accepted without poster or duration, voice messages are not remuxed');
  const uploads = new UploadsService(database.db, blobs, config.files, clock, log, path.join(config.dataDir, 'tmp', 'uploads'), ffmpeg);
  const files = await FilesService.open(database.db, blobs, clock);
  return { blobs, uploads, files };
}

/**
 * The state several nodes must agree on, each behind its interface: in this process for one node, in Redis (the
 * `shared` connection) when Redis is configured. See "State shared between nodes" in ARCHITECTURE.md.
 */
function createSharedState(config: Config, clock: Clock, log: Logger, shared: Redis | undefined) {
  const prefix = config.redisPrefix;
  /** A budget in this process, and the one shared between nodes (the same one when there is one node). */
  const budget = (name: string, ratePerSecond: number, burst: number): { local: RateLimiter; shared: RateBudget } => {
    const local = new RateLimiter(clock, ratePerSecond, burst);
    if (!shared) return { local, shared: local };
    return { local, shared: new RedisRateLimiter({ redis: shared, keyPrefix: `${prefix}rate:${name}`, ratePerSecond, burst, clock, log }) };
  };
  const localThrottle = new LoginThrottle(clock, config.rateLimits.signInFailures);
  const throttle: SignInThrottle = shared
    ? new RedisLoginThrottle({ redis: shared, prefix, allowed: config.rateLimits.signInFailures, insurance: localThrottle, log })
    : localThrottle;
  const { offlineGraceMs, heartbeatMs } = config.presence;
  const presenceRegistry = (announcer: PresenceAnnouncer): PresenceRegistry =>
    shared
      ? new RedisPresence({ redis: shared, prefix, nodeId: `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, clock, offlineGraceMs, heartbeatMs, log }, announcer)
      : new LocalPresence(clock, offlineGraceMs, announcer);
  return { budget, throttle, presenceRegistry };
}

async function createServices(database: Database, bus: Bus, config: Config, clock: Clock, log: Logger, shared: Redis | undefined) {
  const { db, capabilities } = database;
  const { blobs, uploads, files } = await createFiles(database, config, clock, log);
  const metrics = createMetrics();
  const writer = new WriteQueue(database, bus, clock, metrics, log);
  const { budget, throttle, presenceRegistry } = createSharedState(config, clock, log, shared);
  const { rateLimits } = config;
  const send = budget('send', rateLimits.sendPerSecond, rateLimits.sendBurst);
  // Typing renewals, receipts and presence reports are cheap but come often; a generous budget stops floods.
  const light = budget('light', rateLimits.lightPerSecond, rateLimits.lightBurst);
  // REST: shared between nodes when Redis is configured (a client may spread requests over every node).
  const limiters = {
    send: send.shared,
    expensive: budget('expensive', rateLimits.expensivePerSecond, rateLimits.expensiveBurst).shared,
    broadcast: budget('broadcast', rateLimits.broadcastPerSecond, rateLimits.broadcastBurst).shared,
    light: light.shared,
  };
  // WebSocket frames: per node, in memory (a socket's frames keep their order; no Redis round trip per frame).
  // With one node these are the REST budgets themselves, as before.
  const frameLimiters = { send: send.local, light: light.local };
  const passwords = new Passwords(config.argon2);
  const signUps = budget('signup', rateLimits.signUpsPerHour / 3600, rateLimits.signUpsPerHour).shared;
  const auth = new AuthService(db, capabilities, bus, clock, passwords, throttle, signUps);
  const presence = new PresenceService(db, bus, clock, log, presenceRegistry);
  const conversationViews = new ConversationViews(latestMessages);
  const conversations = new ConversationsService(db, capabilities, writer, conversationViews, postSystemMessage);
  const linkPreviews = new LinkPreviewsService(db, writer, clock, log, metrics, config.linkPreviews);
  return {
    database,
    metrics,
    bus,
    writer,
    limiters,
    frameLimiters,
    auth,
    presence,
    users: new UsersService(db, bus, clock),
    conversations,
    messages: new MessagesService(db, writer, metrics, config.limits, conversations, files, (message) => linkPreviews.messageWritten(message)),
    blobs,
    uploads,
    files,
    linkPreviews,
    reactions: new ReactionsService(writer),
    receipts: new ReceiptsService(writer),
    typing: new TypingService(db, bus, clock, config.limits.typingTtlMs),
    sync: new SyncService(db, presence, conversationViews, clock, config.limits.maxReplayEvents),
    ops: new OpsService(db, VERSION, { maxUploadBytes: config.files.maxUploadBytes, allowedTypes: config.files.allowedTypes }),
  };
}

function registerRoutes(app: FastifyInstance, s: Services, config: Config, log: Logger, isAccepting: () => boolean): void {
  const deps: HttpDeps = {
    authenticate: async (token) => {
      const { user, session } = await s.auth.authenticate(token);
      return { userId: user.id, sessionId: session.id };
    },
    limiters: s.limiters,
  };
  registerOpsRoutes(app, deps, s.ops, { isAccepting });
  registerAuthRoutes(app, deps, s.auth);
  registerUsersRoutes(app, deps, s.users);
  registerConversationsRoutes(app, deps, s.conversations);
  registerMessagesRoutes(app, deps, s.messages);
  registerReactionsRoutes(app, deps, s.reactions);
  registerLinkPreviewsRoutes(app, deps, s.linkPreviews);
  registerReceiptsRoutes(app, deps, s.receipts);
  registerSyncRoutes(app, deps, s.sync);
  registerUploadsRoutes(app, deps, s.uploads, config.files, log);
  registerFilesRoutes(app, deps, s.files);
}

function createGateway(s: Services, config: Config, clock: Clock, log: Logger): Gateway {
  const gateway = new Gateway(
    {
      bus: s.bus,
      clock,
      metrics: s.metrics,
      log,
      auth: s.auth,
      conversations: s.conversations,
      presence: s.presence,
      typing: s.typing,
      catchUp: {
        positionsOf: (ids) => s.conversations.positionsOf(ids),
        eventsAfter: (id, after) => s.sync.eventsAfter(id, after),
      },
      limiters: {
        'message.send': s.frameLimiters.send,
        'message.forward': s.frameLimiters.send,
        'message.edit': s.frameLimiters.send,
        'message.delete': s.frameLimiters.send,
        'reaction.add': s.frameLimiters.send,
        'reaction.remove': s.frameLimiters.send,
        receipt: s.frameLimiters.light,
        typing: s.frameLimiters.light,
        presence: s.frameLimiters.light,
        ping: s.frameLimiters.light,
      },
    },
    { limits: config.limits, heartbeatMs: config.heartbeatMs, authTimeoutMs: config.authTimeoutMs },
  );
  registerMessagesFrames(gateway, s.messages);
  registerReactionsFrames(gateway, s.reactions);
  registerReceiptsFrames(gateway, s.receipts);
  registerTypingFrames(gateway, s.typing);
  registerPresenceFrames(gateway, s.presence);
  return gateway;
}

/**
 * Deletes abandoned uploads and files no message carries, every `intervalMs` (each node does; a file deleted
 * twice is no harm). The answer stops it.
 */
function startFilesCleanup(uploads: UploadsService, intervalMs: number, log: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    uploads
      .cleanup()
      .catch((err: unknown) => log.error({ err }, 'files cleanup failed'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The in-process bus, or the Redis one when a Redis URL is configured (connected before it is returned). */
export async function openBus(config: Config, log: Logger): Promise<Bus> {
  if (config.redisUrl === undefined) return new LocalBus((err) => log.error({ err }, 'event subscriber failed'));
  const bus = new RedisBus({ url: config.redisUrl, prefix: config.redisPrefix, log });
  try {
    await bus.connected();
  } catch (err) {
    await bus.close();
    throw new Error(`could not connect to Redis at ${redactUrl(config.redisUrl)}`, { cause: err });
  }
  return bus;
}

/** Opens the database, applies migrations, and serves HTTP and WebSocket on the configured address. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<HearthServer> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const database = openDatabase(config);
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
  } catch (err) {
    await database.close();
    throw err;
  }
  let bus: Bus;
  try {
    bus = await openBus(config, log);
  } catch (err) {
    await database.close();
    throw err;
  }
  let shared: Redis | undefined;
  try {
    if (config.redisUrl !== undefined) shared = await openSharedState(config.redisUrl, config.redisPrefix, log);
  } catch (err) {
    await bus.close();
    await database.close();
    throw new Error(`could not connect to Redis at ${redactUrl(config.redisUrl!)}`, { cause: err });
  }
  let services: Services;
  try {
    services = await createServices(database, bus, config, clock, log, shared);
  } catch (err) {
    await bus.close();
    shared?.disconnect();
    await database.close();
    throw err;
  }
  let accepting = true;
  const webRoot = config.webRoot && fs.existsSync(config.webRoot) ? config.webRoot : undefined;
  const app = await createHttpApp(log, services.metrics, config.limits.maxBodyBytes, { serveAppShell: webRoot !== undefined, trustProxy: config.trustProxy });
  registerRoutes(app, services, config, log, () => accepting);
  if (webRoot) await registerWebApp(app, webRoot);
  const gateway = createGateway(services, config, clock, log);
  await gateway.start();
  app.server.on('upgrade', (req, socket, head) => {
    // Refused from the moment shutdown begins, not only once the gateway closes (after queued writes commit).
    if (!accepting) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/ws') return void socket.destroy();
    // A page of another site may open a socket to us, and the browser would send our cookie with it (cross-site
    // WebSocket hijacking): browsers always say which page it is, in Origin.
    if (isForeignOrigin(req.headers, config.trustProxy)) return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
    gateway.handleUpgrade(req, socket, head);
  });

  let metricsListener: MetricsListener | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    if (config.metricsPort !== undefined) metricsListener = await listenForMetrics(services.metrics, config.metricsHost, config.metricsPort);
  } catch (err) {
    await app.close();
    await gateway.close();
    await bus.close();
    shared?.disconnect();
    await database.close();
    throw err;
  }
  const stopCleanup = startFilesCleanup(services.uploads, config.files.cleanupIntervalMs, log);
  const { port } = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const metricsUrl = metricsListener?.url;
  log.info({ url, metricsUrl, database: database.location, dialect: database.capabilities.name, bus: bus.kind, linkPreviews: config.linkPreviews.enabled, ...(config.redisUrl ? { redis: redactUrl(config.redisUrl) } : {}) }, 'hearth is listening');
  if (config.linkPreviews.enabled && config.linkPreviews.allowHosts.length > 0) {
    log.warn({ allowHosts: config.linkPreviews.allowHosts }, 'link previews may read these hosts whatever their address (tests and intranets only)');
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      accepting = false;
      log.info('shutting down');
      const within = <T>(work: Promise<T>) =>
        Promise.race([work, new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref())]);
      // Stop listening at once; in-flight requests finish. (The HTTP server also counts upgraded sockets, so
      // this settles only after the gateway has closed them.)
      const httpClosed = app.close();
      const metricsClosed = metricsListener?.close();
      // Queued writes commit before sockets close, so every acknowledged message is stored and every stored
      // message's acknowledgement has been written. Later writes are refused with SERVER_SHUTTING_DOWN.
      // Previews under way are dropped (their messages stay without one); what they would write must not be refused.
      await within(services.linkPreviews.close());
      await within(services.writer.drain());
      await within(gateway.close());
      await within(httpClosed);
      await metricsClosed;
      stopCleanup();
      services.typing.close();
      await services.presence.close();
      await services.bus.close();
      await shared?.quit().catch(() => shared?.disconnect());
      services.blobs.close();
      await database.close();
      log.info('stopped');
    })());

  return { url, port, metricsUrl, config, log, services, close };
}
