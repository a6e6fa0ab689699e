import { BenchClient, connectAll, createConversation, createUsers, mapLimit, type BenchUser } from './clients.js';
import { log, nowEpochMs, round, sleep } from './log.js';
import { RelayProcess, relayPairs } from './reference.js';
import { cpuByProcess, cpuMsSince, ensureOpenFiles, machineBusyMs, ServerProcess, type ServerOptions } from './server-process.js';
import { Samples } from './stats.js';
import { Tracker } from './tracker.js';

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  /** In-flight window per sender in pairs-saturation. */
  window: number;
  pairs: number;
  pairsRate: number;
  groupSize: number;
  groupSenders: number;
  groupRatePerSender: number;
  idleConnections: number;
  idleSettleS: number;
  /** Clients and the size of each one's file in `uploads`. */
  uploaders: number;
  uploadMb: number;
  /** The server runs on PostgreSQL (its processes' CPU is reported apart). */
  postgres: boolean;
  /** Redis that the several-node scenarios' nodes share (--redis-url); undefined: those scenarios cannot run. */
  redisUrl: string | undefined;
  /** Characters of filler after the timestamp in each message text. */
  textPad: string;
  /** Starts a fresh server (with a fresh database); `reuseDataDir` restarts on the data of a stopped one. */
  startServer(extra?: Partial<ServerOptions> & { reuseDataDir?: string }): Promise<ServerProcess>;
  /** The reference relay's script, when it was found (the relay-* scenarios need it). */
  relayScript: string | undefined;
}

/** What a window measures the CPU and memory of: a Hearth server, several nodes together, or the reference relay. */
export interface Measured {
  cpuMs(): number;
  rssKb(): number;
  /** Nodes that share events through Redis: its CPU is reported apart too. */
  readonly usesRedis?: boolean;
}

/** A client the load loops drive: a Hearth client or a relay client. */
interface LoadClient {
  send(textPad: string): void;
  onAck: (() => void) | undefined;
  close(): void;
}

export interface Floor {
  metric: string;
  limit: string;
  value: number | null;
  met: boolean;
}

export type ScenarioResult = Record<string, unknown> & { scenario: string; floor: Floor; lost: number; duplicates: number };

/** The last measured window in CLOCK_MONOTONIC microseconds, to cut a server CPU profile down to it. */
export let lastWindowUs: { from: number; to: number } | undefined;

interface WindowMeasure {
  durationS: number;
  serverCpuMs: number;
  benchCpuMs: number;
  serverRssKb: number;
  /** CPU of PostgreSQL's processes, when the run uses PostgreSQL. */
  postgresCpuMs: number | null;
  /** CPU of the redis-server processes, when the server uses Redis (shared with anyone else using it). */
  redisCpuMs: number | null;
  /** CPU used by everything else on the machine during the window (other processes perturb the figures). */
  otherCpuMs: number;
}

/**
 * Starts the load, waits out the warm-up, measures server CPU and bench CPU over the window, stops the load,
 * then waits for every answer and delivery to arrive.
 */
export async function measuredRun(server: Measured, tracker: Tracker, opts: BenchOptions, start: () => void, stop: () => void): Promise<WindowMeasure> {
  const windowStart = nowEpochMs() + opts.warmupS * 1000;
  const windowEnd = windowStart + opts.durationS * 1000;
  tracker.setWindow(windowStart, windowEnd);
  start();
  await sleep(windowStart - nowEpochMs());
  const t0 = nowEpochMs();
  const mono0 = Number(process.hrtime.bigint() / 1000n);
  const cpu0 = server.cpuMs();
  const bench0 = process.cpuUsage();
  const machine0 = machineBusyMs();
  const pg0 = opts.postgres ? cpuByProcess('postgres') : undefined;
  const redis0 = server.usesRedis ? cpuByProcess('redis-server') : undefined;
  log(`warm-up over; measuring for ${opts.durationS} s`);
  await sleep(windowEnd - nowEpochMs());
  const t1 = nowEpochMs();
  lastWindowUs = { from: mono0, to: Number(process.hrtime.bigint() / 1000n) };
  const cpu1 = server.cpuMs();
  const bench1 = process.cpuUsage(bench0);
  const machine1 = machineBusyMs();
  const pgMs = pg0 ? cpuMsSince('postgres', pg0) : null;
  const redisMs = redis0 ? cpuMsSince('redis-server', redis0) : null;
  const serverRssKb = server.rssKb();
  stop();
  log('window over; draining');
  await tracker.drain();
  const serverCpuMs = cpu1 - cpu0;
  const benchCpuMs = (bench1.user + bench1.system) / 1000;
  const otherCpuMs = Math.max(0, machine1 - machine0 - serverCpuMs - benchCpuMs - (pgMs ?? 0) - (redisMs ?? 0));
  return { durationS: (t1 - t0) / 1000, serverCpuMs, benchCpuMs, serverRssKb, otherCpuMs, postgresCpuMs: pgMs, redisCpuMs: redisMs };
}

