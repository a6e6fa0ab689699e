import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { route, type HttpDeps } from '../../platform/http.js';
import * as users from '../users/users.store.js';

export interface OpsDeps {
  db: Kysely<DB>;
  version: string;
  /** False once shutdown has begun: load balancers stop sending traffic. */
  isAccepting(): boolean;
}

export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps, ops: OpsDeps): void {
  /** Liveness and database reachability, for load balancers and orchestrators. */
  app.get('/healthz', async (_req, reply) => {
    const started = performance.now();
    try {
      await sql`select 1`.execute(ops.db);
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
    }
    const databaseMs = Math.round((performance.now() - started) * 100) / 100;
    if (!ops.isAccepting()) return reply.status(503).send({ status: 'shutting-down', database: 'ok', databaseMs });
    return { status: 'ok', database: 'ok', databaseMs };
  });

  route(app, deps, api.serverInfo, async () => ({
    name: 'hearth' as const,
    version: ops.version,
    needsSetup: (await users.count(ops.db)) === 0,
  }));
}
