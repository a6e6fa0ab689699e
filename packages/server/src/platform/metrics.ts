import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, in a registry of its own (several servers may share a test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hearth_' });
  const latencyBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    connections: new Gauge({ name: 'hearth_connections', help: 'Open authenticated WebSocket connections.', registers: [registry] }),
    framesReceived: new Counter({
      name: 'hearth_ws_frames_received_total',
      help: 'WebSocket frames received, by type (or the error that rejected them).',
      labelNames: ['type'],
      registers: [registry],
    }),
    messagesStored: new Counter({ name: 'hearth_messages_total', help: 'Messages stored.', registers: [registry] }),
    linkPreviewReads: new Counter({
      name: 'hearth_link_preview_reads_total',
      help: 'Pages read for link previews, by outcome: ok, or why there is no preview (blocked-address, timeout, too-large …).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveries: new Counter({ name: 'hearth_deliveries_total', help: 'Events written to sockets.', registers: [registry] }),
    floodDisconnects: new Counter({
      name: 'hearth_flood_disconnects_total',
      help: 'Connections closed for sending frames far over their frame budget.',
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'hearth_slow_consumer_disconnects_total',
      help: 'Connections closed because their send buffer passed the limit.',
      registers: [registry],
    }),
    sendLatency: new Histogram({
      name: 'hearth_send_ack_seconds',
      help: 'From a message.send frame arriving to its acknowledgement being written.',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    dbBatchSeconds: new Histogram({
      name: 'hearth_db_write_batch_seconds',
      help: 'Duration of one write batch transaction.',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    dbBatchSize: new Histogram({
      name: 'hearth_db_write_batch_jobs',
      help: 'Jobs per write batch transaction.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hearth_http_request_seconds',
      help: 'HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
