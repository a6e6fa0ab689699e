import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
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

const STATEMENT_CACHE_SIZE = 1000;

/**
 * The database as Kysely sees it, with prepared statements kept and reused by their SQL text (least recently used
 * dropped first). Kysely's driver prepares every query afresh, and compiling SQL was the largest single cost per
 * message in the benchmark. Reuse is safe because better-sqlite3 runs each statement to completion synchronously
 * (Hearth never streams query results, which would keep a statement busy).
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => void sqlite.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

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
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    capabilities,
    location: file,
    close: async () => {
      await db.destroy();
    },
  };
}
