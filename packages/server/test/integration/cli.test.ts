import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, type BackendName } from '../support/backends.js';
import { CLI_PATH, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { RawSocket, call } from '../support/raw.js';
import { createPostgresDatabase, tempDataDir } from '../support/server.js';

// The `hearth` command as an operator runs it: the compiled cli.js in a child process, with its exit status,
// stdout and stderr. Password hashing is made cheap through the environment so the suite stays fast.
const CHEAP = { HEARTH_ARGON2_MEMORY_COST: '1024', HEARTH_ARGON2_TIME_COST: '1' };

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

function scratchDir(): string {
  const dir = tempDataDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh, empty place for data on the backend; returns the flags that select it. */
async function freshStore(backend: BackendName): Promise<{ args: string[]; dataDir: string; databaseUrl?: string }> {
  const dataDir = scratchDir();
  if (backend === 'sqlite') return { args: ['--data-dir', dataDir], dataDir };
  const pg = await createPostgresDatabase();
  cleanups.push(() => pg.drop());
  return { args: ['--data-dir', dataDir, '--database-url', pg.url], dataDir, databaseUrl: pg.url };
}

let userCounter = 0;
function username(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${(userCounter++).toString(36)}`;
}

// The tests of a block are independent (each has its own data or its own users) and mostly wait on child
// processes, so they run concurrently.
describe.concurrent('hearth command', () => {
  beforeAll(() => {
    expect(fs.existsSync(CLI_PATH), 'build the server first: npx tsc -b packages/server').toBe(true);
  });

  test('hearth --help prints the usage and exits with status 0', async () => {
    const res = await runCli(['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^hearth \d+\.\d+\.\d+/);
    for (const word of ['hearth serve', 'hearth migrate', 'hearth user create', 'hearth user reset-password', 'hearth user list', 'HEARTH_PORT']) {
      expect(res.stdout).toContain(word);
    }
  });

  test('hearth --version prints the package version', async () => {
    const version = (JSON.parse(fs.readFileSync(path.resolve(path.dirname(CLI_PATH), '../package.json'), 'utf8')) as { version: string }).version;
    const res = await runCli(['--version']);
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe(version);
  });

  test.each([
    { name: 'HEARTH_PORT=abc', args: [], env: { HEARTH_PORT: 'abc' }, names: ['port', 'HEARTH_PORT'] },
    { name: '--port 70000', args: ['--port', '70000'], env: {}, names: ['port'] },
    { name: 'HEARTH_DATABASE_URL=mysql://x', args: [], env: { HEARTH_DATABASE_URL: 'mysql://x' }, names: ['databaseUrl', 'HEARTH_DATABASE_URL'] },
    { name: '--log-level loud', args: ['--log-level', 'loud'], env: {}, names: ['logLevel'] },
  ])('hearth serve with $name exits with status 2 and names the bad setting', async ({ args, env, names }) => {
    const dataDir = scratchDir();
    const res = await runCli(['serve', '--data-dir', dataDir, ...args], { env });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('invalid configuration');
    for (const n of names) expect(res.stderr).toContain(n);
    // It stopped before opening anything.
    expect(fs.existsSync(path.join(dataDir, 'hearth.db'))).toBe(false);
  });

  test('an unknown command or option exits with status 2 and points at --help', async () => {
    for (const res of await Promise.all([runCli(['frobnicate']), runCli(['serve', '--nope'])])) {
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('hearth --help');
    }
  });

  test('hearth serve with a Redis that cannot be reached exits with status 1 and says where it tried, without the password', async () => {
    const res = await runCli(['serve', '--port', '0', '--data-dir', scratchDir(), '--redis-url', 'redis://:secret@127.0.0.1:1']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('could not connect to Redis at redis://:***@127.0.0.1:1');
    expect(res.stderr).not.toContain('secret');
  });

  test('hearth migrate on a fresh data dir creates hearth.db and says it is up to date', async () => {
    const dataDir = path.join(scratchDir(), 'nested', 'data');
    const res = await runCli(['migrate', '--data-dir', dataDir]);
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(`database at ${path.join(dataDir, 'hearth.db')} is up to date\n`);
    expect(fs.statSync(path.join(dataDir, 'hearth.db')).size).toBeGreaterThan(0);
  });

  test('the default data dir is ./hearth-data relative to the working directory', async () => {
    const cwd = scratchDir();
    const res = await runCli(['migrate'], { cwd });
    expect(res.status).toBe(0);
    const expected = path.join(fs.realpathSync(cwd), 'hearth-data', 'hearth.db');
    expect(fs.existsSync(expected)).toBe(true);
    expect(fs.realpathSync(res.stdout.match(/database at (\S+) is up to date/)![1]!)).toBe(expected);
  });

  test('HEARTH_DATA_DIR sets the data dir and a relative one resolves against the working directory', async () => {
    const cwd = scratchDir();
    const res = await runCli(['migrate'], { cwd, env: { HEARTH_DATA_DIR: 'from-env' } });
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'from-env', 'hearth.db'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'hearth-data'))).toBe(false);
  });

  test('flags override environment variables', async () => {
    const cwd = scratchDir();
    const res = await runCli(['migrate', '--data-dir', 'from-flag', '--log-level', 'silent'], {
      cwd,
      // An invalid value in the environment does not matter when a flag replaces it.
      env: { HEARTH_DATA_DIR: 'from-env', HEARTH_LOG_LEVEL: 'loud' },
    });
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'from-flag', 'hearth.db'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'from-env'))).toBe(false);
  });

  test('hearth user create with an invalid or missing username exits with status 2 and creates nothing', async () => {
    const dataDir = scratchDir();
    const attempts = await Promise.all(
      [['--username', 'x'], ['--username', 'has space'], []].map((flags) =>
        runCli(['user', 'create', '--data-dir', dataDir, ...flags, '--password', 'long enough pw'], { env: CHEAP }),
      ),
    );
    for (const res of attempts) {
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('--username');
    }
    expect(attempts[0]!.stderr).toContain('username must be 3-32 characters');
    expect(fs.existsSync(path.join(dataDir, 'hearth.db'))).toBe(false);
  });

  test('hearth user create with a password that is too short exits with status 2', async () => {
    const dataDir = scratchDir();
    const res = await runCli(['user', 'create', '--data-dir', dataDir, '--username', 'shorty', '--password', 'short'], { env: CHEAP });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('at least 8 characters');
  });
});

describe.concurrent.each(BACKENDS)('hearth user (%s)', (backend) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let server: ServerProcess;
  let migrated: Awaited<ReturnType<typeof runCli>>;
  const created: Array<Awaited<ReturnType<typeof runCli>>> = [];
  const cli = (args: string[], input?: string) => runCli([...args, ...store.args], { env: CHEAP, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    store = await freshStore(backend);
    migrated = await runCli(['migrate', ...store.args]);
    expect(migrated.status, migrated.stderr).toBe(0);
    // The first accounts, in order, before anything else touches this database.
    created.push(await cli(['user', 'create', '--username', 'first', '--password', 'first password']));
    created.push(await cli(['user', 'create', '--username', 'second', '--password', 'second password']));
    created.push(await cli(['user', 'create', '--username', 'Third', '--display-name', 'The Third', '--password', 'third password', '--admin']));
    // A short heartbeat: the server notices sessions ended by another process once a heartbeat.
    server = await spawnServer({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, env: { HEARTH_HEARTBEAT_MS: '1000' } });
  });
  afterAll(async () => {
    await server?.kill('SIGTERM');
  });

  test('hearth migrate on an empty database says it is up to date, and a server starts on it', () => {
    expect(migrated.stdout).toContain('up to date');
    if (backend === 'postgres') expect(migrated.stdout).toContain('postgres://');
    else expect(migrated.stdout).toContain(path.join(store.dataDir, 'hearth.db'));
    // The server found the schema in place: it applied no migration of its own.
    expect(server.logs.some((l) => l.msg === 'database migrated')).toBe(false);
  });

  test('hearth user create --admin then hearth user list --json shows it; the first user is admin too', async () => {
    expect(created.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(created[0]!.stdout).toMatch(/^created first \([0-9a-f-]{36}\) as administrator\n$/);
    expect(created[1]!.stdout).toMatch(/^created second \([0-9a-f-]{36}\)\n$/);
    expect(created[2]!.stdout).toMatch(/^created third \([0-9a-f-]{36}\) as administrator\n$/);
    const list = await cli(['user', 'list', '--json']);
    expect(list.status).toBe(0);
    const users = (JSON.parse(list.stdout) as Array<{ id: string; username: string; displayName: string; isAdmin: boolean; createdAt: number }>).filter((u) =>
      ['first', 'second', 'third'].includes(u.username),
    );
    expect(users.map((u) => [u.username, u.displayName, u.isAdmin])).toEqual([
      ['first', 'first', true],
      ['second', 'second', false],
      ['third', 'The Third', true],
    ]);
    expect(users.every((u) => typeof u.createdAt === 'number')).toBe(true);
    // The accounts are real: the administrator signs in with the password given.
    const signIn = await call(server.url, 'signIn', { body: { username: 'third', password: 'third password' } });
    expect(signIn.status).toBe(200);
    expect(signIn.body.me).toMatchObject({ id: users[2]!.id, displayName: 'The Third', isAdmin: true });
  });

  test('hearth user create with a taken username exits with status 2 and says so', async () => {
    const again = await cli(['user', 'create', '--username', 'SECOND', '--password', 'another password']);
    expect(again.status, again.stderr).toBe(2);
    expect(again.stderr).toContain('the username second is taken');
    expect(again.stderr).not.toContain('    at ');
    expect((await call(server.url, 'signIn', { body: { username: 'second', password: 'second password' } })).status).toBe(200);
  });

  test('a password given on stdin with --password-stdin works', async () => {
    const name = username('stdin');
    const res = await cli(['user', 'create', '--username', name, '--password-stdin'], 'piped password 42\n');
    expect(res.status, res.stderr).toBe(0);
    // The trailing newline is not part of the password.
    expect((await call(server.url, 'signIn', { body: { username: name, password: 'piped password 42' } })).status).toBe(200);
    expect((await call(server.url, 'signIn', { body: { username: name, password: 'piped password 42\n' } })).status).toBe(401);
  });

  test('hearth user reset-password lets the user sign in with the new password and revokes old tokens', async () => {
    const name = username('reset');
    expect((await cli(['user', 'create', '--username', name, '--password', 'old password 1'])).status).toBe(0);
    const before = await call(server.url, 'signIn', { body: { username: name, password: 'old password 1' } });
    expect(before.status).toBe(200);
    const token = before.body.token as string;
    expect((await call(server.url, 'getMe', { token })).status).toBe(200);
    const socket = await RawSocket.connect(server.url.replace(/^http/, 'ws') + '/ws', token);

    const reset = await cli(['user', 'reset-password', '--username', name, '--password', 'new password 2']);
    expect(reset.status, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`password of ${name} reset`);

    const old = await call(server.url, 'getMe', { token });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('UNAUTHENTICATED');
    // The socket open on the running server is closed as revoked, although the reset ran in another process.
    expect((await socket.closed).code).toBe(4003);
    expect(socket.ofType('session.revoked')).toHaveLength(1);
    expect((await call(server.url, 'signIn', { body: { username: name, password: 'old password 1' } })).status).toBe(401);
    const after = await call(server.url, 'signIn', { body: { username: name, password: 'new password 2' } });
    expect(after.status).toBe(200);
    expect((await call(server.url, 'getMe', { token: after.body.token })).body.username).toBe(name);
  });

  test('hearth user reset-password for an unknown user exits with status 2', async () => {
    const res = await cli(['user', 'reset-password', '--username', 'nobody-here', '--password', 'whatever pw']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('no user named nobody-here');
  });
});
