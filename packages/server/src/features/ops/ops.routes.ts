import { api } from '@hearth/protocol';
import type { FastifyInstance } from 'fastify';
import { route, type HttpDeps } from '../../platform/http.js';
import type { Metrics } from '../../platform/metrics.js';
import type { OpsService } from './ops.service.js';

export interface OpsDeps {
  metrics: Metrics;
  /** False once shutdown has begun: load balancers stop sending traffic. */
  isAccepting(): boolean;
}

export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps, ops: OpsService, server: OpsDeps): void {
  /** Liveness and database reachability, for load balancers and orchestrators. */
  app.get('/healthz', async (_req, reply) => {
    const databaseMs = await ops.databaseLatencyMs();
    if (databaseMs === undefined) return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
    if (!server.isAccepting()) return reply.status(503).send({ status: 'shutting-down', database: 'ok', databaseMs });
    return { status: 'ok', database: 'ok', databaseMs };
  });

  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', server.metrics.registry.contentType);
    return server.metrics.registry.metrics();
  });

  route(app, deps, api.serverInfo, () => ops.serverInfo());
}
