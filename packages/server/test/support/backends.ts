import pg from 'pg';

export type BackendName = 'sqlite' | 'postgres';

/** PostgreSQL used by the tests: each test server gets a fresh database created on it. */
export const POSTGRES_ADMIN_URL = process.env.HEARTH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE_SERVICES = process.env.HEARTH_REQUIRE_SERVICES === '1';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgres = await postgresReachable();
if (!postgres && REQUIRE_SERVICES) {
  throw new Error(`HEARTH_REQUIRE_SERVICES=1 but PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}`);
}

/**
 * The databases the integration suite runs against: SQLite always, PostgreSQL when it is reachable. With
 * HEARTH_REQUIRE_SERVICES=1 (CI) an unreachable PostgreSQL fails the run instead of being skipped.
 */
export const BACKENDS: BackendName[] = postgres ? ['sqlite', 'postgres'] : ['sqlite'];