function deliveryFigures(tracker: Tracker, m: WindowMeasure, durationS: number) {
  const verdict = tracker.verify();
  const delivered = tracker.deliveredInWindow;
  return {
    durationS,
    measuredS: round(m.durationS, 3),
    sent: tracker.sentInWindow,
    acked: tracker.ackedInWindow,
    delivered,
    deliveredPerSec: round(delivered / m.durationS, 1),
    latencyMs: tracker.latency.percentiles([50, 90, 99, 100]),
    ackLatencyMs: tracker.ackLatency.percentiles([50, 99]),
    serverCpuMsPer1000: delivered > 0 ? round((m.serverCpuMs / delivered) * 1000, 1) : null,
    serverCpuPercent: round((m.serverCpuMs / (m.durationS * 1000)) * 100, 1),
    serverRssMb: round(m.serverRssKb / 1024, 1),
    benchCpuPercent: round((m.benchCpuMs / (m.durationS * 1000)) * 100, 1),
    ...(m.postgresCpuMs !== null ? { postgresCpuPercent: round((m.postgresCpuMs / (m.durationS * 1000)) * 100, 1) } : {}),
    ...(m.redisCpuMs !== null ? { redisCpuPercent: round((m.redisCpuMs / (m.durationS * 1000)) * 100, 1) } : {}),
    otherCpuPercent: round((m.otherCpuMs / (m.durationS * 1000)) * 100, 1),
    lost: verdict.lost,
    duplicates: verdict.duplicates,
    deliveredUnacked: verdict.deliveredUnacked,
    unanswered: verdict.unanswered,
    echoes: { received: tracker.echoes, duplicates: tracker.duplicateEchoes },
    unknown: tracker.unknown,
    errors: tracker.errors,
    disconnects: tracker.disconnects,
    run: { sent: tracker.totalSent, acked: tracker.totalAcked, failed: tracker.totalFailed, delivered: tracker.totalDelivered },
  };
}

