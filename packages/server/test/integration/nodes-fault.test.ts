import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { group, users, type Account } from '../support/fixtures.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call, RawSocket } from '../support/raw.js';
import { uniqueRedisPrefix } from '../support/redis.js';
import { is, type Frame } from '../support/scenario.js';
import { createPostgresDatabase, tempDataDir, type TestServer } from '../support/server.js';

/*
 * Three `hearth serve` processes on one PostgreSQL database and a Redis of this test's own (it is stopped and
 * restarted here, which must not disturb other tests sharing the machine's Redis): a node killed with SIGKILL, and
 * Redis restarted empty, in the middle of a load of sends.
 */

const REQUIRE_SERVICES = process.env.HEARTH_REQUIRE_SERVICES === '1';
const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0;
if (!HAS_REDIS_SERVER && REQUIRE_SERVICES) throw new Error('HEARTH_REQUIRE_SERVICES=1 but redis-server is not installed');

const HEARTBEAT_MS = 200;
const GRACE_MS = 300;
const text = (t: string) => ({ type: 'text', text: t });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test only, that it may stop and start again (empty: no persistence). */
class PrivateRedis {
  readonly url: string;
  constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
      detached: false,
    });
    child.unref();
    for (let i = 0; i < 100; i++) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      await sleep(50);
    }
    throw new Error(`private redis-server on ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const admin = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    admin.disconnect();
  }
}

/**
 * A device that sends over one socket, up to `window` in flight, each with a fresh clientId; after its node dies it
 * connects to another and sends every unanswered message again with the same clientId (as the SDK's outbox does).
 */
class Sender {
  readonly acked = new Map<string, string>();
  private readonly sent: string[] = [];
  private socket!: RawSocket;
  private n = 0;
  private done!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.done = resolve));

  constructor(
    private readonly account: Account,
    private readonly conversationId: string,
    readonly name: string,
    private readonly count: number,
    private readonly onAck: () => void,
  ) {}

  async start(wsUrl: string): Promise<void> {
    await this.attach(wsUrl);
    for (let i = 0; i < 8; i++) this.sendNext();
  }

  /** Reconnects to `wsUrl` and sends again whatever was not answered. */
  async resume(wsUrl: string): Promise<void> {
    await this.attach(wsUrl);
    for (const clientId of this.sent) if (!this.acked.has(clientId)) this.transmit(clientId);
    this.sendNext();
  }

  private async attach(wsUrl: string): Promise<void> {
    this.socket = await RawSocket.connect(wsUrl, this.account.token);
    this.socket.ws.on('message', (data) => this.answer(JSON.parse((data as Buffer).toString()) as Frame));
  }

  private sendNext(): void {
    if (this.n >= this.count) return;
    const clientId = `${this.name}-${this.n++}`;
    this.sent.push(clientId);
    this.transmit(clientId);
  }

  private transmit(clientId: string): void {
    if (this.socket.ws.readyState !== this.socket.ws.OPEN) return;
    this.socket.send({ type: 'message.send', rid: clientId, conversationId: this.conversationId, clientId, content: text(clientId) });
  }

  private answer(frame: Frame): void {
    if (frame.type !== 'result' || typeof frame.rid !== 'string' || this.acked.has(frame.rid)) return;
    this.acked.set(frame.rid, frame.data.id as string);
    this.onAck();
    if (this.acked.size === this.count) return this.done();
    this.sendNext();
  }
}

/**
 * A reader of one conversation following the resume rules of docs/PROTOCOL.md: live message.created events by
 * position, a position already held ignored; after a lost socket (or at the end, for a gap) it reconnects and
 * syncs from the last position it holds without a hole.
 */
class Reader {
  readonly bySeq = new Map<number, { id: string; text: string }>();
  duplicatesWithOtherContent = 0;
  socket!: RawSocket & { ready: Frame };

  constructor(
    readonly account: Account,
    private readonly conversationId: string,
  ) {}

  async connect(wsUrl: string, baseUrl: string): Promise<void> {
    this.socket = await RawSocket.connect(wsUrl, this.account.token);
    this.socket.ws.on('message', (data) => {
      const f = JSON.parse((data as Buffer).toString()) as Frame;
      if (f.type === 'message.created' && f.conversationId === this.conversationId) this.hold(f.pts as number, f.message);
    });
    await this.sync(baseUrl);
  }

  /** The last position up to which every event is held. */
  contiguous(): number {
    let pts = 0;
    while (this.bySeq.has(pts + 1)) pts++;
    return pts;
  }

  async sync(baseUrl: string): Promise<void> {
    const res = await call(baseUrl, 'sync', { token: this.account.token, body: { conversations: [{ id: this.conversationId, pts: this.contiguous() }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const c of res.body.conversations as Frame[]) {
      expect(c.refetch).toBe(false);
      for (const e of c.events as Frame[]) if (e.type === 'message.created') this.hold(e.pts as number, e.message);
    }
  }

  private hold(pts: number, message: Frame): void {
    const held = this.bySeq.get(pts);
    if (held && held.id !== message.id) this.duplicatesWithOtherContent++;
    this.bySeq.set(pts, { id: message.id as string, text: message.content.text as string });
  }
}

/** Every acknowledged message once, with nothing else and no hole, and each sender's messages in its order. */
function expectExactlyOnceInOrder(reader: Reader, senders: Sender[]): void {
  expect(reader.duplicatesWithOtherContent).toBe(0);
  const held = [...reader.bySeq.entries()].sort(([a], [b]) => a - b);
  expect(held.map(([seq]) => seq)).toEqual(held.map((_, i) => i + 1));
  const ids = held.map(([, m]) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
  const acked = senders.flatMap((s) => [...s.acked.values()]);
  expect(new Set(ids)).toEqual(new Set(acked));
  for (const s of senders) {
    const order = held.map(([, m]) => m.text).filter((t) => t.startsWith(`${s.name}-`)).map((t) => Number(t.slice(s.name.length + 1)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
}

function ackCounter(at: number): { onAck: () => void; reached: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return { onAck: () => void (++count === at && resolve()), reached };
}

describe.skipIf(!HAS_REDIS_SERVER || !BACKENDS.includes('postgres'))('three nodes when one dies or Redis restarts', () => {
  let redis: PrivateRedis;
  let nodes: ServerProcess[] = [];
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string;
  const prefix = uniqueRedisPrefix();

  async function startNode(): Promise<ServerProcess> {
    const env = {
      HEARTH_REDIS_URL: redis.url,
      HEARTH_REDIS_PREFIX: prefix,
      HEARTH_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      HEARTH_PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
      HEARTH_RATE_LIGHT_PER_SECOND: '100000',
      HEARTH_RATE_LIGHT_BURST: '100000',
    };
    const node = await spawnServer({ dataDir: tempDataDir(), databaseUrl, env });
    nodes.push(node);
    return node;
  }

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    const database = await createPostgresDatabase();
    databaseUrl = database.url;
    dropDatabase = () => database.drop();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    await redis?.stop();
    await dropDatabase?.();
  });

  test('kill -9 of one node under load: its clients resume elsewhere with every acknowledged message once and in order; its users go offline for their contacts and come back', async () => {
    const [a, b, c] = [await startNode(), await startNode(), await startNode()];
    const api = { url: a.url } as TestServer;
    const [owner, s1, s2, s3, rA, rB, rC, away, watcher] = await users(api, 9);
    const conversationId = await group(api, owner, [s1, s2, s3, rA, rB, rC, away, watcher], 'load');
    const readers = [new Reader(rA, conversationId), new Reader(rB, conversationId), new Reader(rC, conversationId)];
    await readers[0]!.connect(a.wsUrl, a.url);
    await readers[1]!.connect(b.wsUrl, b.url);
    await readers[2]!.connect(c.wsUrl, c.url);
    const watcherWs = await RawSocket.connect(a.wsUrl, watcher.token);
    const awayOnline = watcherWs.next(is('presence', { userId: away.me.id, state: 'online' }), 5000);
    await RawSocket.connect(c.wsUrl, away.token);
    await awayOnline;

    const PER_SENDER = 120;
    const counter = ackCounter(150);
    const senders = [new Sender(s1, conversationId, 's1', PER_SENDER, counter.onAck), new Sender(s2, conversationId, 's2', PER_SENDER, counter.onAck), new Sender(s3, conversationId, 's3', PER_SENDER, counter.onAck)];
    await Promise.all([senders[0]!.start(a.wsUrl), senders[1]!.start(b.wsUrl), senders[2]!.start(c.wsUrl)]);
    await counter.reached;
    const killedAt = Date.now();
    await c.kill('SIGKILL');
    nodes = nodes.filter((n) => n !== c);

    // Node C's clients come back elsewhere at once, except `away`, who stays gone for a while.
    await senders[2]!.resume(a.wsUrl);
    await readers[2]!.connect(b.wsUrl, b.url);
    const offline = await watcherWs.next(is('presence', { userId: away.me.id, state: 'offline' }), 10_000);
    expect(Date.now() - killedAt).toBeLessThan(GRACE_MS + 3 * HEARTBEAT_MS + HEARTBEAT_MS + 1500);
    expect(offline.lastSeenAt).toBeGreaterThan(0);

    await Promise.all(senders.map((s) => s.finished));
    for (const r of readers) await r.sync(r === readers[0] ? a.url : b.url);
    for (const r of readers) expectExactlyOnceInOrder(r, senders);
    expect(readers[0]!.bySeq.size).toBe(3 * PER_SENDER);

    await RawSocket.connect(b.wsUrl, away.token);
    await watcherWs.next(is('presence', { userId: away.me.id, state: 'online' }), 5000);
    // One announcement per change, not one per node.
    await sleep(4 * HEARTBEAT_MS);
    const aboutAway = watcherWs.frames.filter((f) => f.type === 'presence' && f.userId === away.me.id).map((f) => f.state as string);
    expect(aboutAway).toEqual(['online', 'offline', 'online']);
  }, 60_000);

  test('Redis restarted empty in the middle of a load: no reader misses a message or holds one twice, and every node lives on', async () => {
    while (nodes.length < 3) await startNode();
    const [a, b, c] = nodes as [ServerProcess, ServerProcess, ServerProcess];
    const api = { url: a.url } as TestServer;
    const [owner, s1, s2, s3, rA, rB, rC] = await users(api, 7);
    const conversationId = await group(api, owner, [s1, s2, s3, rA, rB, rC], 'restart');
    const where = [a, b, c];
    const readers = [new Reader(rA, conversationId), new Reader(rB, conversationId), new Reader(rC, conversationId)];
    for (const [i, r] of readers.entries()) await r.connect(where[i]!.wsUrl, where[i]!.url);
    const PER_SENDER = 100;
    const counter = ackCounter(100);
    const senders = [new Sender(s1, conversationId, 's1', PER_SENDER, counter.onAck), new Sender(s2, conversationId, 's2', PER_SENDER, counter.onAck), new Sender(s3, conversationId, 's3', PER_SENDER, counter.onAck)];
    await Promise.all(senders.map((s, i) => s.start(where[i]!.wsUrl)));
    await counter.reached;
    await redis.stop();
    await sleep(300);
    await redis.start();

    await Promise.all(senders.map((s) => s.finished));
    // A socket the catch-up could not serve is closed with 1001: its reader resumes, as the SDK does.
    for (const [i, r] of readers.entries()) {
      if (r.socket.ws.readyState !== r.socket.ws.OPEN) await r.connect(where[i]!.wsUrl, where[i]!.url);
    }
    await sleep(500);
    for (const [i, r] of readers.entries()) await r.sync(where[i]!.url);
    for (const r of readers) expectExactlyOnceInOrder(r, senders);
    expect(readers[0]!.bySeq.size).toBe(3 * PER_SENDER);
    for (const n of where) expect(n.child.exitCode).toBeNull();
    expect(where.some((n) => n.logs.some((l) => l.msg === 'redis subscriber back: catching up'))).toBe(true);
  }, 60_000);
});
