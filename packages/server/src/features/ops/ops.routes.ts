import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { OpsService } from './ops.service.js';

export interface OpsDeps {
  /** False once shutdown has begun: load balancers stop sending traffic. */
  isAccepting(): boolean;
}

/** `/healthz` and the server info. `/metrics` is not here: it has a listener of its own (metrics-listener.ts). */
export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps, ops: OpsService, server: OpsDeps): void {
  /** Liveness and database reachability, for load balancers and orchestrators. */
  app.get('/healthz', async (_req, reply) => {
    const databaseMs = await ops.databaseLatencyMs();
    if (databaseMs === undefined) return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
    if (!server.isAccepting()) return reply.status(503).send({ status: 'shutting-down', database: 'ok', databaseMs });
    return { status: 'ok', database: 'ok', databaseMs };
  });

  route(app, deps, api.serverInfo, () => ops.serverInfo());
}
