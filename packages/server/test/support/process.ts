import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled `hearth` command. Child-process tests need it built (`npx tsc -b packages/server`; the root
 * `npm test` script builds before running vitest).
 */
export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

/** Fails early, with the fix, when the server has not been compiled. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build the server first (npx tsc -b packages/server)`);
}

/**
 * Settings that keep child servers fast and quiet enough for tests: cheap password hashing, budgets that a load
 * test does not hit, and logs at info (the "hearth is listening" line carries the url).
 */
export const CHILD_TEST_ENV: Record<string, string> = {
  HEARTH_LOG_LEVEL: 'info',
  HEARTH_ARGON2_MEMORY_COST: '1024',
  HEARTH_ARGON2_TIME_COST: '1',
  HEARTH_RATE_SEND_PER_SECOND: '100000',
  HEARTH_RATE_SEND_BURST: '100000',
  HEARTH_RATE_EXPENSIVE_PER_SECOND: '100000',
  HEARTH_RATE_EXPENSIVE_BURST: '100000',
  HEARTH_RATE_SIGNUPS_PER_HOUR: '100000',
  HEARTH_WS_FRAMES_PER_SECOND: '1000000',
  HEARTH_WS_FRAME_BURST: '1000000',
  HEARTH_PRESENCE_OFFLINE_GRACE_MS: '300',
  HEARTH_SHUTDOWN_GRACE_MS: '5000',
  // No page of a link is read unless a test asks (and serves the page on loopback).
  HEARTH_LINK_PREVIEWS: 'false',
};

/** The parent's environment without any HEARTH_* variable, plus `extra`: a child sees only what a test gives it. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEARTH_')) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

// Children still running when the test process exits (a failed assertion skipped their stop) are killed.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `hearth <args>` to completion. `env` is added to the parent's environment minus its HEARTH_* variables;
 * `input` is written to stdin (stdin is closed either way, so nothing waits for a terminal).
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  requireBuiltCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hearth ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('error', (err) => (clearTimeout(timer), reject(err)));
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:port`, from the "hearth is listening" log line. */
  readonly url: string;
  readonly wsUrl: string;
  /** Every JSON log line written so far. */
  readonly logs: Array<Record<string, any>>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited; the time is `performance.now()` at the exit. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends a signal (SIGKILL: crash; SIGTERM: graceful stop) and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export interface SpawnServerOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Extra environment, on top of CHILD_TEST_ENV. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/**
 * Starts `hearth serve` as a child process on 127.0.0.1 with an ephemeral port, and resolves once it listens
 * and /healthz answers 200. Rejects with its output if it exits or stays silent.
 */
export async function spawnServer(options: SpawnServerOptions): Promise<ServerProcess> {
  requireBuiltCli();
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', options.dataDir];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: childEnv({ ...CHILD_TEST_ENV, ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const logs: Array<Record<string, any>> = [];
  let stderr = '';
  let partial = '';
  let onListening: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (onListening = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      let entry: Record<string, any>;
      try {
        entry = JSON.parse(line) as Record<string, any>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.msg === 'hearth is listening' && typeof entry.url === 'string') onListening(entry.url);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // The time is taken at 'exit', but the promise settles at 'close', once stdout and stderr are drained: a last
  // log line written just before exiting may still be in the pipe when 'exit' fires.
  let exitedAt = 0;
  child.once('exit', () => (exitedAt = performance.now()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, at: exitedAt || performance.now() })),
  );

  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    listening,
    exited.then(({ code, signal }) => {
      throw new Error(`hearth serve exited (${code ?? signal}) before listening\n${stderr}\n${JSON.stringify(logs)}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`hearth serve did not listen within ${timeoutMs} ms\n${stderr}\n${JSON.stringify(logs)}`));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  await waitHealthy(url);

  return {
    child,
    pid: child.pid!,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    logs,
    stderr: () => stderr,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls /healthz until it answers 200. */
export async function waitHealthy(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(new URL('/healthz', url));
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
