/**
 * Scenarios on several Hearth nodes sharing one PostgreSQL database (the scenario's own) and one Redis (a channel
 * prefix of their own): pairs whose two ends sit on different nodes, and idle sockets spread over the nodes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClient, connectAll, createConversation, createUsers, mapLimit, rest, type BenchUser } from './clients.js';
import type { IdleJob, WorkerReply, WorkerRequest } from './idle-worker.js';
import { log, round, sleep } from './log.js';
import { idleFigures, ratePairs, saturatePairs, settle, steadyReading, type BenchOptions, type Measured, type ScenarioResult } from './scenarios.js';
import { ensureOpenFiles, openFileLimits, trackChild, untrackChild, type ServerOptions, type ServerProcess } from './server-process.js';
import { Tracker } from './tracker.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Idle sockets one worker process holds at most (its open-files hard limit is 20,000 here). */
const SOCKETS_PER_WORKER = 15_000;
/**
 * Source addresses the idle sockets are spread over, 127.0.0.2 and up. A socket bound to an address (as
 * `localAddress` does) takes a port of that address's ~28k ephemeral ports whatever its destination.
 */
const SOURCE_ADDRESSES = 16;

/** N `hearth serve` processes on one database and one Redis prefix, measured as one. */
export class NodeGroup implements Measured {
  readonly usesRedis = true;

  private constructor(
    readonly nodes: ServerProcess[],
    readonly redisPrefix: string,
  ) {}

  static async start(count: number, opts: BenchOptions, extra: Partial<ServerOptions> = {}): Promise<NodeGroup> {
    if (!opts.postgres || !opts.redisUrl) throw new Error('the several-node scenarios need --database-url and --redis-url');
    const prefix = `hearth-bench:${Date.now().toString(36)}:${randomBytes(3).toString('hex')}:`;
    const node = () => opts.startServer({ ...extra, extraEnv: { HEARTH_REDIS_URL: opts.redisUrl!, HEARTH_REDIS_PREFIX: prefix } });
    // The first node applies the migrations; the others then start together. (A node that fails to start leaves
    // the others to the exit handlers, which kill every server child.)
    const first = await node();
    const rest = await Promise.all(Array.from({ length: count - 1 }, node));
    log(`${count} node(s) on Redis prefix ${prefix}: pids ${[first, ...rest].map((n) => n.pid).join(', ')}`);
    return new NodeGroup([first, ...rest], prefix);
  }

  cpuMs(): number {
    return this.nodes.reduce((sum, n) => sum + n.cpuMs(), 0);
  }

  rssKb(): number {
    return this.nodes.reduce((sum, n) => sum + n.rssKb(), 0);
  }

  async metric(name: string): Promise<number | undefined> {
    const values = await Promise.all(this.nodes.map((n) => n.metric(name)));
    return values.some((v) => v === undefined) ? undefined : values.reduce<number>((sum, v) => sum + v!, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

/** Signs up `count` users, an equal share through each node at the same time; indexes run 0..count-1. */
async function createUsersOn(nodes: ServerProcess[], count: number): Promise<BenchUser[]> {
  const shares = nodes.map((_, k) => Math.floor(count / nodes.length) + (k < count % nodes.length ? 1 : 0));
  const batches = await Promise.all(nodes.map((node, k) => createUsers(node.url, shares[k]!)));
  return batches.flat().map((u, i) => ({ ...u, index: i }));
}

/**
 * 2 × pairs users in direct pairs. Pair p's first end connects to node p mod N and its second to node p+1 mod N,
 * so that with two nodes or more every message crosses from one node to another through Redis.
 */
async function setUpSpreadPairs(group: NodeGroup, tracker: Tracker, pairs: number): Promise<BenchClient[]> {
  const n = group.nodes.length;
  const users = await createUsersOn(group.nodes, pairs * 2);
  const convIds = await mapLimit(Array.from({ length: pairs }, (_, p) => p), 32, async (p) => {
    const url = group.nodes[p % n]!.url;
    const id = await createConversation(url, users[2 * p]!, { kind: 'direct', userId: users[2 * p + 1]!.userId });
    // A direct conversation exists for its second person only from its first message on: sent here, before the
    // sockets connect, so that the measured window holds only the pairs' traffic.
    await rest(url, 'POST', `/api/conversations/${id}/messages`, users[2 * p]!.token, { clientId: `open${p}`, content: { type: 'text', text: 'hello' } });
    return id;
  });
  const clients = users.map((u) => new BenchClient(u, tracker));
  const byNode = group.nodes.map(() => [] as BenchClient[]);
  clients.forEach((c, i) => {
    const p = Math.floor(i / 2);
    c.seat = { conversationId: convIds[p]!, slot: i % 2, size: 2 };
    byNode[(p + (i % 2)) % n]!.push(c);
  });
  ensureOpenFiles('self', clients.length + 256);
  await Promise.all(byNode.map((cs, k) => connectAll(cs, group.nodes[k]!.wsUrl)));
  return clients;
}

/**
 * Spread pairs on `count` nodes: `rate` is pairs-rate (cross-node latency at a fixed rate), `saturation` is
 * pairs-saturation (throughput, and CPU per message summed over the nodes).
 */
function pairsOnNodes(count: number, kind: 'rate' | 'saturation') {
  return async (opts: BenchOptions): Promise<ScenarioResult> => {
    const group = await NodeGroup.start(count, opts);
    try {
      const tracker = new Tracker();
      const clients = await setUpSpreadPairs(group, tracker, opts.pairs);
      const name = `nodes-${count}-${kind}`;
      const where = { nodes: count, crossNode: count > 1 };
      if (kind === 'rate') return { ...(await ratePairs(name, group, tracker, clients, opts)), ...where };
      const result = await saturatePairs(name, group, tracker, clients, opts);
      // The goal compares nodes with each other (summary.severalNodes.goals), not with a fixed figure.
      const floor = { metric: 'none (reported: summary.severalNodes compares CPU per message with one node)', limit: 'n/a', value: result.floor.value, met: true };
      return { ...result, ...where, floor };
    } finally {
      await group.stop();
    }
  };
}

/** A forked idle-worker.js, asked one thing at a time over IPC. */
class IdleWorker {
  private pending: { resolve: (m: WorkerReply) => void; reject: (e: Error) => void } | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    trackChild(child);
    child.on('message', (m: WorkerReply) => this.pending?.resolve(m));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        untrackChild(child);
        this.pending?.reject(new Error(`idle worker ${child.pid} exited with code ${code}`));
        resolve();
      }),
    );
  }

  static spawn(): IdleWorker {
    return new IdleWorker(fork(path.join(here, 'idle-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  ask(request: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(request);
    });
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies WorkerRequest);
    await this.exited;
  }
}

