import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { log, sleep } from './log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** packages/ in the repository (this file runs from packages/bench/dist). */
const packagesDir = path.resolve(here, '../..');
export const SERVER_CLI = path.join(packagesDir, 'server/dist/cli.js');

/**
 * Environment the benchmark gives the server. Password hashing is made cheap (creating thousands of users
 * would otherwise take minutes) and the per-user rate limits are raised far above what the load needs, so the
 * benchmark measures the message path, not the budgets. Everything else is the default configuration.
 */
export const SERVER_ENV_OVERRIDES: Record<string, string> = {
  HEARTH_ARGON2_MEMORY_COST: '1024',
  HEARTH_ARGON2_TIME_COST: '1',
  HEARTH_RATE_SIGNUPS_PER_HOUR: '10000000',
  HEARTH_RATE_SEND_PER_SECOND: '100000',
  HEARTH_RATE_SEND_BURST: '100000',
  HEARTH_RATE_EXPENSIVE_PER_SECOND: '100000',
  HEARTH_RATE_EXPENSIVE_BURST: '100000',
  // A load generator sends far more frames per connection than a person: the per-connection frame budget too.
  HEARTH_WS_FRAMES_PER_SECOND: '1000000',
  HEARTH_WS_FRAME_BURST: '1000000',
  HEARTH_LOG_LEVEL: 'warn',
};

/** Every live server child, so the exit handlers can kill whatever is still running. */
const live = new Set<ChildProcess>();

/** Counts a child among those the exit handlers kill (the reference relay's, besides the servers). */
export function trackChild(child: ChildProcess): void {
  live.add(child);
}

export function untrackChild(child: ChildProcess): void {
  live.delete(child);
}

export function killAllServersNow(): void {
  if (live.size > 0) log(`killing ${live.size} server process(es): ${[...live].map((c) => c.pid).join(", ")}`);
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** A port on loopback that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let clockTicks: number | undefined;
function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) of a process in milliseconds, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
  const ticks = Number(rest[11]) + Number(rest[12]);
  return (ticks * 1000) / clkTck();
}

/** CPU time spent by the whole machine (all cores, busy = not idle or iowait) in milliseconds, from /proc/stat. */
export function machineBusyMs(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return (busy * 1000) / clkTck();
}

/**
 * CPU time so far (ms) of each live process whose command name (/proc/<pid>/stat's second field) is `name`, by pid:
 * `postgres` for the database server's backends, WAL writer and checkpointer (and any other database user's),
 * `redis-server` for Redis (shared with whatever else uses it).
 */
export function cpuByProcess(name: 'postgres' | 'redis-server'): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      if (stat.slice(open + 1, close) !== name) continue;
      const rest = stat.slice(close + 2).split(' ');
      byPid.set(Number(entry), ((Number(rest[11]) + Number(rest[12])) * 1000) / clkTck());
    } catch {
      // exited meanwhile
    }
  }
  return byPid;
}

/**
 * CPU (ms) those processes used since `before` (a `cpuByProcess` reading): counted per process, so that one that
 * exits meanwhile (a backend of another database user closing) takes only its own share away, never more.
 */
export function cpuMsSince(name: 'postgres' | 'redis-server', before: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of cpuByProcess(name)) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** Resident set size of a process in KiB, from /proc/<pid>/status. */
export function processRssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : NaN;
}

/** Soft and hard limit on open files of a process. */
export function openFileLimits(pid: number | 'self'): { soft: number; hard: number } {
  const text = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
  return { soft: num(m?.[1]), hard: num(m?.[2]) };
}

/**
 * Makes sure a process may open `needed` files: raises its soft limit up to the hard one with prlimit(1) when
 * that is too low. Returns the soft limit in effect afterwards.
 */
export function ensureOpenFiles(pid: number | 'self', needed: number): number {
  const limits = openFileLimits(pid);
  if (limits.soft >= needed) return limits.soft;
  const target = Math.min(limits.hard, Math.max(needed, limits.soft));
  const realPid = pid === 'self' ? process.pid : pid;
  try {
    execFileSync('prlimit', [`--pid=${realPid}`, `--nofile=${target}:${limits.hard}`], { stdio: 'ignore' });
    log(`raised the open-files soft limit of pid ${realPid} from ${limits.soft} to ${target}`);
  } catch {
    log(`could not raise the open-files soft limit of pid ${realPid} (prlimit failed); it stays ${limits.soft}`);
  }
  return openFileLimits(pid).soft;
}

