import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, startServer, type ConfigInput, type HearthServer, type StartOptions } from '@hearth/server';
import { POSTGRES_ADMIN_URL, type BackendName } from './backends.js';

export interface TestServer {
  server: HearthServer;
  url: string;
  wsUrl: string;
  backend: BackendName;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Stops the server (gracefully) and deletes its data. */
  close(): Promise<void>;
  /** Stops the server but keeps its data, for restart tests. */
  stop(): Promise<void>;
  /** Deletes the data (the directory, and the PostgreSQL database). */
  destroyData: () => Promise<void>;
}

/** Settings that keep tests fast: cheap password hashing and quiet logs. Limits stay at their defaults. */
export const TEST_CONFIG: ConfigInput = {
  host: '127.0.0.1',
  port: 0,
  logLevel: (process.env.HEARTH_TEST_LOG_LEVEL as ConfigInput['logLevel']) ?? 'silent',
  argon2: { memoryCost: 1024, timeCost: 1 },
  presence: { offlineGraceMs: 300 },
  shutdownGraceMs: 2000,
  // Metrics on a listener of their own (the main port never serves them), on a free loopback port.
  metricsPort: 0,
  // No test reaches out to the Internet because a message has a link: the link preview tests turn them on, with
  // their page server on loopback.
  linkPreviews: { enabled: false },
};

/** A fresh, empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hearth_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));
}

/**
 * Starts a real server on an ephemeral loopback port against a fresh database of the given backend.
 * Pass `reuse` to start again on the data of a stopped server.
 */
export async function startTestServer(
  backend: BackendName,
  overrides: ConfigInput = {},
  options: StartOptions & { reuse?: TestServer } = {},
): Promise<TestServer> {
  const dataDir = options.reuse?.dataDir ?? tempDataDir();
  let databaseUrl = options.reuse?.databaseUrl;
  let destroyData = options.reuse?.destroyData ?? (() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
  if (backend === 'postgres' && !databaseUrl) {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    destroyData = async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await created.drop();
    };
  }
  // With a Redis bus, each test server is an installation of its own unless the test says otherwise.
  const redisPrefix = overrides.redisUrl && !overrides.redisPrefix ? `hearth-test:${randomBytes(6).toString('hex')}:` : overrides.redisPrefix;
  const config = loadConfig({}, { ...TEST_CONFIG, ...overrides, dataDir, ...(databaseUrl ? { databaseUrl } : {}), ...(redisPrefix ? { redisPrefix } : {}) });
  const server = await startServer(config, options);
  const url = server.url;
  return {
    server,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    backend,
    dataDir,
    databaseUrl,
    stop: () => server.close(),
    destroyData,
    close: async () => {
      await server.close();
      await destroyData();
    },
  };
}