/**
 * Idle sockets spread over `count` nodes, held by as many worker processes as the open-files limit needs, from
 * several source addresses. Reports server RSS added per connection, summed over the nodes, and connect time.
 */
function nodesIdle(count: number) {
  return async (opts: BenchOptions): Promise<ScenarioResult> => {
    const requested = opts.idleConnections;
    // The nodes inherit the bench's hard limit; their soft limit is raised to what they need (openFiles below).
    const perNodeLimit = openFileLimits('self').hard - 256;
    const n = Math.min(requested, perNodeLimit * count);
    if (n < requested) log(`nodes-idle: the open-files hard limit allows ${perNodeLimit} sockets per node, ${n} in all`);
    const perNode = Math.ceil(n / count);
    // Users are created on nodes that are then restarted on the same database: the baseline is fresh processes.
    let users: BenchUser[];
    {
      const setup = await NodeGroup.start(count, opts);
      try {
        users = await createUsersOn(setup.nodes, n);
      } finally {
        await setup.stop();
      }
    }
    const group = await NodeGroup.start(count, opts, { openFiles: perNode + 256 });
    const workers: IdleWorker[] = [];
    try {
      await sleep(2000);
      const heapUsed = () => group.metric('hearth_nodejs_heap_size_used_bytes');
      const rssBefore = await steadyReading(() => group.rssKb());
      const heapBefore = await heapUsed();
      const jobs: IdleJob[] = users.map((u, i) => ({
        index: u.index,
        userId: u.userId,
        token: u.token,
        wsUrl: group.nodes[i % count]!.wsUrl,
        localAddress: `127.0.0.${2 + (i % SOURCE_ADDRESSES)}`,
      }));
      const workerCount = Math.ceil(n / SOCKETS_PER_WORKER);
      for (let w = 0; w < workerCount; w++) workers.push(IdleWorker.spawn());
      log(`nodes-idle: ${n} sockets to ${count} nodes from ${workerCount} worker process(es) and ${Math.min(n, SOURCE_ADDRESSES)} source addresses`);
      const started = performance.now();
      const replies = await Promise.all(
        workers.map((worker, w) =>
          worker.ask({ type: 'connect', jobs: jobs.filter((_, i) => i % workerCount === w), concurrency: Math.max(16, Math.ceil(128 / workerCount)) }),
        ),
      );
      const connectMs = performance.now() - started;
      for (const r of replies) if (r.type === 'connected' && r.error) throw new Error(`nodes-idle: a worker failed to connect: ${r.error}`);
      const connected = await group.metric('hearth_connections');
      log(`nodes-idle: ${n} sockets open in ${(connectMs / 1000).toFixed(1)} s (nodes count ${connected}); settling ${opts.idleSettleS} s`);
      const settled = await settle(group, opts.idleSettleS, heapUsed);
      let disconnects = 0;
      for (const worker of workers) {
        const status = await worker.ask({ type: 'status' });
        if (status.type === 'status') disconnects += status.closedUnexpectedly;
      }
      return {
        scenario: `nodes-${count}-idle`,
        nodes: count,
        clients: n,
        requestedConnections: requested,
        serverConnectionsGauge: connected ?? null,
        clientProcesses: workerCount,
        sourceAddresses: Math.min(n, SOURCE_ADDRESSES),
        connectS: round(connectMs / 1000, 1),
        connectsPerSec: round(n / (connectMs / 1000), 0),
        durationS: opts.idleSettleS,
        offeredRate: null,
        sent: 0,
        acked: 0,
        delivered: 0,
        ...idleFigures({ connections: n, rssBefore, heapBefore, ...settled, disconnects }),
      };
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await group.stop();
    }
  };
}

