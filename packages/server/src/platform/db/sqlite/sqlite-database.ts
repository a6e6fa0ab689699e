import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { errorCode, type Database, type DialectCapabilities } from '../dialect.js';
import type { DB } from '../schema.js';

const capabilities: DialectCapabilities = {
  name: 'sqlite',
  singleWriter: true,
  isUniqueViolation: (err) => {
    const code = errorCode(err);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  isRetryable: (err) => errorCode(err) === 'SQLITE_BUSY',
};

export interface SqliteOptions {
  dataDir: string;
  synchronous: 'NORMAL' | 'FULL';
}

/**
 * Opens (creating if needed) `<dataDir>/hearth.db` in WAL mode. With synchronous=NORMAL a committed transaction
 * survives a crash of the process (the WAL is in the OS's hands once written); FULL also survives power loss.
 */
export function openSqlite(options: SqliteOptions): Database {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'hearth.db');
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -32000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    capabilities,
    location: file,
    close: async () => {
      await db.destroy();
    },
  };
}
