import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * What differs between the databases, as capabilities. Logic asks these questions instead of testing the
 * dialect's name.
 */
export interface DialectCapabilities {
  readonly name: 'sqlite' | 'postgres';
  /**
   * True when this process is the only writer (embedded SQLite). Several server nodes need a shared database
   * and a shared bus, so a single-writer database also means a single node.
   */
  readonly singleWriter: boolean;
  /** A uniqueness constraint was violated. */
  isUniqueViolation(err: unknown): boolean;
  /** The transaction lost a race (deadlock, serialization failure, busy database) and may be retried as a whole. */
  isRetryable(err: unknown): boolean;
}

export interface Database {
  db: Kysely<DB>;
  capabilities: DialectCapabilities;
  /** Where the data lives, for logs: a file path or the URL without its password. */
  location: string;
  close(): Promise<void>;
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