/** 2 × pairs users, each pair in a direct conversation, every socket connected. */
async function setUpPairs(server: ServerProcess, tracker: Tracker, pairs: number): Promise<BenchClient[]> {
  const users = await createUsers(server.url, pairs * 2);
  const started = performance.now();
  // Opened from both ends: before its first message a direct conversation is only theirs who opened it
  // (PROTOCOL.md §5.16), and the second person's first sends would be refused.
  const convIds = await mapLimit(Array.from({ length: pairs }, (_, p) => p), 32, async (p) => {
    const id = await createConversation(server.url, users[2 * p]!, { kind: 'direct', userId: users[2 * p + 1]!.userId });
    await createConversation(server.url, users[2 * p + 1]!, { kind: 'direct', userId: users[2 * p]!.userId });
    return id;
  });
  log(`created ${pairs} direct conversations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const clients = users.map((u) => new BenchClient(u, tracker));
  clients.forEach((c, i) => (c.seat = { conversationId: convIds[Math.floor(i / 2)]!, slot: i % 2, size: 2 }));
  ensureOpenFiles('self', clients.length + 256);
  await connectAll(clients, server.wsUrl);
  return clients;
}

/**
 * Starts a server (or the relay), sets up `opts.pairs` pairs on it with `setUp`, runs one scenario on them, and
 * stops it whatever happens.
 */
async function withPairs<T extends { stop(): Promise<void> }>(
  starting: Promise<T>,
  opts: BenchOptions,
  setUp: (target: T, tracker: Tracker, pairs: number) => Promise<LoadClient[]>,
  run: (target: T, tracker: Tracker, clients: LoadClient[]) => Promise<ScenarioResult>,
): Promise<ScenarioResult> {
  const target = await starting;
  try {
    const tracker = new Tracker();
    return await run(target, tracker, await setUp(target, tracker, opts.pairs));
  } finally {
    await target.stop();
  }
}

/**
 * Fires sends on a fixed schedule (open loop: it never waits for answers). The `m`-th send is due at
 * start + m / rate and comes from `senders[m % senders.length]`; lateness against that schedule is reported.
 */
function openLoop(senders: LoadClient[], rate: number, pad: string, lag: Samples) {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let m = 0;
  let t0 = 0;
  const interval = 1000 / rate;
  const tick = () => {
    if (!running) return;
    const now = performance.now();
    while (t0 + m * interval <= now) {
      lag.add(now - (t0 + m * interval));
      senders[m % senders.length]!.send(pad);
      m++;
    }
    timer = setTimeout(tick, 1);
  };
  return {
    start: () => {
      running = true;
      t0 = performance.now();
      tick();
    },
    stop: () => {
      running = false;
      if (timer) clearTimeout(timer);
    },
  };
}

export async function closeAll(clients: LoadClient[]): Promise<void> {
  for (const c of clients) c.close();
  await sleep(200);
}

export async function pairsRate(opts: BenchOptions): Promise<ScenarioResult> {
  return withPairs(opts.startServer(), opts, setUpPairs, (target, tracker, clients) => ratePairs('pairs-rate', target, tracker, clients, opts));
}

export async function pairsSaturation(opts: BenchOptions): Promise<ScenarioResult> {
  return withPairs(opts.startServer(), opts, setUpPairs, (target, tracker, clients) => saturatePairs('pairs-saturation', target, tracker, clients, opts));
}

/** The reference relay under pairs-rate's load: the floor of its CPU per message. */
export async function relayPairsRate(opts: BenchOptions): Promise<ScenarioResult> {
  return withPairs(RelayProcess.start(needRelay(opts)), opts, relayPairs, (target, tracker, clients) => ratePairs('relay-pairs-rate', target, tracker, clients, opts));
}

/** The reference relay under pairs-saturation's load: the ceiling of throughput. */
export async function relayPairsSaturation(opts: BenchOptions): Promise<ScenarioResult> {
  return withPairs(RelayProcess.start(needRelay(opts)), opts, relayPairs, (target, tracker, clients) => saturatePairs('relay-pairs-saturation', target, tracker, clients, opts));
}

function needRelay(opts: BenchOptions): string {
  if (!opts.relayScript) throw new Error('the reference relay was not found: pass --reference FILE');
  return opts.relayScript;
}

/** Pairs sending on a fixed schedule (open loop), opts.pairsRate messages/s in all. */
export async function ratePairs(name: string, server: Measured, tracker: Tracker, clients: LoadClient[], opts: BenchOptions): Promise<ScenarioResult> {
  const lag = new Samples();
  const load = openLoop(clients, opts.pairsRate, opts.textPad, lag);
  log(`${name}: ${clients.length} clients, ${opts.pairsRate} messages/s offered (open loop), ${opts.warmupS} s warm-up`);
  const m = await measuredRun(server, tracker, opts, load.start, load.stop);
  const figures = deliveryFigures(tracker, m, opts.durationS);
  await closeAll(clients);
  const p99 = figures.latencyMs.p99 ?? null;
  return {
    scenario: name,
    clients: clients.length,
    offeredRate: opts.pairsRate,
    ...figures,
    scheduleLagMs: lag.percentiles([50, 99, 100]),
    floor: { metric: 'latencyMs.p99', limit: '< 20', value: p99, met: p99 !== null && p99 < 20 },
  };
}

/** Pairs each keeping opts.window sends unacknowledged (closed loop): as fast as the server goes. */
export async function saturatePairs(name: string, server: Measured, tracker: Tracker, clients: LoadClient[], opts: BenchOptions): Promise<ScenarioResult> {
  let running = false;
  for (const c of clients) c.onAck = () => running && c.send(opts.textPad);
  log(`${name}: ${clients.length} clients, window of ${opts.window} unacknowledged sends each, ${opts.warmupS} s warm-up`);
  const m = await measuredRun(
    server,
    tracker,
    opts,
    () => {
      running = true;
      for (let k = 0; k < opts.window; k++) for (const c of clients) c.send(opts.textPad);
    },
    () => (running = false),
  );
  const figures = deliveryFigures(tracker, m, opts.durationS);
  await closeAll(clients);
  return {
    scenario: name,
    clients: clients.length,
    offeredRate: null,
    window: opts.window,
    ...figures,
    floor: { metric: 'deliveredPerSec', limit: '>= 5000', value: figures.deliveredPerSec, met: figures.deliveredPerSec >= 5000 },
  };
}

export async function group100(opts: BenchOptions): Promise<ScenarioResult> {
  const server = await opts.startServer();
  try {
    const tracker = new Tracker();
    const users = await createUsers(server.url, opts.groupSize);
    const conversationId = await createConversation(server.url, users[0]!, {
      kind: 'group',
      title: 'bench group',
      memberIds: users.slice(1).map((u) => u.userId),
    });
    const clients = users.map((u) => new BenchClient(u, tracker));
    clients.forEach((c, i) => (c.seat = { conversationId, slot: i, size: users.length }));
    await connectAll(clients, server.wsUrl);
    const senders = clients.slice(0, opts.groupSenders);
    const rate = opts.groupSenders * opts.groupRatePerSender;
    const lag = new Samples();
    const load = openLoop(senders, rate, opts.textPad, lag);
    log(`group-${opts.groupSize}: ${senders.length} senders × ${opts.groupRatePerSender} messages/s, ${opts.warmupS} s warm-up`);
    const m = await measuredRun(server, tracker, opts, load.start, load.stop);
    const figures = deliveryFigures(tracker, m, opts.durationS);
    await closeAll(clients);
    const p99 = figures.latencyMs.p99 ?? null;
    return {
      scenario: `group-${opts.groupSize}`,
      clients: clients.length,
      senders: senders.length,
      offeredRate: rate,
      offeredDeliveriesPerSec: rate * (opts.groupSize - 1),
      ...figures,
      scheduleLagMs: lag.percentiles([50, 99, 100]),
      // No floor was set for this scenario; the pairs-rate latency bound is reported for comparison.
      floor: { metric: 'none (reported: latencyMs.p99 against 20 ms)', limit: 'n/a', value: p99, met: true },
    };
  } finally {
    await server.stop();
  }
}

/** Median of three readings, a second apart. */
export async function steadyReading(read: () => Promise<number> | number): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(1000);
    values.push(await read());
  }
  return values.sort((a, b) => a - b)[1]!;
}

export async function idleConnections(opts: BenchOptions): Promise<ScenarioResult> {
  const requested = opts.idleConnections;
  // The bench holds one socket per connection; leave room for everything else.
  const selfLimit = ensureOpenFiles('self', requested + 256);
  let n = Math.min(requested, selfLimit - 256);
  // Users are created on a first server, which is then restarted on the same data: the baseline is a fresh
  // process, not one still holding the garbage of thousands of sign-ups.
  let users: BenchUser[];
  let dataDir: string;
  {
    const setup = await opts.startServer({ keepData: true });
    try {
      users = await createUsers(setup.url, n);
    } finally {
      await setup.stop();
    }
    dataDir = setup.dataDir;
  }
  const server = await opts.startServer({ reuseDataDir: dataDir, openFiles: n + 256 });
  try {
    const serverLimit = ensureOpenFiles(server.pid, n + 256);
    if (serverLimit - 256 < n) n = serverLimit - 256;
    if (n < requested) log(`idle-connections: open-files limits allow only ${n} of the ${requested} connections requested`);
    await sleep(2000);
    // V8 heap in use, from /metrics (its name depends on the server's metric prefix).
    const heapUsed = async () =>
      (await server.metric('hearth_nodejs_heap_size_used_bytes')) ?? (await server.metric('hearth_process_nodejs_heap_size_used_bytes'));
    const rssBefore = await steadyReading(() => server.rssKb());
    const heapBefore = await heapUsed();
    const clients = users.slice(0, n).map((u) => new BenchClient(u, undefined));
    await connectAll(clients, server.wsUrl);
    const connected = await server.metric('hearth_connections');
    log(`idle-connections: ${n} sockets open (server counts ${connected}); settling ${opts.idleSettleS} s`);
    const settled = await settle(server, opts.idleSettleS, heapUsed);
    const disconnects = clients.filter((c) => c.closedUnexpectedly).length;
    await closeAll(clients);
    return {
      scenario: 'idle-connections',
      clients: n,
      requestedConnections: requested,
      serverConnectionsGauge: connected ?? null,
      durationS: opts.idleSettleS,
      offeredRate: null,
      sent: 0,
      acked: 0,
      delivered: 0,
      deliveredPerSec: 0,
      latencyMs: null,
      ackLatencyMs: null,
      serverCpuMsPer1000: null,
      serverRssMb: round(settled.rssAfter / 1024, 1),
      ...idleFigures({ connections: n, rssBefore, heapBefore, ...settled, disconnects }),
    };
  } finally {
    await server.stop();
  }
}

/** Lets idle sockets settle for `seconds`; the server's CPU meanwhile, then its RSS and heap. */
export async function settle(server: Measured, seconds: number, heapUsed: () => Promise<number | undefined>) {
  const cpu0 = server.cpuMs();
  const t0 = nowEpochMs();
  await sleep(seconds * 1000);
  const idleCpuMs = server.cpuMs() - cpu0;
  const idleMs = nowEpochMs() - t0;
  return { idleCpuMs, idleMs, rssAfter: await steadyReading(() => server.rssKb()), heapAfter: await heapUsed() };
}

/** What idle sockets cost the server (RSS in KiB, heap in bytes, summed over its processes), with the memory floor. */
export function idleFigures(m: {
  connections: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number | undefined;
  heapAfter: number | undefined;
  idleCpuMs: number;
  idleMs: number;
  disconnects: number;
}) {
  const perConnKb = round((m.rssAfter - m.rssBefore) / m.connections, 2);
  return {
    idleServerCpuPercent: round((m.idleCpuMs / m.idleMs) * 100, 2),
    rssBeforeMb: round(m.rssBefore / 1024, 1),
    rssAfterMb: round(m.rssAfter / 1024, 1),
    rssPerConnectionKb: perConnKb,
    heapPerConnectionKb: m.heapBefore !== undefined && m.heapAfter !== undefined ? round((m.heapAfter - m.heapBefore) / 1024 / m.connections, 2) : null,
    lost: 0,
    duplicates: 0,
    disconnects: m.disconnects,
    floor: { metric: 'rssPerConnectionKb', limit: '< 30', value: perConnKb, met: perConnKb < 30 && m.disconnects === 0 },
  };
}

/** The reference relay holding idle sockets: the floor of memory per connection. */
export async function relayIdleConnections(opts: BenchOptions): Promise<ScenarioResult> {
  const selfLimit = ensureOpenFiles('self', opts.idleConnections + 256);
  const n = Math.min(opts.idleConnections, selfLimit - 256);
  const relay = await RelayProcess.start(needRelay(opts));
  try {
    ensureOpenFiles(relay.pid, n + 256);
    await sleep(2000);
    const rssBefore = await steadyReading(() => relay.rssKb());
    const clients = await relayPairs(relay, undefined, Math.floor(n / 2));
    log(`relay-idle-connections: ${clients.length} sockets open; settling ${opts.idleSettleS} s`);
    await sleep(opts.idleSettleS * 1000);
    const rssAfter = await steadyReading(() => relay.rssKb());
    const disconnects = clients.filter((c) => c.closedUnexpectedly).length;
    await closeAll(clients);
    const perConnKb = round((rssAfter - rssBefore) / clients.length, 2);
    return {
      scenario: 'relay-idle-connections',
      clients: clients.length,
      durationS: opts.idleSettleS,
      rssBeforeMb: round(rssBefore / 1024, 1),
      rssAfterMb: round(rssAfter / 1024, 1),
      rssPerConnectionKb: perConnKb,
      lost: 0,
      duplicates: 0,
      disconnects,
      floor: { metric: 'rssPerConnectionKb', limit: '< 30', value: perConnKb, met: perConnKb < 30 && disconnects === 0 },
    };
  } finally {
    await relay.stop();
  }
}

/** Each Hearth scenario that the reference relay also runs, with the relay's: the ratios compare them. */
export const RELAY_COUNTERPARTS: Record<string, string> = {
  'pairs-rate': 'relay-pairs-rate',
  'pairs-saturation': 'relay-pairs-saturation',
  'idle-connections': 'relay-idle-connections',
};

/**
 * Hearth's cost as a ratio to the reference relay's under the same load, for the scenarios of this run that both
 * ran (CPU and memory: Hearth ÷ relay, lower is better; throughput: Hearth ÷ relay, higher is better).
 */
export function relayRatios(results: ScenarioResult[]): Record<string, number | null> {
  const by = new Map(results.map((r) => [r.scenario, r]));
  const ratio = (name: string, field: string): number | null => {
    const hearth = Number(by.get(name)?.[field]);
    const relay = Number(by.get(RELAY_COUNTERPARTS[name]!)?.[field]);
    return Number.isFinite(hearth) && Number.isFinite(relay) && relay > 0 ? round(hearth / relay, 2) : null;
  };
  const out: Record<string, number | null> = {
    cpuPer1000AtRate: ratio('pairs-rate', 'serverCpuMsPer1000'),
    saturationThroughput: ratio('pairs-saturation', 'deliveredPerSec'),
    cpuPer1000AtSaturation: ratio('pairs-saturation', 'serverCpuMsPer1000'),
    memoryPerIdleConnection: ratio('idle-connections', 'rssPerConnectionKb'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null));
}

export const SCENARIOS: Record<string, (opts: BenchOptions) => Promise<ScenarioResult>> = {
  'pairs-rate': pairsRate,
  'pairs-saturation': pairsSaturation,
  'group-100': group100,
  'idle-connections': idleConnections,
  'relay-pairs-rate': relayPairsRate,
  'relay-pairs-saturation': relayPairsSaturation,
  'relay-idle-connections': relayIdleConnections,
};