/** The several-node scenarios; they run only with --database-url and --redis-url. */
export const NODE_SCENARIOS: Record<string, (opts: BenchOptions) => Promise<ScenarioResult>> = {
  'nodes-1-saturation': pairsOnNodes(1, 'saturation'),
  'nodes-2-saturation': pairsOnNodes(2, 'saturation'),
  'nodes-3-saturation': pairsOnNodes(3, 'saturation'),
  'nodes-1-rate': pairsOnNodes(1, 'rate'),
  'nodes-2-rate': pairsOnNodes(2, 'rate'),
  'nodes-3-rate': pairsOnNodes(3, 'rate'),
  'nodes-3-idle': nodesIdle(3),
};

/** One of the goals for several nodes, as the summary line reports it. */
export interface NodeGoal {
  goal: string;
  limit: string;
  value: number | null;
  met: boolean;
}

/**
 * The several-node figures of a run side by side, and the goals: CPU per message summed over 3 nodes
 * within 1.5× of one node's, and cross-node p99 under 20 ms at 1,000 messages/s.
 */
export function severalNodesSummary(results: ScenarioResult[]): (Record<string, unknown> & { goals: NodeGoal[] }) | undefined {
  const by = new Map(results.filter((r) => r.nodes !== undefined).map((r) => [r.scenario, r]));
  if (by.size === 0) return undefined;
  const pick = (name: string, fields: string[]): Record<string, unknown> | undefined => {
    const r = by.get(name);
    return r ? Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) : undefined;
  };
  /** One row per node count that ran `kind`, keyed by the count. */
  const table = (counts: number[], kind: string, fields: string[]) => {
    const rows: Record<string, Record<string, unknown>> = {};
    for (const n of counts) {
      const row = pick(`nodes-${n}-${kind}`, fields);
      if (row) rows[n] = row;
    }
    return rows;
  };
  const perMessage = (name: string) => Number(by.get(name)?.serverCpuMsPer1000);
  const ratio = (a: string, b: string) => {
    const v = perMessage(a) / perMessage(b);
    return Number.isFinite(v) ? round(v, 2) : null;
  };
  const cpuRatio = ratio('nodes-3-saturation', 'nodes-1-saturation');
  const p99 = (by.get('nodes-3-rate')?.latencyMs as Record<string, number | null> | undefined)?.p99 ?? null;
  const saturationFields = ['deliveredPerSec', 'serverCpuMsPer1000', 'serverCpuPercent', 'postgresCpuPercent', 'redisCpuPercent', 'otherCpuPercent', 'lost', 'duplicates'];
  const rateFields = ['deliveredPerSec', 'latencyMs', 'serverCpuMsPer1000', 'postgresCpuPercent', 'redisCpuPercent', 'otherCpuPercent', 'lost', 'duplicates'];
  const idleFields = ['clients', 'connectS', 'connectsPerSec', 'rssPerConnectionKb', 'heapPerConnectionKb', 'disconnects'];
  const sections = {
    saturation: table([1, 2, 3], 'saturation', saturationFields),
    rate: table([1, 2, 3], 'rate', rateFields),
    idle: pick('nodes-3-idle', idleFields),
  };
  const goals: NodeGoal[] = [
    ...(cpuRatio !== null ? [{ goal: 'server CPU per message at saturation, 3 nodes ÷ 1 node', limit: '<= 1.5', value: cpuRatio, met: cpuRatio <= 1.5 }] : []),
    ...(by.has('nodes-3-rate') ? [{ goal: 'cross-node p99 at the fixed rate, 3 nodes (ms)', limit: '< 20', value: p99, met: p99 !== null && p99 < 20 }] : []),
  ];
  return { ...sections, cpuPerMessageRatioAtRate: ratio('nodes-3-rate', 'nodes-1-rate'), goals };
}