/** A connection to the PostgreSQL server that --database-url names. Only used with --database-url. */
function pgClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url });
}

/** Creates a fresh database next to the one `adminUrl` names; returns its URL and a function that drops it. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const u = new URL(adminUrl);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost' && u.hostname !== '::1' && u.hostname !== '[::1]') {
    throw new Error(`--database-url must point at the loopback interface, not ${u.hostname}`);
  }
  const name = `hearth_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = pgClient(adminUrl);
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = pgClient(adminUrl);
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface ServerOptions {
  /** postgres:// URL of an existing (fresh) database; absent means SQLite in the temporary data dir. */
  databaseUrl?: string;
  /** Extra arguments for the server's node (e.g. --cpu-prof). */
  nodeArgs: string[];
  /** Open files the server must be allowed. */
  openFiles?: number;
  /** More HEARTH_* settings for the server (--server-env). */
  extraEnv?: Record<string, string>;
  /** Leave the data directory in place on stop (for a restart on the same data). */
  keepData?: boolean;
  /** Start on the data directory of a stopped server instead of a fresh one. */
  reuseDataDir?: string;
}

/** Data directories still to delete, should the run be interrupted. */
export const dataDirs = new Set<string>();

export class ServerProcess {
  private exited = false;
  private exitPromise: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    /** The server's metrics listener (the main port does not serve `/metrics`). */
    readonly metricsUrl: string,
    readonly dataDir: string,
    private readonly keepData: boolean,
  ) {
    dataDirs.add(dataDir);
    this.exitPromise = new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => {
        this.exited = true;
        live.delete(child);
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}/ws`;
  }

  static async start(options: ServerOptions): Promise<ServerProcess> {
    if (!fs.existsSync(SERVER_CLI)) throw new Error(`${SERVER_CLI} is missing: build the server first (npx tsc -b packages/server)`);
    const dataDir = options.reuseDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-'));
    const port = await freePort();
    const metricsPort = await freePort();
    const args = [...options.nodeArgs, SERVER_CLI, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir];
    args.push('--metrics-port', String(metricsPort));
    if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
    // Only what the benchmark chooses: no HEARTH_* setting is inherited from the caller's environment.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HEARTH_')));
    Object.assign(env, SERVER_ENV_OVERRIDES, options.extraEnv ?? {});
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const url = `http://127.0.0.1:${port}`;
    const forward = (stream: NodeJS.ReadableStream | null, name: string) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) process.stderr.write(`[server ${name}] ${line}\n`);
        }
      });
    };
    forward(child.stdout, 'out');
    forward(child.stderr, 'err');
    const server = new ServerProcess(child, url, `http://127.0.0.1:${metricsPort}`, dataDir, options.keepData ?? false);
    // Ready when /healthz answers (with --log-level warn the "hearth is listening" line is not printed).
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exited) throw new Error(`server exited during start-up with code ${child.exitCode}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error('server did not become healthy within 30 s');
      }
      await sleep(50);
    }
    if (options.openFiles) ensureOpenFiles(child.pid!, options.openFiles);
    log(`server pid ${child.pid} listening on ${url} (${options.databaseUrl ? 'PostgreSQL' : 'SQLite'}, data dir ${dataDir})`);
    return server;
  }

  /** SIGTERM (graceful: the server drains its write queue), SIGKILL after 15 s; then deletes the data dir. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        log('server did not stop within 15 s; killing it');
        this.child.kill('SIGKILL');
      }, 15_000);
      await this.exitPromise;
      clearTimeout(timer);
    }
    if (!this.keepData) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      dataDirs.delete(this.dataDir);
    }
  }

  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  rssKb(): number {
    return processRssKb(this.pid);
  }

  /** Reads one metric (summed over its label sets) from the server's Prometheus endpoint. */
  async metric(name: string): Promise<number | undefined> {
    const res = await fetch(`${this.metricsUrl}/metrics`);
    const text = await res.text();
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m && m[1] === name) total = (total ?? 0) + Number(m[3]);
    }
    return total;
  }
}
