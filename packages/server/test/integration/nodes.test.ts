import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { framesAbout, group, send, text, users, type Account } from '../support/fixtures.js';
import { startPageServer, type PageServer } from '../support/pages.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { call, RawSocket } from '../support/raw.js';
import { killSubscribers, REDIS_AVAILABLE, REDIS_URL, redisClient, uniqueRedisPrefix } from '../support/redis.js';
import { is, requestOk, type Frame } from '../support/scenario.js';
import { createPostgresDatabase, tempDataDir, type TestServer } from '../support/server.js';

/** The text of a message.created frame. */
const textOf = (f: Frame): unknown => f.message?.content?.text;

/**
 * Separate `hearth serve` processes sharing one PostgreSQL database and one Redis (a prefix of their own): what
 * happens on one node reaches the sockets of another, and a subscriber that Redis cuts off misses nothing.
 */
describe.skipIf(!REDIS_AVAILABLE || !BACKENDS.includes('postgres'))('several nodes on PostgreSQL and Redis', () => {
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string;
  let redis: Redis;
  const prefix = uniqueRedisPrefix();
  let env: Record<string, string>;
  /** Pages for link previews, on loopback (allowed for these nodes only). */
  let pages: PageServer;
  /** The fixtures' helpers speak HTTP to one node: this is node A. */
  let a: TestServer;

  beforeAll(async () => {
    pages = await startPageServer();
    env = {
      HEARTH_REDIS_URL: REDIS_URL,
      HEARTH_REDIS_PREFIX: prefix,
      HEARTH_LINK_PREVIEWS: 'true',
      HEARTH_LINK_PREVIEWS_ALLOW_HOSTS: '127.0.0.1',
      HEARTH_LINK_PREVIEWS_PORTS: String(pages.port),
    };
    const database = await createPostgresDatabase();
    dropDatabase = () => database.drop();
    databaseUrl = database.url;
    // One after the other: the first applies the migrations.
    nodeA = await spawnServer({ dataDir: tempDataDir(), databaseUrl: database.url, env });
    nodeB = await spawnServer({ dataDir: tempDataDir(), databaseUrl: database.url, env });
    a = { url: nodeA.url } as TestServer;
    redis = redisClient();
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([nodeA?.kill('SIGTERM'), nodeB?.kill('SIGTERM')]);
    await dropDatabase?.();
    await pages?.close();
  });

  /** A group of `helper` and `observer` that `observer`'s socket follows from its start: its messages mark time. */
  async function markerFor(observer: Account): Promise<(ws: RawSocket) => Promise<void>> {
    const [helper] = await users(a, 1);
    const id = await group(a, helper, [observer], 'markers');
    return async (ws) => {
      const body = `marker ${Math.random()}`;
      const arrived = ws.next((f) => f.type === 'message.created' && textOf(f) === body);
      await send(a, helper, id, body);
      await arrived;
    };
  }

  test('each node says which bus and database it uses', () => {
    const line = nodeA.logs.find((l) => l.msg === 'hearth is listening');
    expect(line).toMatchObject({ bus: 'redis', redis: new URL(REDIS_URL).toString(), dialect: 'postgres' });
  });

  test('a message, an edit, a reaction, typing, a membership change and a profile update on node A reach node B; a non-member there gets nothing', async () => {
    const [ana, ben, cid, dan] = await users(a, 4);
    const conversationId = await group(a, ana, [ben]);
    const marker = await markerFor(dan);
    const anaWs = await RawSocket.connect(nodeA.wsUrl, ana.token);
    const benWs = await RawSocket.connect(nodeB.wsUrl, ben.token);
    const cidWs = await RawSocket.connect(nodeB.wsUrl, cid.token);
    const danWs = await RawSocket.connect(nodeB.wsUrl, dan.token);
    const about = { conversationId };

    const message = await send(a, ana, conversationId, 'hello from A');
    expect((await benWs.next(is('message.created', about), 5000, true)).message.id).toBe(message.id);

    await requestOk(anaWs, { type: 'message.edit', conversationId, messageId: message.id, content: text('edited on A') });
    expect((await benWs.next(is('message.edited', about), 5000, true)).content.text).toBe('edited on A');

    await requestOk(anaWs, { type: 'reaction.add', conversationId, messageId: message.id, emoji: '👍' });
    expect(await benWs.next(is('reaction.added', about), 5000, true)).toMatchObject({ emoji: '👍', userId: ana.me.id });

    await requestOk(anaWs, { type: 'typing', conversationId, active: true });
    expect(await benWs.next(is('typing', about), 5000, true)).toMatchObject({ userId: ana.me.id, active: true });

    const added = await call(a.url, 'addMembers', { token: ana.token, params: { conversationId }, body: { userIds: [cid.me.id] } });
    expect(added.status).toBe(200);
    expect((await cidWs.next((f) => f.type === 'conversation.joined', 5000, true)).conversation.id).toBe(conversationId);
    expect((await benWs.next(is('member.joined', about), 5000, true)).member.userId).toBe(cid.me.id);
    const welcome = await send(a, ana, conversationId, 'welcome, Cid');
    expect((await cidWs.next((f) => f.type === 'message.created' && f.message.id === welcome.id, 5000, true)).conversationId).toBe(conversationId);

    expect((await call(a.url, 'updateMe', { token: ana.token, body: { displayName: 'Ana on A' } })).status).toBe(200);
    expect((await benWs.next((f) => f.type === 'user.updated' && f.user.id === ana.me.id, 5000, true)).user.displayName).toBe('Ana on A');

    await marker(danWs);
    expect(framesAbout(danWs, conversationId)).toEqual([]);
    expect(danWs.frames.filter((f) => f.type === 'user.updated' || f.type === 'typing')).toEqual([]);
    for (const ws of [anaWs, benWs, cidWs, danWs]) ws.close();
  });

  test('a link sent on node A is read there once; its preview reaches node B, and node B reuses the shared cache', async () => {
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const benWs = await RawSocket.connect(nodeB.wsUrl, ben.token);
    const link = `${pages.url}/og`;
    const first = await send(a, ana, conversationId, link);
    const previewed = await benWs.next((f) => f.type === 'message.previewed' && f.messageId === first.id, 10_000, true);
    expect(previewed.linkPreview).toMatchObject({ url: link, title: 'The & Hearth story', image: { width: 600, height: 315 } });
    const image = await fetch(new URL(previewed.linkPreview.image.url, nodeB.url), { headers: { authorization: `Bearer ${ben.token}` } });
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const second = await send({ url: nodeB.url } as TestServer, ben, conversationId, `same ${link}`);
    await benWs.next((f) => f.type === 'message.previewed' && f.messageId === second.id, 10_000, true);
    expect([pages.hits('/og'), pages.hits('/image.png')]).toEqual([1, 1]);
    benWs.close();
  });

  test('a session revoked on node A closes its socket on node B', async () => {
    const [ana] = await users(a, 1);
    const other = await call<{ token: string; session: { id: string } }>(a.url, 'signIn', { body: { username: ana.me.username, password: ana.password } });
    expect(other.status).toBe(200);
    const ws = await RawSocket.connect(nodeB.wsUrl, other.body.token);
    const revoked = await call(a.url, 'revokeSession', { token: ana.token, params: { sessionId: other.body.session.id } });
    expect(revoked.status).toBeLessThan(300);
    expect(await ws.next(is('session.revoked'), 5000, true)).toMatchObject({ sessionId: other.body.session.id });
    expect((await ws.closed).code).toBe(4003);
  });

  test("a direct conversation's first message reaches both people's sockets on both nodes right after its conversation.joined", async () => {
    const [ana, ben] = await users(a, 2);
    const sockets = [
      await RawSocket.connect(nodeA.wsUrl, ana.token),
      await RawSocket.connect(nodeB.wsUrl, ana.token),
      await RawSocket.connect(nodeA.wsUrl, ben.token),
      await RawSocket.connect(nodeB.wsUrl, ben.token),
    ];
    const opened = await call<{ id: string }>(a.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } });
    const conversationId = opened.body.id;
    // Sent over the socket, as a person does: the subscriptions the first message's conversation.joined makes
    // cannot be live on the other node before the message is published.
    const anaWs = sockets[0]!;
    await requestOk(anaWs, { type: 'message.send', conversationId, clientId: 'first', content: text('first words') });
    const second = await send(a, ana, conversationId, 'second words');
    for (const ws of sockets) {
      await ws.next((f) => f.type === 'message.created' && f.message.id === second.id, 5000, true);
      const about = framesAbout(ws, conversationId).filter((f) => f.type !== 'result');
      expect(about.map((f) => [f.type, f.type === 'message.created' ? textOf(f) : null])).toEqual([
        ['conversation.joined', null],
        ['message.created', 'first words'],
        ['message.created', 'second words'],
      ]);
    }
    for (const ws of sockets) ws.close();
  });

  test('when Redis cuts every subscriber off mid-stream, each socket on the other node still gets every message once, in order', async () => {
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const marker = await markerFor(ben);
    const anaWs = await RawSocket.connect(nodeA.wsUrl, ana.token);
    const benSockets = [await RawSocket.connect(nodeB.wsUrl, ben.token), await RawSocket.connect(nodeB.wsUrl, ben.token)];
    const COUNT = 300;
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < COUNT; i++) {
      acks.push(requestOk(anaWs, { type: 'message.send', conversationId, clientId: `kill-${i}`, content: text(`m${i}`) }));
      if (i === COUNT / 3) {
        await Promise.all(acks);
        // Both nodes' subscriber connections are cut (CLIENT KILL TYPE pubsub, for this test's prefix only);
        // messages go on being published meanwhile.
        expect(await killSubscribers(redis, prefix)).toBe(2);
      }
      if (i % 20 === 0) await Promise.all(acks);
    }
    await Promise.all(acks);
    // Node B noticed the gap (its catch-up, not luck, is what this test checks).
    await expect.poll(() => nodeB.logs.some((l) => l.msg === 'redis subscriber back: catching up')).toBe(true);
    for (const ws of benSockets) {
      await ws.next((f) => f.type === 'message.created' && textOf(f) === `m${COUNT - 1}`, 15_000, true);
      await marker(ws);
      const texts = ws.frames.filter((f) => f.type === 'message.created' && f.conversationId === conversationId).map(textOf);
      expect(texts).toEqual(Array.from({ length: COUNT }, (_, i) => `m${i}`));
    }
    anaWs.close();
    for (const ws of benSockets) ws.close();
  }, 60_000);
  test('a client of a node stopped with SIGTERM gets 1001, resumes on another node and nothing is lost or doubled', async () => {
    // A node of its own, so that stopping it leaves A and B to the other tests.
    const nodeC = await spawnServer({ dataDir: tempDataDir(), databaseUrl, env });
    const [ana, ben] = await users(a, 2);
    const conversationId = await group(a, ana, [ben]);
    const benWs = await RawSocket.connect(nodeB.wsUrl, ben.token);
    const anaOnC = await RawSocket.connect(nodeC.wsUrl, ana.token);
    const COUNT = 200;
    const frame = (i: number) => ({ type: 'message.send', conversationId, clientId: `drain-${i}`, content: text(`d${i}`) });
    // Sends go on while the stop begins: those before it are stored and acknowledged, later ones are refused
    // (SERVER_SHUTTING_DOWN), unanswered, or never sent once the socket is closed.
    let closed = false;
    void anaOnC.closed.then(() => (closed = true));
    const answers: Array<Promise<Frame | undefined>> = [];
    let stopped: ReturnType<ServerProcess['kill']> | undefined;
    for (let i = 0; i < COUNT && !closed; i++) {
      answers.push(anaOnC.request(frame(i), 2000).catch(() => undefined));
      if (i === 20) stopped = nodeC.kill('SIGTERM');
      await sleep(2);
    }
    expect((await anaOnC.closed).code).toBe(1001);
    expect((await stopped)?.code).toBe(0);
    const acked = new Set((await Promise.all(answers)).flatMap((f, i) => (f?.type === 'result' ? [i] : [])));
    expect(acked.size).toBeGreaterThan(0);
    expect(acked.size).toBeLessThan(COUNT);

    // The client resumes on node B and sends again, under the same clientIds, whatever was not acknowledged.
    const anaOnB = await RawSocket.connect(nodeB.wsUrl, ana.token);
    for (let i = 0; i < COUNT; i++) if (!acked.has(i)) await requestOk(anaOnB, frame(i));

    const texts: string[] = [];
    for (let before: number | undefined; ; ) {
      const page = await call<{ messages: Array<{ seq: number; content: { text: string } }> }>(a.url, 'history', {
        token: ana.token,
        params: { conversationId },
        query: { limit: 100, ...(before !== undefined ? { before } : {}) },
      });
      texts.unshift(...page.body.messages.map((m) => m.content.text));
      if (page.body.messages.length < 100) break;
      before = page.body.messages[0]!.seq;
    }
    const stored = texts.filter((t) => t.startsWith('d'));
    expect([...stored].sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `d${i}`).sort());
    await benWs.next((f) => f.type === 'message.created' && textOf(f) === stored[stored.length - 1], 5000, true);
    const received = benWs.frames.filter((f) => f.type === 'message.created' && f.conversationId === conversationId).map(textOf).filter((t) => String(t).startsWith('d'));
    expect(received).toEqual(stored);
    anaOnB.close();
    benWs.close();
  }, 60_000);
});
