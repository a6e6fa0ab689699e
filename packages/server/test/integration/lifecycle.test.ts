import net from 'node:net';
import { loadConfig } from '@hearth/server';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { BACKENDS } from '../support/backends.js';
import { call, RawSocket, signUp } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Parses Prometheus text exposition into `name{labels}` → value (comments and blank lines dropped). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The server's metrics, from its metrics listener (the main port does not serve them). */
async function scrape(t: TestServer): Promise<Map<string, number>> {
  const res = await fetch(new URL('/metrics', t.server.metricsUrl));
  expect(res.status).toBe(200);
  return parseMetrics(await res.text());
}

/** Scrapes until `pred` holds: gauges move when sockets settle, which the test cannot otherwise observe. */
async function scrapeUntil(t: TestServer, pred: (m: Map<string, number>) => boolean, timeoutMs = 5000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await scrape(t);
    if (pred(m)) return m;
    if (Date.now() > deadline) throw new Error(`metrics never matched: ${JSON.stringify(Object.fromEntries(m))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const text = (t: string) => ({ type: 'text', text: t });
const FAST = { rateLimits: { sendPerSecond: 100_000, sendBurst: 100_000, expensivePerSecond: 100_000, expensiveBurst: 100_000 } };

/** Every message of a conversation, oldest first, paging with `after`. */
async function fullHistory(url: string, token: string, conversationId: string): Promise<any[]> {
  const all: any[] = [];
  let after = 0;
  for (;;) {
    const page = await call(url, 'history', { token, params: { conversationId }, query: { after, limit: 100 } });
    expect(page.status).toBe(200);
    all.push(...page.body.messages);
    if (!page.body.hasMore) return all;
    after = page.body.messages.at(-1).seq;
  }
}

describe.each(BACKENDS)('lifecycle (%s)', (backend) => {
  describe('while running', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    test('/healthz returns 200 with the database ok', async () => {
      const res = await fetch(new URL('/healthz', t.url));
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'ok', database: 'ok' });
      expect(typeof body.databaseMs).toBe('number');
    });

    test('the main port serves no /metrics to anyone, signed in or not', async () => {
      const ana = await signUp(t.url);
      for (const headers of [{}, { authorization: `Bearer ${ana.token}` }] as Array<Record<string, string>>) {
        const res = await fetch(new URL('/metrics', t.url), { headers });
        expect(res.status).toBe(404);
        expect(((await res.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
      }
    });

    test('metrics have a listener of their own, on loopback by default, that serves nothing else', async () => {
      expect(t.server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new URL(t.server.metricsUrl!).port).not.toBe(new URL(t.url).port);
      expect((await fetch(new URL('/api/server', t.server.metricsUrl))).status).toBe(404);
      expect(loadConfig({}).metricsPort).toBeUndefined();
      expect(loadConfig({ HEARTH_METRICS_PORT: '9464' })).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
    });

    test('/metrics is Prometheus text with the connection, message, delivery, ack and write batch metrics', async () => {
      const res = await fetch(new URL('/metrics', t.server.metricsUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      for (const [name, type] of [
        ['hearth_connections', 'gauge'],
        ['hearth_messages_total', 'counter'],
        ['hearth_deliveries_total', 'counter'],
        ['hearth_send_ack_seconds', 'histogram'],
        ['hearth_db_write_batch_seconds', 'histogram'],
      ]) {
        expect(body).toContain(`# HELP ${name} `);
        expect(body).toContain(`# TYPE ${name} ${type}\n`);
      }
      const m = parseMetrics(body);
      expect(m.get('hearth_send_ack_seconds_bucket{le="+Inf"}')).toBe(m.get('hearth_send_ack_seconds_count'));
      // Node's process metrics ride along under the server's prefix.
      expect([...m.keys()].some((k) => k.startsWith('hearth_process_cpu'))).toBe(true);
    });

    test('metrics count a sent message: stored, delivered, acknowledged, written in a batch', async () => {
      const ana = await signUp(t.url);
      const ben = await signUp(t.url);
      const conversationId = (await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } })).body.id;
      const before = await scrape(t);
      const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
      const benWs = await RawSocket.connect(t.wsUrl, ben.token);
      await scrapeUntil(t, (m) => m.get('hearth_connections') === before.get('hearth_connections')! + 2);

      const incoming = benWs.next((f) => f.type === 'message.created');
      const ack = await anaWs.request({ type: 'message.send', conversationId, clientId: 'metric-1', content: text('count me') });
      expect(ack.type).toBe('result');
      await incoming;
      await anaWs.next((f) => f.type === 'message.created', 5000, true);

      const after = await scrape(t);
      const delta = (name: string) => after.get(name)! - (before.get(name) ?? 0);
      expect(delta('hearth_messages_total')).toBe(1);
      expect(delta('hearth_send_ack_seconds_count')).toBe(1);
      expect(delta('hearth_send_ack_seconds_sum')).toBeGreaterThan(0);
      expect(delta('hearth_db_write_batch_seconds_count')).toBeGreaterThanOrEqual(1);
      // The event went to both members' sockets (ready frames and results are not deliveries).
      expect(delta('hearth_deliveries_total')).toBeGreaterThanOrEqual(2);

      anaWs.close();
      benWs.close();
      await Promise.all([anaWs.closed, benWs.closed]);
      await scrapeUntil(t, (m) => m.get('hearth_connections') === before.get('hearth_connections'));
    });

    test('an unauthenticated socket is not counted as a connection', async () => {
      const before = (await scrape(t)).get('hearth_connections');
      const raw = await RawSocket.open(t.wsUrl);
      // A ping before auth is refused, which proves the server has seen the socket.
      const refused = await raw.request({ type: 'ping' });
      expect(refused.code).toBe('UNAUTHENTICATED');
      expect((await scrape(t)).get('hearth_connections')).toBe(before);
      raw.close();
      await raw.closed;
    });
  });

  describe('shutting down', () => {
    let t: TestServer | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    test('a stopped server answers /healthz no more and its sockets get GOING_AWAY', async () => {
      t = await startTestServer(backend);
      const ana = await signUp(t.url);
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      await t.stop();
      expect(await ws.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      await expect(fetch(new URL('/healthz', t.url))).rejects.toThrow();
    });

    test('during shutdown new WebSocket upgrades are refused', async () => {
      t = await startTestServer(backend, FAST);
      const ana = await signUp(t.url);
      const ben = await signUp(t.url);
      const conversationId = (await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } })).body.id;
      const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
      // A connection opened before shutdown, whose upgrade request only arrives once shutdown has begun.
      const tcp = net.connect(t.server.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
      let answer = '';
      tcp.on('data', (d) => (answer += String(d)));
      tcp.on('error', () => undefined);
      const tcpClosed = new Promise<void>((resolve) => tcp.once('close', () => resolve()));

      // Shutdown begins while writes are queued, so the write queue is still draining when the upgrades arrive.
      let closing: Promise<void> | undefined;
      const attempts: Array<Promise<string>> = [];
      const unsubscribe = await t.server.services.bus.subscribe(`c:${conversationId}`, () => {
        if (closing) return;
        closing = t!.stop();
        tcp.write(
          'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
        attempts.push(
          new Promise((resolve) => {
            const late = new WebSocket(t!.wsUrl);
            late.once('open', () => (resolve('open'), late.terminate()));
            late.once('unexpected-response', (_req, res) => (resolve(`status ${res.statusCode}`), res.destroy()));
            late.once('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
          }),
        );
      });
      for (let i = 0; i < 200; i++) anaWs.send({ type: 'message.send', rid: `b${i}`, conversationId, clientId: `b${i}`, content: text(`burst ${i}`) });
      await anaWs.closed;
      await closing;
      unsubscribe();
      await tcpClosed;

      expect(answer).not.toContain('101 Switching Protocols');
      if (answer) expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      const [late] = await Promise.all(attempts);
      expect(late).not.toBe('open');
    });

    test('queued writes submitted before close commit; later frames get SERVER_SHUTTING_DOWN', async () => {
      t = await startTestServer(backend, FAST);
      const ana = await signUp(t.url);
      const ben = await signUp(t.url);
      const conversationId = (await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } })).body.id;
      // Both open it: before its first message a direct conversation is only theirs who opened it (PROTOCOL.md §5.16).
      await call(t.url, 'createConversation', { token: ben.token, body: { kind: 'direct', userId: ana.me.id } });
      const sockets = [
        { token: ana.token, ws: await RawSocket.connect(t.wsUrl, ana.token) },
        { token: ana.token, ws: await RawSocket.connect(t.wsUrl, ana.token) },
        { token: ben.token, ws: await RawSocket.connect(t.wsUrl, ben.token) },
      ];
      const PER_SOCKET = 300;
      const sent = new Map<string, { socket: number; clientId: string }>();
      const send = (k: number, tag: string, i: number) => {
        const rid = `${tag}-${k}-${i}`;
        sent.set(`${k}:${rid}`, { socket: k, clientId: rid });
        sockets[k]!.ws.send({ type: 'message.send', rid, conversationId, clientId: rid, content: text(`${tag} ${i}`) });
      };

      // Close as the first batch commits: the frames already read are queued behind it. Frames sent at that
      // moment reach a server that is shutting down.
      let closing: Promise<void> | undefined;
      let committedAtClose = 0;
      let committed = 0;
      const unsubscribe = await t.server.services.bus.subscribe(`c:${conversationId}`, (msg) => {
        if (msg.event.type !== 'message.created') return;
        committed++;
        if (closing) return;
        closing = t!.stop();
        // The batch's events are published in one synchronous loop: after it, `committed` is what had committed.
        queueMicrotask(() => (committedAtClose = committed));
        for (let k = 0; k < sockets.length; k++) for (let i = 0; i < 20; i++) send(k, 'late', i);
      });
      for (let k = 0; k < sockets.length; k++) for (let i = 0; i < PER_SOCKET; i++) send(k, 'early', i);
      const closes = await Promise.all(sockets.map((s) => s.ws.closed));
      await closing;
      unsubscribe();
      for (const c of closes) expect(c.code).toBe(1001);

      // Every frame has exactly one answer: its result, or SERVER_SHUTTING_DOWN.
      const results = new Map<string, any>();
      const refused = new Set<string>();
      sockets.forEach((s, k) => {
        for (const f of s.ws.frames) {
          if (f.type === 'result') results.set(`${k}:${f.rid}`, f.data);
          else if (f.type === 'error') {
            expect(f.code).toBe('SERVER_SHUTTING_DOWN');
            refused.add(`${k}:${f.rid}`);
          }
        }
      });
      const unanswered = [...sent.keys()].filter((key) => !results.has(key) && !refused.has(key));
      expect(unanswered).toEqual([]);
      expect(results.size + refused.size).toBe(sent.size);
      // Frames sent after close() began were all refused; writes still queued when it began committed after.
      for (const [key, { clientId }] of sent) if (clientId.startsWith('late')) expect(refused.has(key)).toBe(true);
      expect(committedAtClose).toBeGreaterThan(0);
      expect(results.size).toBeGreaterThan(committedAtClose);

      // Every acknowledged message is stored, as acknowledged; nothing refused is.
      t = await startTestServer(backend, FAST, { reuse: t });
      const history = await fullHistory(t.url, ana.token, conversationId);
      const byClientId = new Map(history.map((m) => [m.clientId, m]));
      expect(byClientId.size).toBe(history.length);
      for (const [key, data] of results) {
        const stored = byClientId.get(sent.get(key)!.clientId);
        expect(stored, key).toBeDefined();
        expect({ id: stored.id, seq: stored.seq }).toEqual({ id: data.id, seq: data.seq });
      }
      for (const key of refused) expect(byClientId.has(sent.get(key)!.clientId)).toBe(false);
      expect(history.length).toBe(results.size);
    });
  });
});
