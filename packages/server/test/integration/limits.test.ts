import { CloseCode } from '@hearth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import {
  clientId,
  direct,
  expectError,
  expectErrorFrame,
  expectServerWorks,
  expectSocketWorks,
  group,
  http,
  MANY_SIGNUPS,
  metric,
  send,
  serverEndOf,
  tcpOf,
  text,
  users,
  channel as channelOf,
  type Account,
} from '../support/fixtures.js';
import { call, RawSocket, type HttpResult } from '../support/raw.js';
import { ShiftableClock } from '../support/scenario.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(BACKENDS)('limits (%s)', (backend) => {
  const sockets: RawSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  describe('per-user send rate', () => {
    const BURST = 3;
    const PER_SECOND = 1;
    let t: TestServer;
    // Budgets refill by the server's clock: a test moves it on instead of waiting (each test has users of its own).
    const clock = new ShiftableClock();
    beforeAll(async () => {
      t = await startTestServer(backend, { rateLimits: { ...MANY_SIGNUPS.rateLimits, sendPerSecond: PER_SECOND, sendBurst: BURST } }, { clock });
    });
    afterAll(async () => t?.close());

    async function pair() {
      const [ana, ben] = await users(t, 2);
      return { ana: ana, ben: ben, dm: await direct(t, ana, ben) };
    }
    const sendFrame = (conversationId: string, body = 'hi') => ({ type: 'message.send', conversationId, clientId: clientId(), content: text(body) });

    test('a send over the budget is answered over WebSocket with RATE_LIMITED and details.retryAfterMs', async () => {
      const { ana, dm } = await pair();
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      for (let i = 0; i < BURST; i++) expect((await ws.request(sendFrame(dm))).type).toBe('result');
      const limited = await ws.request(sendFrame(dm, 'one too many'));
      expectErrorFrame(limited, 'RATE_LIMITED');
      expect(limited.details.retryAfterMs).toBeGreaterThan(0);
      expect(limited.details.retryAfterMs).toBeLessThanOrEqual(Math.ceil(1000 / PER_SECOND));
      await expectSocketWorks(ws);
    });

    test('a send over the budget is answered over HTTP with 429 RATE_LIMITED and Retry-After', async () => {
      const { ana, dm } = await pair();
      for (let i = 0; i < BURST; i++) await send(t, ana, dm);
      const limited = await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId: dm }, body: { clientId: clientId(), content: text('no') } });
      expectError(limited, 429, 'RATE_LIMITED');
      expect(limited.body.details.retryAfterMs).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(limited.body.details.retryAfterMs / 1000)));
      await expectServerWorks(t, ana);
    });

    test('the budget is shared by WebSocket and HTTP and by every send-class operation', async () => {
      const { ana, dm } = await pair();
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      const first = await ws.request(sendFrame(dm));
      await call(t.url, 'addReaction', { token: ana.token, params: { conversationId: dm, messageId: first.data.id, emoji: '👍' } });
      await call(t.url, 'editMessage', { token: ana.token, params: { conversationId: dm, messageId: first.data.id }, body: { content: text('edited') } });
      expectErrorFrame(await ws.request({ type: 'message.delete', conversationId: dm, messageId: first.data.id }), 'RATE_LIMITED');
    });

    test('a refused send is not stored', async () => {
      const { ana, ben, dm } = await pair();
      for (let i = 0; i < BURST; i++) await send(t, ana, dm, `ok ${i}`);
      await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId: dm }, body: { clientId: clientId(), content: text('refused') } });
      const history = await call(t.url, 'history', { token: ben.token, params: { conversationId: dm } });
      expect(history.body.messages.map((m: any) => m.content.text)).toEqual(['ok 0', 'ok 1', 'ok 2']);
    });

    test('a forward costs one send token per target: more targets than the budget holds are refused whole', async () => {
      const { ana, ben, dm } = await pair();
      const first = await send(t, ben, dm, 'pass it on');
      const [cat] = await users(t, 1);
      const targets = [{ type: 'conversation', conversationId: dm }, { type: 'user', userId: cat.me.id }];
      const forward = (n: number) =>
        call(t.url, 'forwardMany', { token: ana.token, body: { clientId: clientId(), from: { conversationId: dm, messageId: first.id }, targets: targets.slice(0, n) } });
      expect((await forward(2)).status).toBe(200);
      const refused = await forward(2);
      expectError(refused, 429, 'RATE_LIMITED');
      const history = await call(t.url, 'history', { token: ben.token, params: { conversationId: dm } });
      expect(history.body.messages).toHaveLength(2);
      expect((await forward(1)).status).toBe(200);
    });

    test("one user's exhausted budget does not limit another user", async () => {
      const { ana, ben, dm } = await pair();
      for (let i = 0; i < BURST; i++) await send(t, ana, dm);
      expect((await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId: dm }, body: { clientId: clientId(), content: text('x') } })).status).toBe(429);
      await send(t, ben, dm, 'my own budget');
    });

    test('sends succeed again once the advised time has passed', async () => {
      const { ana, dm } = await pair();
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      for (let i = 0; i < BURST; i++) await ws.request(sendFrame(dm));
      const limited = await ws.request(sendFrame(dm));
      expectErrorFrame(limited, 'RATE_LIMITED');
      // Exactly the advised wait passes on the server's clock (real time only adds to the budget).
      clock.advance(limited.details.retryAfterMs);
      expect((await ws.request(sendFrame(dm, 'over WebSocket'))).type).toBe('result');
      clock.advance(Math.ceil(1000 / PER_SECOND));
      await send(t, ana, dm, 'over HTTP');
    });
  });

  describe('budgets of REST writes that produce events', () => {
    const BURST = 3;
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        // Refilled so slowly that a loaded machine cannot earn a token back within a test.
        rateLimits: { ...MANY_SIGNUPS.rateLimits, broadcastPerSecond: 0.01, broadcastBurst: BURST, lightPerSecond: 0.01, lightBurst: BURST },
      });
    });
    afterAll(async () => t?.close());

    type Setup = { ana: Account; ben: Account; group: string; channel: string; dm: string };
    async function setup(): Promise<Setup> {
      const [ana, ben] = await users(t, 2);
      return { ana, ben, group: await group(t, ana, [ben]), channel: await channelOf(t, ben), dm: await direct(t, ana, ben) };
    }
    /** Each REST write that sends events to other people, or to the caller's devices, as one call by ana. */
    const writes: Array<[string, (s: Setup, i: number) => Promise<HttpResult<any>>]> = [
      ['join/leave a channel', (s, i) => call(t.url, i % 2 ? 'leaveConversation' : 'joinChannel', { token: s.ana.token, params: { conversationId: s.channel } })],
      ['update the profile', (s, i) => call(t.url, 'updateMe', { token: s.ana.token, body: { statusText: `status ${i}` } })],
      ['change a conversation setting', (s, i) => call(t.url, 'updateMySettings', { token: s.ana.token, params: { conversationId: s.group }, body: { muted: i % 2 === 0 } })],
      ['rename a group', (s, i) => call(t.url, 'updateConversation', { token: s.ana.token, params: { conversationId: s.group }, body: { title: `title ${i}` } })],
      ['change a role', (s, i) => call(t.url, 'updateMember', { token: s.ana.token, params: { conversationId: s.group, userId: s.ben.me.id }, body: { role: i % 2 ? 'member' : 'admin' } })],
      [
        'remove and add a member',
        (s, i) =>
          i % 2
            ? call(t.url, 'addMembers', { token: s.ana.token, params: { conversationId: s.group }, body: { userIds: [s.ben.me.id] } })
            : call(t.url, 'removeMember', { token: s.ana.token, params: { conversationId: s.group, userId: s.ben.me.id } }),
      ],
      ['change the password', (s) => call(t.url, 'changePassword', { token: s.ana.token, body: { currentPassword: s.ana.password, newPassword: s.ana.password } })],
      ['move the read pointer', (s) => call(t.url, 'updateReceipt', { token: s.ana.token, params: { conversationId: s.dm }, body: { readSeq: 1 } })],
    ];

    test.each(writes)('a burst of calls to %s is refused with 429 RATE_LIMITED once the budget is spent', async (_, write) => {
      const s = await setup();
      await send(t, s.ben, s.dm, 'something to read');
      for (let i = 0; i < BURST; i++) expect((await write(s, i)).status).toBe(200);
      const limited = await write(s, BURST);
      expectError(limited, 429, 'RATE_LIMITED');
      expect(limited.body.details.retryAfterMs).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Other people keep their own budgets.
      expect((await call(t.url, 'updateMe', { token: s.ben.token, body: { statusText: 'mine' } })).status).toBe(200);
    });

    test('the REST receipt budget is the one receipt frames use', async () => {
      const s = await setup();
      await send(t, s.ben, s.dm, 'something to read');
      const ws = await RawSocket.connect(t.wsUrl, s.ana.token);
      sockets.push(ws);
      for (let i = 0; i < BURST; i++) expect((await ws.request({ type: 'receipt', conversationId: s.dm, deliveredSeq: 1 })).type).toBe('result');
      expectError(await call(t.url, 'updateReceipt', { token: s.ana.token, params: { conversationId: s.dm }, body: { readSeq: 1 } }), 429, 'RATE_LIMITED');
    });

    test('joining and leaving a channel spend the broadcast budget, and each one let through writes a line into its history', async () => {
      const s = await setup();
      const params = { conversationId: s.channel };
      expect((await call(t.url, 'joinChannel', { token: s.ana.token, params })).status).toBe(200);
      expect((await call(t.url, 'leaveConversation', { token: s.ana.token, params })).status).toBe(200);
      expect((await call(t.url, 'joinChannel', { token: s.ana.token, params })).status).toBe(200);
      expectError(await call(t.url, 'leaveConversation', { token: s.ana.token, params }), 429, 'RATE_LIMITED');
      const history = await call(t.url, 'history', { token: s.ben.token, params });
      expect(history.body.messages.map((m: any) => m.content.event)).toEqual(['member.joined', 'member.left', 'member.joined']);
    });

    test('a refused join sends no event and changes nothing', async () => {
      const s = await setup();
      const benWs = await RawSocket.connect(t.wsUrl, s.ben.token);
      sockets.push(benWs);
      for (let i = 0; i < BURST; i++) await call(t.url, i % 2 ? 'leaveConversation' : 'joinChannel', { token: s.ana.token, params: { conversationId: s.channel } });
      const before = benWs.frames.length;
      expectError(await call(t.url, 'leaveConversation', { token: s.ana.token, params: { conversationId: s.channel } }), 429, 'RATE_LIMITED');
      await expectSocketWorks(benWs);
      expect(benWs.frames.slice(before).filter((f) => f.type === 'member.left')).toEqual([]);
    });
  });

  describe('frame budget per connection', () => {
    const BURST = 20;
    const BEFORE_AUTH = 4;
    let t: TestServer;
    beforeAll(async () => {
      // Refilled so slowly (one frame in ten seconds) that the test sees the burst alone.
      t = await startTestServer(backend, { ...MANY_SIGNUPS, limits: { framesPerSecond: 0.1, frameBurst: BURST, framesBeforeAuth: BEFORE_AUTH } });
    });
    afterAll(async () => t?.close());

    test('frames over the budget are dropped unhandled, with one RATE_LIMITED notice; going on closes the socket with 4029', async () => {
      const [ana, ben] = await users(t, 2);
      const dm = await direct(t, ana, ben);
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      const answers = Array.from({ length: BURST }, () => ws.request({ type: 'ping' }));
      expect((await Promise.all(answers)).every((f) => f.type === 'result')).toBe(true);

      // Over budget: neither answered nor handled (the sends are not stored), and one notice without rid says so.
      const notice = ws.next((f) => f.type === 'error' && f.rid === undefined);
      for (let i = 0; i < 5; i++) ws.send({ type: 'message.send', rid: `over${i}`, conversationId: dm, clientId: clientId(), content: text(`over ${i}`) });
      const error = await notice;
      expectErrorFrame(error, 'RATE_LIMITED');
      expect(error.details.retryAfterMs).toBeGreaterThan(0);

      // A whole burst more, and the server gives up on the connection.
      for (let i = 0; i < BURST; i++) ws.send({ type: 'ping', rid: `more${i}` });
      expect((await ws.closed).code).toBe(CloseCode.TOO_MANY_FRAMES);
      expect(ws.frames.filter((f) => typeof f.rid === 'string' && /^(over|more)/.test(f.rid))).toEqual([]);
      expect(ws.ofType('error')).toHaveLength(1);
      const history = await call(t.url, 'history', { token: ben.token, params: { conversationId: dm } });
      expect(history.body.messages).toEqual([]);
      expect(await metric(t, 'hearth_flood_disconnects_total')).toBeGreaterThanOrEqual(1);

      // The person is not locked out: a new connection has a budget of its own.
      const again = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(again);
      await expectSocketWorks(again);
    });

    test('before authentication a socket may send only a few frames; a flood of garbage closes it with 4029', async () => {
      const ws = await RawSocket.open(t.wsUrl);
      sockets.push(ws);
      for (let i = 0; i < 100; i++) ws.sendRaw('{"type":');
      expect((await ws.closed).code).toBe(CloseCode.TOO_MANY_FRAMES);
      // BEFORE_AUTH answers (INVALID_JSON), one notice, and nothing for the rest.
      expect(ws.ofType('error').map((f) => f.code)).toEqual([...Array<string>(BEFORE_AUTH).fill('INVALID_JSON'), 'RATE_LIMITED']);
    });

    test('authenticating gives the socket the full budget', async () => {
      const [dan] = await users(t, 1);
      const ws = await RawSocket.open(t.wsUrl);
      sockets.push(ws);
      for (let i = 0; i < BEFORE_AUTH - 1; i++) expectErrorFrame(await ws.request({ type: 'ping' }), 'UNAUTHENTICATED');
      expect((await ws.request({ type: 'auth', token: dan.token })).type).toBe('ready');
      const answers = await Promise.all(Array.from({ length: BURST }, () => ws.request({ type: 'ping' })));
      expect(answers.every((f) => f.type === 'result')).toBe(true);
    });
  });

  describe('a socket whose answers are not read', () => {
    const COUNT = 5000;
    let t: TestServer;
    beforeAll(async () => {
      // No frame budget and no slow-consumer limit in the way: what is left to stop the work is backpressure.
      t = await startTestServer(backend, {
        ...MANY_SIGNUPS,
        limits: { framesPerSecond: 1_000_000, frameBurst: 1_000_000, sendBufferBytes: 256 * 1024 * 1024 },
      });
    });
    afterAll(async () => t?.close());

    test('is no longer read: the server stops handling its frames until it reads again, then answers every one', async () => {
      const [ana] = await users(t, 1);
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      const serverEnd = serverEndOf(ws);
      const handled = () => metric(t, 'hearth_ws_frames_received_total{type="rejected:VALIDATION_FAILED"}');
      const before = await handled();
      tcpOf(ws).pause();
      // Small frames with large answers (a VALIDATION_FAILED listing 20 issues): megabytes of output nobody reads.
      const entities = Array.from({ length: 30 }, () => 1);
      for (let i = 0; i < COUNT; i++) ws.send({ type: 'message.send', rid: `b${i}`, conversationId: 1, clientId: 1, content: { type: 'text', text: 1, entities } });

      // The server stops reading well before the end, and stays stopped.
      let last = -1;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 300)); // polls until the count stops moving
        const now = (await handled()) - before;
        if (now === last) break;
        last = now;
      }
      expect(last).toBeLessThan(COUNT);
      expect(serverEnd.isPaused()).toBe(true);

      tcpOf(ws).resume();
      await ws.next((f) => f.rid === `b${COUNT - 1}`, 20_000, true);
      expect((await handled()) - before).toBe(COUNT);
      await expectSocketWorks(ws);
    }, 60_000);
  });

  describe('slow consumers', () => {
    const SEND_BUFFER_BYTES = 16_384;
    const TEXT_BYTES = 50_000;
    let t: TestServer;
    beforeAll(async () => {
      // Ana sends 50 KB frames back to back: her frame budget (tested on its own) is lifted.
      t = await startTestServer(backend, {
        limits: { sendBufferBytes: SEND_BUFFER_BYTES, maxTextBytes: 60_000, framesPerSecond: 1_000_000, frameBurst: 1_000_000 },
        rateLimits: { ...MANY_SIGNUPS.rateLimits, sendPerSecond: 100_000, sendBurst: 100_000 },
      });
    });
    afterAll(async () => t?.close());

    test('a socket that stops reading is closed with 4008 once its buffer passes sendBufferBytes, and the server holds no more for it', async () => {
      const [ana, ben, cat] = await users(t, 3);
      const g = await group(t, ana, [ben, cat]);
      const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
      const benWs = await RawSocket.connect(t.wsUrl, ben.token);
      const catWs = await RawSocket.connect(t.wsUrl, cat.token);
      sockets.push(anaWs, benWs, catWs);
      const benServerEnd = serverEndOf(benWs);
      const slowBefore = await metric(t, 'hearth_slow_consumer_disconnects_total');
      tcpOf(benWs).pause();

      // Send until the server gives up on ben. Each acknowledgement comes after the event was handed to every
      // member's socket, so the server's buffer for ben can be read after each one.
      const big = 'x'.repeat(TEXT_BYTES);
      let sent = 0;
      let maxHeld = 0;
      let eventBytes = 0;
      for (; sent < 2000; ) {
        const ack = await anaWs.request({ type: 'message.send', conversationId: g, clientId: clientId(), content: text(big) });
        expect(ack.type).toBe('result');
        sent++;
        // The acknowledgement carries no message: the sender's own copy of the event gives its size.
        eventBytes ||= Buffer.byteLength(JSON.stringify((await anaWs.next((f) => f.type === 'message.created' && f.message.id === ack.data.id, 5000, true))));
        maxHeld = Math.max(maxHeld, benServerEnd.writableLength);
        if ((await metric(t, 'hearth_slow_consumer_disconnects_total')) > slowBefore) break;
      }
      expect(sent).toBeLessThan(2000);
      // At most the limit plus the one event that crossed it (and the close frame) was ever held.
      expect(maxHeld).toBeLessThanOrEqual(SEND_BUFFER_BYTES + eventBytes + 1024);

      // Reading again, ben gets what was written before the decision, then the close code.
      tcpOf(benWs).resume();
      expect((await benWs.closed).code).toBe(4008);
      if (!benServerEnd.destroyed) await new Promise((resolve) => benServerEnd.once('close', resolve));
      // The event that found the buffer over the limit was not written, and nothing after it.
      for (let i = 0; i < 3; i++) await anaWs.request({ type: 'message.send', conversationId: g, clientId: clientId(), content: text(big) });
      expect(benWs.ofType('message.created').filter((f) => f.conversationId === g)).toHaveLength(sent - 1);

      // The others were served throughout, every event, and still are.
      const last = catWs.next((f) => f.type === 'message.created' && f.message.content?.type === 'text' && f.message.content.text === 'still here');
      const ack = await catWs.request({ type: 'message.send', conversationId: g, clientId: clientId(), content: text('still here') });
      expect(ack.type).toBe('result');
      await last;
      expect(catWs.ofType('message.created').filter((f) => f.conversationId === g)).toHaveLength(sent + 3 + 1);
      await expectSocketWorks(anaWs);
    });

    test('a client closed as a slow consumer can reconnect and catch up', async () => {
      const [ana, ben] = await users(t, 2);
      const dm = await direct(t, ana, ben);
      const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
      const benWs = await RawSocket.connect(t.wsUrl, ben.token);
      sockets.push(anaWs, benWs);
      const slowBefore = await metric(t, 'hearth_slow_consumer_disconnects_total');
      tcpOf(benWs).pause();
      const big = 'y'.repeat(TEXT_BYTES);
      let sent = 0;
      while ((await metric(t, 'hearth_slow_consumer_disconnects_total')) === slowBefore && sent < 2000) {
        await anaWs.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text(big) });
        sent++;
      }
      tcpOf(benWs).resume();
      expect((await benWs.closed).code).toBe(4008);
      const again = await RawSocket.connect(t.wsUrl, ben.token);
      sockets.push(again);
      const sync = await call(t.url, 'sync', { token: ben.token, body: { conversations: [{ id: dm, pts: 0 }] } });
      expect(sync.status).toBe(200);
      expect(sync.body.conversations[0].conversation.pts).toBe(sent);
      await expectSocketWorks(again);
    });
  });

  describe('floods of malformed input', () => {
    let t: TestServer;
    let ana: Account;
    let dm: string;
    beforeAll(async () => {
      // What is checked here is the answer to every bad frame, so the frame budget (tested on its own) is lifted.
      t = await startTestServer(backend, { ...MANY_SIGNUPS, limits: { framesPerSecond: 1_000_000, frameBurst: 1_000_000, framesBeforeAuth: 1_000_000 } });
      const [a, b] = await users(t, 2);
      ana = a!;
      dm = await direct(t, ana, b);
    });
    afterAll(async () => t?.close());

    /** One of a dozen kinds of bad frame, by index. */
    function badFrame(i: number, conversationId: string): { data: string | Buffer; binary?: boolean } {
      switch (i % 12) {
        case 0:
          return { data: '{"type":' };
        case 1:
          return { data: '[]' };
        case 2:
          return { data: String(i) };
        case 3:
          return { data: JSON.stringify({ type: `nope.${i}`, rid: `r${i}` }) };
        case 4:
          return { data: JSON.stringify({ type: 'message.send', rid: `r${i}` }) };
        case 5:
          return { data: JSON.stringify({ type: 'typing', conversationId: 'x', active: 'maybe' }) };
        case 6:
          return { data: Buffer.from([0xde, 0xad, 0xbe, 0xef, i & 0xff]), binary: true };
        case 7:
          return { data: JSON.stringify({ type: 'ping', padding: 'p'.repeat(70_000) }) };
        case 8:
          return { data: `${'['.repeat(2000)}${']'.repeat(2000)}` };
        case 9:
          return { data: JSON.stringify({ type: 'message.send', conversationId, clientId: 'bad id!', content: text(' ') }) };
        case 10:
          return { data: JSON.stringify({ type: '__proto__', constructor: { prototype: { polluted: true } } }) };
        default:
          return { data: '\u0000\uFFFF not json at all' };
      }
    }

    test('the server answers every one of 2,000 mixed bad frames with an error and still answers after', async () => {
      const ws = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(ws);
      const COUNT = 2000;
      for (let i = 0; i < COUNT; i++) {
        const { data, binary } = badFrame(i, dm);
        ws.sendRaw(data, binary);
      }
      await expectSocketWorks(ws);
      const errors = ws.ofType('error');
      expect(errors).toHaveLength(COUNT);
      expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['INVALID_JSON', 'VALIDATION_FAILED', 'UNKNOWN_FRAME_TYPE', 'FRAME_TOO_LARGE']));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const sent = await ws.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('after the flood') });
      expect(sent.type).toBe('result');
      await expectServerWorks(t, ana);
    });

    test('the server survives bad frames from many sockets at once, authenticated or not, and takes new ones after', async () => {
      const authed = await Promise.all([0, 1, 2].map(() => RawSocket.connect(t.wsUrl, ana.token)));
      const anonymous = await Promise.all([0, 1, 2].map(() => RawSocket.open(t.wsUrl)));
      const all = [...authed, ...anonymous];
      sockets.push(...all);
      for (let i = 0; i < 400; i++) {
        for (const s of all) {
          const { data, binary } = badFrame(i, dm);
          s.sendRaw(data, binary);
        }
      }
      await Promise.all(authed.map((s) => expectSocketWorks(s)));
      for (const s of anonymous) {
        expectErrorFrame(await s.request({ type: 'ping' }), 'UNAUTHENTICATED');
        expect((await s.request({ type: 'auth', token: ana.token })).type).toBe('ready');
        await expectSocketWorks(s);
      }
      const fresh = await RawSocket.connect(t.wsUrl, ana.token);
      sockets.push(fresh);
      await expectSocketWorks(fresh);
    });

    test('the server survives a burst of malformed HTTP requests and still answers', async () => {
      const auth = { authorization: `Bearer ${ana.token}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const bad = Array.from({ length: 300 }, (_, i) => {
        switch (i % 6) {
          case 0:
            return http(t, 'POST', '/api/sync', { headers: json, body: '{"conversations": [' });
          case 1:
            return http(t, 'POST', `/api/conversations/${dm}/messages`, { headers: json, body: JSON.stringify({ clientId: 'x', content: 42 }) });
          case 2:
            return http(t, 'GET', `/api/conversations/not-an-id/messages?limit=-1`, { headers: auth });
          case 3:
            return http(t, 'DELETE', `/api/nowhere/${i}`, { headers: auth });
          case 4:
            return http(t, 'GET', '/api/me', { headers: { authorization: `Bearer forged-${i}` } });
          default:
            return http(t, 'POST', '/api/auth/signup', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: '!', password: 1 }) });
        }
      });
      const answers = await Promise.all(bad);
      expect(answers.every((r) => r.status >= 400 && r.status < 500)).toBe(true);
      expect(answers.every((r) => typeof (r.body as any)?.code === 'string')).toBe(true);
      await expectServerWorks(t, ana);
      await send(t, ana, dm, 'after the HTTP flood');
    });
  });
});
