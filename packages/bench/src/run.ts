#!/usr/bin/env node
/**
 * Hearth benchmark: starts a fresh server as a child process for each scenario and drives it over raw
 * WebSockets from this process. One JSON line per scenario on stdout, then a summary line; progress on stderr.
 *
 *   npm run bench [-- --scenario NAME] [--duration S] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *                    [--redis-url redis://127.0.0.1:6379]   (adds the several-node scenarios)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, round, sleep } from './log.js';
import { NODE_SCENARIOS, severalNodesSummary } from './nodes.js';
import { formatSummary, summarizeProfile } from './profile-summary.js';
import { DEFAULT_RELAY, findRelay } from './reference.js';
import { lastWindowUs, RELAY_COUNTERPARTS, relayRatios, SCENARIOS, type BenchOptions, type ScenarioResult } from './scenarios.js';
import { UPLOAD_SCENARIOS } from './uploads.js';
import { createPostgresDatabase, dataDirs, killAllServersNow, machineBusyMs, SERVER_ENV_OVERRIDES, ServerProcess } from './server-process.js';

/** Every scenario: one server, the reference relay, uploads, and several nodes (which need PostgreSQL and Redis). */
const ALL_SCENARIOS = { ...SCENARIOS, ...UPLOAD_SCENARIOS, ...NODE_SCENARIOS };

const HELP = `Usage: npm run bench -- [options]   (or: node packages/bench/dist/run.js [options])

  --scenario NAME         run one scenario (repeat or comma-separate for several): ${Object.keys(ALL_SCENARIOS).join(', ')};
                          "nodes" stands for every nodes-* scenario
  --duration SECONDS      measured window of the load scenarios (default 20)
  --warmup SECONDS        load before the window opens (default 5)
  --database-url URL      run against PostgreSQL: a fresh database is created next to URL's (loopback only)
                          for each scenario and dropped afterwards
  --redis-url URL         Redis for the nodes-* scenarios (1 to 3 nodes on one PostgreSQL database and a Redis
                          channel prefix of their own); given with --database-url, the default run adds them
  --window N              unacknowledged sends per client in pairs-saturation (default 8)
  --rate N                offered messages/s in pairs-rate (default 1000)
  --pairs N               direct pairs in the pairs scenarios (default 500, i.e. 1000 clients)
  --group-senders N       senders in group-100 (default 5)
  --group-rate N          messages/s per sender in group-100 (default 20)
  --idle-connections N    sockets in idle-connections and nodes-3-idle (default 5000; 50000 for the scale test:
                          nodes-3-idle spreads them over 16 source addresses and a client process per 15,000)
  --idle-settle SECONDS   settle time before idle-connections reads RSS (default 10)
  --text-bytes N          length of each message text (default 64)
  --uploaders N           clients uploading at once in uploads (default 20)
  --upload-mb N           size of each one's file in uploads, MiB (default 100; a first round uses a tenth)
  --server-node-args STR  extra node arguments for the server child (space-separated)
  --server-env KEY=VALUE  an extra HEARTH_* setting for the server (repeatable; inherited HEARTH_* are ignored)
  --profile DIR           run the server under --cpu-prof, write profiles to DIR and print their summary
  --quiet-below PCT       for shared machines: before each scenario wait (up to 2 min) until other processes use
                          less than PCT % of one core, and retry a scenario whose window saw more (see --attempts)
  --reference FILE        the reference relay (durable-ws-server.mjs; default: HEARTH_REFERENCE_RELAY, else
                          ../shared/reference/ beside the repository). When found, each of pairs-rate,
                          pairs-saturation and idle-connections is preceded by the relay's run of the same
                          load (relay-*), and the summary gives Hearth's cost as ratios to it (relayRatios)
  --attempts N            runs of a scenario at most when --quiet-below is given (default 3); the least
                          disturbed one is printed
  -h, --help
`;

