import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '@hearth/protocol';
import { DEFAULT_PORTS_ALLOWED } from './safe-fetch.js';

const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/**
 * The types accepted by default: common images, video, audio, documents and archives. Not HTML, SVG or scripts
 * (they are served as attachments anyway), nor executables. Not HEIC or BMP either: sharp cannot rewrite them, so
 * their metadata (a HEIC photo's location) could not be removed.
 */
export const DEFAULT_ALLOWED_TYPES = [
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff',
  'video/mp4', 'video/webm', 'video/quicktime', 'video/x-matroska', 'video/ogg',
  'audio/mpeg', 'audio/ogg', 'audio/opus', 'audio/wav', 'audio/x-wav', 'audio/webm', 'audio/mp4', 'audio/aac', 'audio/flac', 'audio/x-flac', 'audio/x-m4a',
  'application/pdf', 'text/plain', 'text/csv', 'application/rtf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.presentation',
  'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint', 'application/x-cfb',
  'application/zip', 'application/gzip', 'application/x-tar', 'application/x-7z-compressed', 'application/x-bzip2', 'application/x-xz',
  'application/epub+zip', 'application/octet-stream',
];

/** Server configuration. Every field has a default, so `hearth serve` runs with none given. */
export const Config = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Holds the SQLite file (and later uploads). Created on first start. */
  dataDir: z.string().min(1).default('./hearth-data'),
  /** `postgres://…` selects PostgreSQL; unset means the embedded SQLite file in `dataDir`. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * PostgreSQL connections this node keeps open. The write queue holds one for its batch; reads take the others.
   * Size it so that every node's pool together stays under the server's max_connections.
   */
  databasePoolSize: z.coerce.number().int().min(2).max(1000).default(10),
  /**
   * `redis://…` makes this server one node of several: events go between nodes through Redis pub/sub. Unset, the
   * bus is in-process (one node).
   */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** Put before every Redis channel name: installations (or tests) sharing one Redis never see each other's events. */
  redisPrefix: z.string().regex(/^\S*$/, 'must not contain spaces').default('hearth:'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SQLite `synchronous`: NORMAL survives a process crash; FULL also survives a power cut, at a cost per commit. */
  sqliteSynchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  /**
   * Set when Hearth runs behind a reverse proxy: client addresses are then read from X-Forwarded-For, so that
   * sign-in throttling counts people, not the proxy.
   */
  trustProxy: boolish.default(false),
  /**
   * Serve Prometheus metrics at `/metrics` on this port, on a listener of its own (0 picks a free port). Unset,
   * metrics are served nowhere; the main port never serves them.
   */
  metricsPort: z.coerce.number().int().min(0).max(65_535).optional(),
  /** The address of the metrics listener: loopback, so that only the machine (or its scraper) reaches it. */
  metricsHost: z.string().min(1).default('127.0.0.1'),
  /** Serve the web app from this folder at `/` when it exists. */
  webRoot: z.string().optional(),
  limits: z
    .object({
      maxFrameBytes: z.coerce.number().int().min(1024).default(DEFAULT_LIMITS.maxFrameBytes),
      maxTextBytes: z.coerce.number().int().min(16).default(DEFAULT_LIMITS.maxTextBytes),
      maxPageSize: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.maxPageSize),
      typingTtlMs: z.coerce.number().int().min(1000).default(DEFAULT_LIMITS.typingTtlMs),
      /**
       * Frames one WebSocket connection may send: sustained per second, and at once (a frame costs one more for
       * every 4 KiB). Over it frames are dropped; a further burst over it closes the connection (TOO_MANY_FRAMES).
       * Generous: a client reconnecting with a full outbox and receipts for many conversations stays well inside.
       */
      framesPerSecond: z.coerce.number().positive().default(100),
      frameBurst: z.coerce.number().int().min(10).default(500),
      /** Frames a connection may send before it has authenticated (a client needs one: `auth`). */
      framesBeforeAuth: z.coerce.number().int().min(1).default(10),
      /** A connection whose unsent output passes this is closed with SLOW_CONSUMER. */
      sendBufferBytes: z.coerce.number().int().min(16_384).default(1_048_576),
      /** Largest HTTP body, in bytes (sync requests list every conversation the client holds). */
      maxBodyBytes: z.coerce.number().int().min(1024).default(2_097_152),
      /** A sync replays at most this many events of one conversation before asking the client to refetch. */
      maxReplayEvents: z.coerce.number().int().min(1).default(500),
    })
    .prefault({}),
  rateLimits: z
    .object({
      /** Message sends, edits, deletes, reactions, forwards per user: sustained rate and burst. */
      sendPerSecond: z.coerce.number().positive().default(20),
      sendBurst: z.coerce.number().int().positive().default(60),
      /** History, sync, directory, conversation listing and creation per user. */
      expensivePerSecond: z.coerce.number().positive().default(10),
      expensiveBurst: z.coerce.number().int().positive().default(40),
      /**
       * Other writes that send events to many people (joins, leaves, member and role changes, titles, topics,
       * profile, settings, password) per user. A person needs a few a minute; each one reaches every member.
       */
      broadcastPerSecond: z.coerce.number().positive().default(2),
      broadcastBurst: z.coerce.number().int().positive().default(30),
      /** Receipts (REST and WebSocket), typing, presence and ping frames per user. */
      lightPerSecond: z.coerce.number().positive().default(20),
      lightBurst: z.coerce.number().int().positive().default(100),
      /** Failed sign-ins allowed per username and per address before a growing lockout. */
      signInFailures: z.coerce.number().int().positive().default(5),
      /** Sign-ups per address per hour. */
      signUpsPerHour: z.coerce.number().int().positive().default(30),
    })
    .prefault({}),
  presence: z
    .object({
      /** How long after the last connection closes a user turns offline (absorbs reconnect flapping). */
      offlineGraceMs: z.coerce.number().int().min(0).default(5_000),
      /**
       * With Redis: how often each node renews its devices in the shared presence and sweeps. A node silent for
       * three heartbeats (killed) counts as gone: its users go offline within that plus the grace.
       */
      heartbeatMs: z.coerce.number().int().min(100).default(5_000),
    })
    .prefault({}),
  /** Uploaded files: where they are stored, how large and of which types they may be, when leftovers go. */
  files: z
    .object({
      /** `disk`: under `dataDir`/files (one node); `s3`: an S3-compatible bucket (several nodes). */
      storage: z.enum(['disk', 's3']).default('disk'),
      s3: z
        .object({
          endpoint: z.string().url().optional(),
          bucket: z.string().min(1).default('hearth'),
          region: z.string().min(1).default('us-east-1'),
          accessKeyId: z.string().optional(),
          secretAccessKey: z.string().optional(),
          /** Bucket in the path (`http://host/bucket/key`), as MinIO and s3rver want, instead of the host name. */
          forcePathStyle: z
            .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
            .default(false),
        })
        .prefault({}),
      maxUploadBytes: z.coerce.number().int().min(1).default(100 * 1024 * 1024),
      /**
       * The types (sniffed from the bytes) accepted; `type/*` accepts a whole family. A comma-separated list in the
       * environment.
       */
      allowedTypes: z
        .union([z.array(z.string().min(1)), z.string().transform((v) => v.split(',').map((t) => t.trim()).filter((t) => t !== ''))])
        .default(DEFAULT_ALLOWED_TYPES),
      /** An upload not finished within this is deleted with its bytes. */
      uploadExpiryMs: z.coerce.number().int().min(1000).default(24 * 3600 * 1000),
      /** A finished file that no message carries is deleted this long after its upload. */
      orphanExpiryMs: z.coerce.number().int().min(1000).default(24 * 3600 * 1000),
      /** How often the cleanup of expired uploads and orphan files runs. */
      cleanupIntervalMs: z.coerce.number().int().min(100).default(15 * 60 * 1000),
      /** Image and video jobs (sharp, ffmpeg) run at once on this node; more wait their turn. */
      processingConcurrency: z.coerce.number().int().min(1).default(2),
      /** Images with more pixels than this are refused as decompression bombs (FILE_INVALID). */
      maxImagePixels: z.coerce.number().int().min(1).default(50_000_000),
      /** ffmpeg and ffprobe; when ffmpeg cannot be run, videos are accepted without a poster and voice is not remuxed. */
      ffmpegPath: z.string().min(1).default('ffmpeg'),
      ffprobePath: z.string().min(1).default('ffprobe'),
    })
    .prefault({}),
  heartbeatMs: z.coerce.number().int().min(1000).default(30_000),
  authTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  /** argon2id cost. The defaults follow OWASP's recommendation (19 MiB, 2 passes). */
  argon2: z
    .object({
      memoryCost: z.coerce.number().int().min(1024).default(19_456),
      timeCost: z.coerce.number().int().min(1).default(2),
    })
    .prefault({}),
  /**
   * Link previews (PROTOCOL.md §5, "Link previews"): the server reads the page of the first link of a message, with
   * public addresses only (ARCHITECTURE.md, "Link previews").
   */
  linkPreviews: z
    .object({
      /** Off (`--no-link-previews`, HEARTH_LINK_PREVIEWS=false): no page is ever read and messages carry none. */
      enabled: boolish.default(true),
      /**
       * Host names (as written in links; comma-separated in the environment) whose addresses are not checked: FOR
       * TESTS AND INTRANETS ONLY. A host here may resolve to loopback or a private network and use any port.
       */
      allowHosts: z
        .union([z.array(z.string()), z.string().transform((v) => v.split(','))])
        .transform((hosts) => hosts.map((h) => h.trim()).filter((h) => h !== ''))
        .default([]),
      /** The ports a link may name (comma-separated in the environment); hosts in `allowHosts` may use any. */
      ports: z
        .union([z.array(z.coerce.number()), z.string().transform((v) => v.split(',').map(Number))])
        .pipe(z.array(z.int().min(1).max(65_535)))
        .default([...DEFAULT_PORTS_ALLOWED]),
      /** The whole read of a page and of its image, redirects included, each. */
      timeoutMs: z.coerce.number().int().min(100).max(60_000).default(5_000),
      maxHtmlBytes: z.coerce.number().int().min(1024).default(1_048_576),
      maxImageBytes: z.coerce.number().int().min(1024).default(5_242_880),
      maxRedirects: z.coerce.number().int().min(0).max(10).default(3),
      /** Pages read at once by one node (see `LinkPreviewOptions.concurrency`). */
      concurrency: z.coerce.number().int().min(1).max(64).default(2),
      /** How long what a page gave is reused for other messages with the same link. */
      cacheTtlMs: z.coerce.number().int().min(0).default(86_400_000),
      /** How long a page that gave nothing (refused, failed, empty) is not asked again. */
      failureTtlMs: z.coerce.number().int().min(0).default(600_000),
    })
    .prefault({}),
  /** How long SIGTERM waits for in-flight work before closing sockets. */
  shutdownGraceMs: z.coerce.number().int().min(0).default(5_000),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** Thrown for a configuration that does not validate; the CLI prints it and exits with status 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const ENV: Record<string, string[]> = {
  HEARTH_HOST: ['host'],
  HEARTH_PORT: ['port'],
  HEARTH_DATA_DIR: ['dataDir'],
  HEARTH_DATABASE_URL: ['databaseUrl'],
  HEARTH_DATABASE_POOL_SIZE: ['databasePoolSize'],
  HEARTH_REDIS_URL: ['redisUrl'],
  HEARTH_REDIS_PREFIX: ['redisPrefix'],
  HEARTH_LOG_LEVEL: ['logLevel'],
  HEARTH_SQLITE_SYNCHRONOUS: ['sqliteSynchronous'],
  HEARTH_WEB_ROOT: ['webRoot'],
  HEARTH_TRUST_PROXY: ['trustProxy'],
  HEARTH_METRICS_PORT: ['metricsPort'],
  HEARTH_METRICS_HOST: ['metricsHost'],
  HEARTH_MAX_TEXT_BYTES: ['limits', 'maxTextBytes'],
  HEARTH_MAX_FRAME_BYTES: ['limits', 'maxFrameBytes'],
  HEARTH_SEND_BUFFER_BYTES: ['limits', 'sendBufferBytes'],
  HEARTH_WS_FRAMES_PER_SECOND: ['limits', 'framesPerSecond'],
  HEARTH_WS_FRAME_BURST: ['limits', 'frameBurst'],
  HEARTH_MAX_REPLAY_EVENTS: ['limits', 'maxReplayEvents'],
  HEARTH_RATE_SEND_PER_SECOND: ['rateLimits', 'sendPerSecond'],
  HEARTH_RATE_SEND_BURST: ['rateLimits', 'sendBurst'],
  HEARTH_RATE_EXPENSIVE_PER_SECOND: ['rateLimits', 'expensivePerSecond'],
  HEARTH_RATE_EXPENSIVE_BURST: ['rateLimits', 'expensiveBurst'],
  HEARTH_RATE_BROADCAST_PER_SECOND: ['rateLimits', 'broadcastPerSecond'],
  HEARTH_RATE_BROADCAST_BURST: ['rateLimits', 'broadcastBurst'],
  HEARTH_RATE_LIGHT_PER_SECOND: ['rateLimits', 'lightPerSecond'],
  HEARTH_RATE_LIGHT_BURST: ['rateLimits', 'lightBurst'],
  HEARTH_RATE_SIGNIN_FAILURES: ['rateLimits', 'signInFailures'],
  HEARTH_RATE_SIGNUPS_PER_HOUR: ['rateLimits', 'signUpsPerHour'],
  HEARTH_PRESENCE_OFFLINE_GRACE_MS: ['presence', 'offlineGraceMs'],
  HEARTH_PRESENCE_HEARTBEAT_MS: ['presence', 'heartbeatMs'],
  HEARTH_HEARTBEAT_MS: ['heartbeatMs'],
  HEARTH_ARGON2_MEMORY_COST: ['argon2', 'memoryCost'],
  HEARTH_ARGON2_TIME_COST: ['argon2', 'timeCost'],
  HEARTH_SHUTDOWN_GRACE_MS: ['shutdownGraceMs'],
  HEARTH_STORAGE: ['files', 'storage'],
  HEARTH_S3_ENDPOINT: ['files', 's3', 'endpoint'],
  HEARTH_S3_BUCKET: ['files', 's3', 'bucket'],
  HEARTH_S3_REGION: ['files', 's3', 'region'],
  HEARTH_S3_ACCESS_KEY_ID: ['files', 's3', 'accessKeyId'],
  HEARTH_S3_SECRET_ACCESS_KEY: ['files', 's3', 'secretAccessKey'],
  HEARTH_S3_FORCE_PATH_STYLE: ['files', 's3', 'forcePathStyle'],
  HEARTH_MAX_UPLOAD_BYTES: ['files', 'maxUploadBytes'],
  HEARTH_ALLOWED_TYPES: ['files', 'allowedTypes'],
  HEARTH_UPLOAD_EXPIRY_MS: ['files', 'uploadExpiryMs'],
  HEARTH_FFMPEG_PATH: ['files', 'ffmpegPath'],
  HEARTH_FFPROBE_PATH: ['files', 'ffprobePath'],
  HEARTH_LINK_PREVIEWS: ['linkPreviews', 'enabled'],
  HEARTH_LINK_PREVIEWS_ALLOW_HOSTS: ['linkPreviews', 'allowHosts'],
  HEARTH_LINK_PREVIEWS_TIMEOUT_MS: ['linkPreviews', 'timeoutMs'],
  HEARTH_LINK_PREVIEWS_PORTS: ['linkPreviews', 'ports'],
};

/** The environment variable each configuration path is read from, for help texts and error messages. */
export const ENV_NAMES: Record<string, string> = Object.fromEntries(Object.entries(ENV).map(([k, p]) => [p.join('.'), k]));

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

/**
 * Builds the configuration from defaults, then the environment, then explicit overrides (command-line flags).
 * Throws ConfigError naming each bad value and where it came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigInput = {}): Config {
  const input: Record<string, unknown> = {};
  for (const [name, keys] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(input, keys, value);
  }
  const merged = mergeDeep(input, overrides);
  const result = Config.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = issue.path.join('.');
        const source = ENV_NAMES[key] && env[ENV_NAMES[key]] !== undefined ? ` (from ${ENV_NAMES[key]})` : '';
        return `${key}${source}: ${issue.message}`;
      }),
    );
  }
  return { ...result.data, dataDir: path.resolve(result.data.dataDir) };
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object'
        ? mergeDeep(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
