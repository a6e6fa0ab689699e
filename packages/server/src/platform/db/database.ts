import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './dialect.js';
import * as initial from './migrations/0001-initial.js';
import * as deliveredUpdatedAt from './migrations/0002-delivered-updated-at.js';
import * as systemMessages from './migrations/0003-system-messages.js';
import * as formerMemberships from './migrations/0004-former-memberships.js';
import * as userTimeZone from './migrations/0005-user-time-zone.js';
import * as changeCursor from './migrations/0006-change-cursor.js';
import * as files from './migrations/0007-files.js';
import * as linkPreviews from './migrations/0008-link-previews.js';
import { openPostgres } from './postgres/postgres-database.js';
import type { DB } from './schema.js';
import { openSqlite } from './sqlite/sqlite-database.js';

export type { Database, DialectCapabilities } from './dialect.js';

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL connections in the pool (default 10). */
  databasePoolSize?: number;
  sqliteSynchronous?: 'NORMAL' | 'FULL';
}

/** Opens the database the configuration names: PostgreSQL for a postgres:// URL, else the SQLite file. */
export function openDatabase(options: DatabaseOptions): Database {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.databasePoolSize)
    : openSqlite({ dataDir: options.dataDir, synchronous: options.sqliteSynchronous ?? 'NORMAL' });
}

// Listed in code rather than read from a folder, so the compiled server carries its migrations with it.
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-delivered-updated-at': deliveredUpdatedAt,
  '0003-system-messages': systemMessages,
  '0004-former-memberships': formerMemberships,
  '0005-user-time-zone': userTimeZone,
  '0006-change-cursor': changeCursor,
  '0007-files': files,
  '0008-link-previews': linkPreviews,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Applies every pending migration; returns the names applied. Throws with the failing migration's error. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Runs the cheapest query there is: resolves once the database answers, rejects when it cannot be reached. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
