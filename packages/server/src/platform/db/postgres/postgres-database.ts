import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { errorCode, type Database, type DialectCapabilities } from '../dialect.js';
import type { DB } from '../schema.js';
import { redactUrl } from '../../redact.js';

const capabilities: DialectCapabilities = {
  name: 'postgres',
  singleWriter: false,
  isUniqueViolation: (err) => errorCode(err) === '23505',
  // 40001 serialization failure, 40P01 deadlock detected; and 23505, a unique violation: with several writers (other
  // nodes) a check-then-insert, such as a send's clientId lookup, can lose to another transaction's commit, and
  // retried as a whole its check sees the winner (a retried send then returns the message stored first).
  isRetryable: (err) => ['40001', '40P01', '23505'].includes(errorCode(err) ?? ''),
};

// Times and sequence numbers are bigint columns; every value we store fits a JS number exactly (< 2^53).
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    oid === (pg.types.builtins.INT8 as number) ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
};

export function openPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: types });
  // An idle client that loses its connection emits on the pool; without a listener that would crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    capabilities,
    location: redactUrl(url),
    close: async () => {
      await db.destroy();
    },
  };
}