/** A mistake in how the bench was called: reported without a stack trace, exit status 2. */
class UsageError extends Error {}

function machine() {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m) osName = `${m[1]} (kernel ${os.release()})`;
  } catch {
    // not Linux-like
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: osName,
  };
}

function parseOptions() {
  return parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      window: { type: 'string' },
      rate: { type: 'string' },
      pairs: { type: 'string' },
      'group-senders': { type: 'string' },
      'group-rate': { type: 'string' },
      'idle-connections': { type: 'string' },
      'idle-settle': { type: 'string' },
      uploaders: { type: 'string' },
      'upload-mb': { type: 'string' },
      'text-bytes': { type: 'string' },
      'server-node-args': { type: 'string' },
      'server-env': { type: 'string', multiple: true },
      profile: { type: 'string' },
      'quiet-below': { type: 'string' },
      attempts: { type: 'string' },
      reference: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
}

/**
 * Every Hearth scenario, each preceded by the reference relay's run of the same load when the relay is there
 * (side by side in one sitting, so that the ratios compare like with like on a machine whose speed drifts).
 */
function defaultScenarios(withRelay: boolean, withNodes: boolean): string[] {
  const hearth = Object.keys(SCENARIOS).filter((n) => !n.startsWith('relay-'));
  const single = hearth.flatMap((n) => (withRelay && RELAY_COUNTERPARTS[n] ? [RELAY_COUNTERPARTS[n], n] : [n]));
  const withUploads = [...single, ...Object.keys(UPLOAD_SCENARIOS)];
  return withNodes ? [...withUploads, ...Object.keys(NODE_SCENARIOS)] : withUploads;
}

/** What a run is asked to do, from the command line. */
interface RunPlan {
  names: string[];
  opts: BenchOptions;
  /** PostgreSQL next to which each scenario's database is created, or undefined for SQLite. */
  adminUrl: string | undefined;
  serverEnv: Record<string, string>;
  profileDir: string | undefined;
  quietBelow: number | undefined;
  attempts: number;
}

/** The database URL the server of the scenario being run uses (a fresh PostgreSQL database per scenario). */
let currentDatabaseUrl: string | undefined;

