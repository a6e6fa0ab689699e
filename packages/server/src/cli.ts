#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DisplayName, Password, Username, type ErrorCode } from '@hearth/protocol';
import type { z } from 'zod';
import { AuthService } from './features/auth/auth.service.js';
import { LoginThrottle } from './features/auth/login-throttle.js';
import { Passwords } from './features/auth/passwords.js';
import { UsersService } from './features/users/users.service.js';
import { LocalBus, type Bus } from './platform/bus.js';
import { systemClock } from './platform/clock.js';
import { ConfigError, loadConfig, type Config, type ConfigInput } from './platform/config.js';
import { migrateToLatest, openDatabase, type Database } from './platform/db/database.js';
import { HearthError } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { RateLimiter } from './platform/rate-limit.js';
import { openBus, startServer } from './server.js';
import { VERSION } from './version.js';

const HELP = `hearth ${VERSION}: a self-hosted instant messaging server

Usage:
  hearth serve [options]                  serve HTTP, WebSocket and the web app
  hearth migrate [options]                apply pending database migrations and exit
  hearth user create --username NAME [--display-name NAME] [--password PW | --password-stdin] [--admin]
  hearth user reset-password --username NAME [--password PW | --password-stdin]
  hearth user list [--json]

Options (each also read from the environment variable shown):
  --host HOST           HEARTH_HOST           address to listen on (default 127.0.0.1)
  --port PORT           HEARTH_PORT           port (default 8080; 0 picks a free one)
  --data-dir DIR        HEARTH_DATA_DIR       SQLite file and uploads (default ./hearth-data)
  --database-url URL    HEARTH_DATABASE_URL   postgres://… to use PostgreSQL instead of SQLite
  --redis-url URL       HEARTH_REDIS_URL      redis://… to run as one node of several (default: one node)
  --redis-prefix TEXT   HEARTH_REDIS_PREFIX   put before every Redis channel name (default hearth:)
  --log-level LEVEL     HEARTH_LOG_LEVEL      fatal|error|warn|info|debug|trace|silent (default info)
  --metrics-port PORT   HEARTH_METRICS_PORT   serve Prometheus /metrics on this port (default: not served)
  --metrics-host HOST   HEARTH_METRICS_HOST   address of the metrics port (default 127.0.0.1)
  --storage KIND        HEARTH_STORAGE        where files go: disk (under --data-dir) or s3 (default disk)
  --s3-endpoint URL     HEARTH_S3_ENDPOINT    S3-compatible endpoint, e.g. http://minio:9000 (default: AWS)
  --s3-bucket NAME      HEARTH_S3_BUCKET      bucket (default hearth)
  --s3-region NAME      HEARTH_S3_REGION      region (default us-east-1)
                        HEARTH_S3_ACCESS_KEY_ID, HEARTH_S3_SECRET_ACCESS_KEY  credentials (default: the AWS chain)
  --s3-force-path-style HEARTH_S3_FORCE_PATH_STYLE  bucket in the path, as MinIO wants
  --max-upload-bytes N  HEARTH_MAX_UPLOAD_BYTES  largest file (default 104857600, 100 MiB)
  --allowed-types LIST  HEARTH_ALLOWED_TYPES  comma-separated types accepted, type/* for a family (default: common
                                              images, video, audio, documents, archives)
                        HEARTH_UPLOAD_EXPIRY_MS  unfinished uploads are deleted after this (default 86400000, 24 h)
                        HEARTH_FFMPEG_PATH, HEARTH_FFPROBE_PATH  ffmpeg and ffprobe (default: found on PATH)
  --no-link-previews    HEARTH_LINK_PREVIEWS=false  never read the pages of links in messages (default: read,
                                              public addresses only)
  -h, --help            this text
  -v, --version         the version
`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-prefix': { type: 'string' },
  'log-level': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  storage: { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  's3-force-path-style': { type: 'boolean' },
  'max-upload-bytes': { type: 'string' },
  'allowed-types': { type: 'string' },
  'no-link-previews': { type: 'boolean' },
  username: { type: 'string' },
  'display-name': { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  admin: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** A mistake in how the command was called: printed with a hint, exit status 2. */
class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function configFrom(values: Values): Config {
  const overrides: ConfigInput = {
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.port !== undefined ? { port: values.port } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values['database-url'] !== undefined ? { databaseUrl: values['database-url'] } : {}),
    ...(values['redis-url'] !== undefined ? { redisUrl: values['redis-url'] } : {}),
    ...(values['redis-prefix'] !== undefined ? { redisPrefix: values['redis-prefix'] } : {}),
    ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] as Config['logLevel'] } : {}),
    ...(values['metrics-port'] !== undefined ? { metricsPort: values['metrics-port'] } : {}),
    ...(values['metrics-host'] !== undefined ? { metricsHost: values['metrics-host'] } : {}),
    files: {
      ...(values.storage !== undefined ? { storage: values.storage as Config['files']['storage'] } : {}),
      s3: {
        ...(values['s3-endpoint'] !== undefined ? { endpoint: values['s3-endpoint'] } : {}),
        ...(values['s3-bucket'] !== undefined ? { bucket: values['s3-bucket'] } : {}),
        ...(values['s3-region'] !== undefined ? { region: values['s3-region'] } : {}),
        ...(values['s3-force-path-style'] !== undefined ? { forcePathStyle: values['s3-force-path-style'] } : {}),
      },
      ...(values['max-upload-bytes'] !== undefined ? { maxUploadBytes: values['max-upload-bytes'] } : {}),
      ...(values['allowed-types'] !== undefined ? { allowedTypes: values['allowed-types'] } : {}),
    },
    ...(values['no-link-previews'] === true ? { linkPreviews: { enabled: false } } : {}),
  };
  return loadConfig(process.env, { webRoot: defaultWebRoot(), ...overrides });
}

/** The web app built next to this package (apps/web/dist in the repository), unless HEARTH_WEB_ROOT says otherwise. */
function defaultWebRoot(): string | undefined {
  if (process.env.HEARTH_WEB_ROOT) return undefined;
  const candidate = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/web/dist');
  return fs.existsSync(path.join(candidate, 'index.html')) ? candidate : undefined;
}

async function serve(config: Config): Promise<void> {
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function withDatabase<T>(config: Config, fn: (database: Database) => T | Promise<T>): Promise<T> {
  const database = openDatabase(config);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

/**
 * The bus the running servers share, for a command whose events they must hear at once (a password reset signs
 * the user out on every node): Redis when configured, else an in-process bus nobody listens to (a single server
 * notices at its next heartbeat). Closed after `fn`, which lets queued publishes go out first.
 */
async function withBus<T>(config: Config, fn: (bus: Bus) => Promise<T>): Promise<T> {
  const bus = await openBus(config, createLogger('warn'));
  try {
    return await fn(bus);
  } finally {
    await bus.close();
  }
}

function authService(database: Database, config: Config, bus: Bus = new LocalBus()): AuthService {
  const clock = systemClock;
  return new AuthService(
    database.db,
    database.capabilities,
    bus,
    clock,
    new Passwords(config.argon2),
    new LoginThrottle(clock, config.rateLimits.signInFailures),
    new RateLimiter(clock, 1, 1),
  );
}

/** Turns the HearthError with this code into a UsageError: the operator's mistake, not a crash (status 2). */
function mistake(code: ErrorCode, message: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof HearthError && err.code === code) throw new UsageError(message);
    throw err;
  };
}

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  if (value === undefined) throw new UsageError(`${what} is required`);
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

async function readPassword(values: Values): Promise<string> {
  if (values.password !== undefined) return values.password;
  if (values['password-stdin'] || !process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    return input.replace(/\r?\n$/, '');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo nothing while the password is typed.
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write('Password: ');
  output._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

async function userCommand(action: string | undefined, values: Values, config: Config): Promise<void> {
  switch (action) {
    case 'create': {
      const username = check(Username, values.username, '--username');
      const displayName = check(DisplayName, values['display-name'] ?? username, '--display-name');
      const password = check(Password, await readPassword(values), 'password');
      await withDatabase(config, async (database) => {
        const row = await authService(database, config)
          .createUser({ username, displayName, password, isAdmin: values.admin ?? false })
          .catch(mistake('USERNAME_TAKEN', `the username ${username} is taken`));
        console.log(`created ${row.username} (${row.id})${row.is_admin ? ' as administrator' : ''}`);
      });
      return;
    }
    case 'reset-password': {
      const username = check(Username, values.username, '--username');
      const password = check(Password, await readPassword(values), 'password');
      await withDatabase(config, (database) =>
        withBus(config, (bus) => authService(database, config, bus).resetPassword(username, password)).catch(mistake('USER_NOT_FOUND', `no user named ${username}`)),
      );
      console.log(`password of ${username} reset; their sessions were signed out`);
      return;
    }
    case 'list':
      await withDatabase(config, async (database) => {
        const accounts = await new UsersService(database.db, new LocalBus(), systemClock).listAll();
        if (values.json) {
          console.log(JSON.stringify(accounts.map((a) => ({ id: a.id, username: a.username, displayName: a.displayName, isAdmin: a.isAdmin, createdAt: a.createdAt }))));
          return;
        }
        for (const a of accounts) console.log(`${a.username}\t${a.displayName}\t${a.isAdmin ? 'admin' : ''}\t${a.id}`);
      });
      return;
    default:
      throw new UsageError('hearth user needs create, reset-password or list');
  }
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) return void console.log(VERSION);
  const [command, action] = positionals;
  if (values.help || !command) return void console.log(HELP);
  const config = configFrom(values);
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      await withDatabase(config, (database) => console.log(`database at ${database.location} is up to date`));
      return;
    case 'user':
      return userCommand(action, values, config);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    console.error(`hearth: ${err.message}`);
    if (err instanceof UsageError) console.error('run `hearth --help` for usage');
    process.exit(2);
  }
  console.error('hearth: failed:', err);
  process.exit(1);
});