function positive(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${v}`);
  return n;
}

function planFrom(values: ReturnType<typeof parseOptions>['values']): RunPlan {
  const relayScript = findRelay(values.reference);
  if (values.reference !== undefined && !relayScript) throw new UsageError(`--reference ${values.reference}: no such file`);
  const withNodes = values['database-url'] !== undefined && values['redis-url'] !== undefined;
  const names = (values.scenario ?? defaultScenarios(relayScript !== undefined, withNodes))
    .flatMap((s) => s.split(','))
    .flatMap((s) => (s === 'nodes' ? Object.keys(NODE_SCENARIOS) : [s]))
    .filter(Boolean);
  for (const name of names) if (!ALL_SCENARIOS[name]) throw new UsageError(`unknown scenario ${name}; choose from ${Object.keys(ALL_SCENARIOS).join(', ')}`);
  if (!withNodes && names.some((n) => NODE_SCENARIOS[n])) throw new UsageError('the nodes-* scenarios need --database-url and --redis-url');
  if (!relayScript && names.some((n) => n.startsWith('relay-'))) throw new UsageError(`the reference relay is not at ${DEFAULT_RELAY}: pass --reference FILE`);

  const nodeArgs = (values['server-node-args'] ?? '').split(/\s+/).filter(Boolean);
  const profileDir = values.profile ? path.resolve(values.profile) : undefined;
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const extraEnv: Record<string, string> = {};
  for (const kv of values['server-env'] ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || !kv.startsWith('HEARTH_')) throw new UsageError(`--server-env takes HEARTH_NAME=VALUE, not ${kv}`);
    extraEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const textBytes = Math.max(24, Math.floor(positive(values['text-bytes'], 64, 'text-bytes')));
  const adminUrl = values['database-url'];
  const opts: BenchOptions = {
    durationS: positive(values.duration, 20, 'duration'),
    warmupS: positive(values.warmup, 5, 'warmup'),
    window: Math.floor(positive(values.window, 8, 'window')),
    pairs: Math.floor(positive(values.pairs, 500, 'pairs')),
    pairsRate: positive(values.rate, 1000, 'rate'),
    groupSize: 100,
    groupSenders: Math.floor(positive(values['group-senders'], 5, 'group-senders')),
    groupRatePerSender: positive(values['group-rate'], 20, 'group-rate'),
    idleConnections: Math.floor(positive(values['idle-connections'], 5000, 'idle-connections')),
    idleSettleS: positive(values['idle-settle'], 10, 'idle-settle'),
    uploaders: Math.floor(positive(values.uploaders, 20, 'uploaders')),
    uploadMb: positive(values['upload-mb'], 100, 'upload-mb'),
    postgres: adminUrl !== undefined,
    redisUrl: values['redis-url'],
    // The text is "<send time, 13+1+3 digits> <filler>"; the filler brings it to textBytes characters.
    textPad: 'x'.repeat(textBytes - 18),
    relayScript,
    startServer: (extra = {}) =>
      ServerProcess.start({
        nodeArgs,
        ...extra,
        extraEnv: { ...extraEnv, ...extra.extraEnv },
        ...(currentDatabaseUrl ? { databaseUrl: currentDatabaseUrl } : {}),
      }),
  };
  const quietBelow = values['quiet-below'] !== undefined ? positive(values['quiet-below'], 0, 'quiet-below') : undefined;
  const attempts = quietBelow !== undefined ? Math.floor(positive(values.attempts, 3, 'attempts')) : 1;
  return { names, opts, adminUrl, serverEnv: { ...SERVER_ENV_OVERRIDES, ...extraEnv }, profileDir, quietBelow, attempts };
}

/** Runs a scenario (again, up to `attempts` times, while the machine was too busy) and keeps its least disturbed run. */
async function leastDisturbedRun(name: string, plan: RunPlan): Promise<ScenarioResult> {
  let best: ScenarioResult | undefined;
  for (let attempt = 1; attempt <= plan.attempts; attempt++) {
    if (plan.quietBelow !== undefined) await waitQuiet(plan.quietBelow, 120_000);
    const result = await ALL_SCENARIOS[name]!(plan.opts);
    const disturbance = Number(result.otherCpuPercent ?? 0);
    if (plan.attempts > 1) result.attempt = attempt;
    if (!best || disturbance < Number(best.otherCpuPercent ?? 0)) best = result;
    if (plan.quietBelow === undefined || disturbance < plan.quietBelow) break;
    log(`other processes used ${disturbance}% of a core during the window${attempt < plan.attempts ? '; running the scenario again' : ''}`);
  }
  return best!;
}

/** One scenario on a database of its own (created and dropped around it on PostgreSQL); prints its JSON line. */
async function runScenario(name: string, plan: RunPlan): Promise<ScenarioResult> {
  log(`── scenario ${name}`);
  const profilesBefore = plan.profileDir ? new Set(fs.readdirSync(plan.profileDir)) : undefined;
  let drop: (() => Promise<void>) | undefined;
  if (plan.adminUrl) {
    const created = await createPostgresDatabase(plan.adminUrl);
    currentDatabaseUrl = created.url;
    drop = created.drop;
    dropOnExit = drop;
    log(`created PostgreSQL database ${new URL(created.url).pathname.slice(1)}`);
  }
  let result: ScenarioResult;
  try {
    result = await leastDisturbedRun(name, plan);
    process.stdout.write(`${JSON.stringify({ ...result, backend: plan.adminUrl ? 'postgres' : 'sqlite' })}\n`);
  } finally {
    if (drop) {
      await drop();
      dropOnExit = undefined;
      currentDatabaseUrl = undefined;
    }
  }
  if (plan.profileDir && profilesBefore) reportProfiles(name, plan.profileDir, profilesBefore);
  return result;
}

/** Names the server's new CPU profiles after the scenario and prints their summary. */
function reportProfiles(name: string, profileDir: string, before: Set<string>): void {
  for (const file of fs.readdirSync(profileDir)) {
    if (before.has(file) || !file.endsWith('.cpuprofile')) continue;
    const renamed = path.join(profileDir, `${name}-${file}`);
    fs.renameSync(path.join(profileDir, file), renamed);
    log(`server CPU profile of ${name}:\n${formatSummary(summarizeProfile(renamed, 30, name === 'idle-connections' ? undefined : lastWindowUs))}`);
    if (lastWindowUs) log(`measured window in the profile's clock: ${lastWindowUs.from} to ${lastWindowUs.to} µs`);
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const plan = planFrom(parsed.values);
  const mach = machine();
  log(`machine: ${mach.cpuModel}, ${mach.cores} cores, ${mach.ramGb} GB, node ${mach.node}, ${mach.os}`);
  log(`server environment overrides: ${Object.entries(plan.serverEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const started = Date.now();
  const results: ScenarioResult[] = [];
  for (const name of plan.names) results.push(await runScenario(name, plan));

  const floors = results.map((r) => ({ scenario: r.scenario, ...r.floor }));
  const correct = results.every((r) => r.lost === 0 && r.duplicates === 0);
  const severalNodes = severalNodesSummary(results);
  const allMet = floors.every((f) => f.met);
  const goalsMet = (severalNodes?.goals ?? []).every((g) => g.met);
  process.stdout.write(
    `${JSON.stringify({
      summary: true,
      backend: plan.adminUrl ? 'postgres' : 'sqlite',
      machine: mach,
      serverEnv: plan.serverEnv,
      totalS: round((Date.now() - started) / 1000, 1),
      ...(plan.quietBelow !== undefined ? { quietBelow: plan.quietBelow, attempts: plan.attempts } : {}),
      floors,
      relayRatios: relayRatios(results),
      ...(severalNodes ? { severalNodes } : {}),
      allFloorsMet: allMet,
      ...(severalNodes ? { severalNodesGoalsMet: goalsMet } : {}),
      exactlyOnce: correct,
    })}\n`,
  );
  return allMet && goalsMet && correct ? 0 : 1;
}

/** Waits until the whole machine is busy less than `pct` % of one core over 2 s, or `maxMs` passes. */
async function waitQuiet(pct: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = machineBusyMs();
    await sleep(2000);
    const busy = ((machineBusyMs() - before) / 2000) * 100;
    if (busy < pct) return;
    if (Date.now() > deadline) {
      log(`machine still busy (${busy.toFixed(0)}% of a core); going ahead`);
      return;
    }
    log(`machine busy (${busy.toFixed(0)}% of a core); waiting for it to calm down`);
  }
}

let dropOnExit: (() => Promise<void>) | undefined;
let interrupted = false;

function cleanUpSync(): void {
  killAllServersNow();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

process.on('exit', cleanUpSync);
// A closed stdout (e.g. piped into head) must not crash the run and leave the server behind.
process.stdout.on('error', () => undefined);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping the server and cleaning up`);
    cleanUpSync();
    const drop = dropOnExit;
    if (!drop) process.exit(130);
    // Give the database drop a moment; the killed server's connections are gone by then.
    setTimeout(() => process.exit(130), 5000).unref();
    drop().then(
      () => process.exit(130),
      () => process.exit(130),
    );
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Sockets or timers left behind must not keep the process alive.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${HELP}`);
      cleanUpSync();
      process.exit(2);
    }
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    cleanUpSync();
    const drop = dropOnExit;
    const exit = () => process.exit(1);
    if (drop) drop().then(exit, exit);
    else exit();
  },
);
