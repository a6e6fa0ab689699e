import net from 'node:net';
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
  http,
  issuePaths,
  MANY_SIGNUPS,
  send,
  text,
  unknownId,
  users,
  type Account,
} from '../support/fixtures.js';
import { call, RawSocket, signUp, uniqueName, type HttpResult } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MAX_TEXT_BYTES = 64;
const MAX_BODY_BYTES = 2048;
const MAX_FRAME_BYTES = 65_536;
/** The gateway's hard cap: max(1 MiB, 4 × maxFrameBytes). */
const HARD_CAP_BYTES = 1_048_576;

describe.each(BACKENDS)('bad input (%s)', (backend) => {
  let t: TestServer;
  let ana: Account;
  let ben: Account;
  let dm: string;
  let messageId: string;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    t = await startTestServer(backend, { ...MANY_SIGNUPS, limits: { maxTextBytes: MAX_TEXT_BYTES, maxBodyBytes: MAX_BODY_BYTES } });
    [ana, ben] = await users(t, 2);
    dm = await direct(t, ana!, ben!);
    messageId = (await send(t, ana!, dm, 'first')).id;
  });
  afterAll(async () => t?.close());
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  async function connect(who: Account = ana) {
    const s = await RawSocket.connect(t.wsUrl, who.token);
    sockets.push(s);
    return s;
  }
  async function open(): Promise<RawSocket> {
    const s = await RawSocket.open(t.wsUrl);
    sockets.push(s);
    return s;
  }
  const nextError = (s: RawSocket) => s.next((f) => f.type === 'error');

  describe('over WebSocket', () => {
    test('invalid JSON is answered with INVALID_JSON and the socket keeps working', async () => {
      const s = await connect();
      const answer = nextError(s);
      s.sendRaw('{"type": "ping", ');
      expectErrorFrame(await answer, 'INVALID_JSON');
      await expectSocketWorks(s);
    });

    test.each([
      ['an array', '[{"type":"ping"}]'],
      ['a number', '42'],
      ['null', 'null'],
      ['a string', '"ping"'],
    ])('a frame that is JSON but %s is answered with VALIDATION_FAILED', async (_, raw) => {
      const s = await connect();
      const answer = nextError(s);
      s.sendRaw(raw);
      const error = await answer;
      expectErrorFrame(error, 'VALIDATION_FAILED');
      expect(error.message).toMatch(/object/);
      await expectSocketWorks(s);
    });

    test('an unknown frame type is answered with UNKNOWN_FRAME_TYPE carrying the rid', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'message.explode', conversationId: dm });
      expectErrorFrame(answer, 'UNKNOWN_FRAME_TYPE');
      expect(answer.message).toContain('message.explode');
      await expectSocketWorks(s);
    });

    test('a frame without a type is answered with UNKNOWN_FRAME_TYPE carrying the rid', async () => {
      const s = await connect();
      const answer = await s.request({ conversationId: dm });
      expectErrorFrame(answer, 'UNKNOWN_FRAME_TYPE');
      await expectSocketWorks(s);
    });

    test('a frame type named like an object property is just an unknown type', async () => {
      const s = await connect();
      for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        expectErrorFrame(await s.request({ type }), 'UNKNOWN_FRAME_TYPE');
      }
      await expectSocketWorks(s);
    });

    test('a frame with missing fields is answered with VALIDATION_FAILED listing each missing field', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'message.send', conversationId: dm });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(expect.arrayContaining(['clientId', 'content']));
      await expectSocketWorks(s);
    });

    test('a frame with fields of the wrong type is answered with VALIDATION_FAILED listing each bad field', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'typing', conversationId: 42, active: 'yes' });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(expect.arrayContaining(['conversationId', 'active']));
      expect(answer.message).toMatch(/^Invalid (conversationId|active)/);
      await expectSocketWorks(s);
    });

    test('a malformed id is answered with VALIDATION_FAILED naming the field', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'message.delete', conversationId: dm, messageId: 'not-an-id' });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(['messageId']);
      await expectSocketWorks(s);
    });

    test('a binary frame is refused with VALIDATION_FAILED and the socket keeps working', async () => {
      const s = await connect();
      const answer = nextError(s);
      s.sendRaw(Buffer.from(JSON.stringify({ type: 'ping', rid: 'bin' })), true);
      const error = await answer;
      expectErrorFrame(error, 'VALIDATION_FAILED');
      expect(error.message).toMatch(/binary/i);
      await expectSocketWorks(s);
    });

    test('a frame above maxFrameBytes is refused with FRAME_TOO_LARGE and the connection stays open', async () => {
      const s = await connect();
      expect(s.ready.limits.maxFrameBytes).toBe(MAX_FRAME_BYTES);
      const answer = nextError(s);
      s.send({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('x'.repeat(MAX_FRAME_BYTES)) });
      const error = await answer;
      expectErrorFrame(error, 'FRAME_TOO_LARGE');
      expect(error.details).toEqual({ maxBytes: MAX_FRAME_BYTES });
      await expectSocketWorks(s);
    });

    test('a frame above the hard cap closes the socket with 1009 and the server takes new sockets', async () => {
      const s = await connect();
      s.sendRaw('x'.repeat(HARD_CAP_BYTES + 1));
      expect((await s.closed).code).toBe(1009);
      await expectSocketWorks(await connect());
    });

    test('a text frame that is not valid UTF-8 closes the socket with 1007 (INVALID_FRAME_PAYLOAD) and the server takes new sockets', async () => {
      const s = await connect();
      s.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
      expect((await s.closed).code).toBe(CloseCode.INVALID_FRAME_PAYLOAD);
      expect(CloseCode.INVALID_FRAME_PAYLOAD).toBe(1007);
      await expectSocketWorks(await connect());
    });

    test('a frame before auth is answered with UNAUTHENTICATED and the socket can still authenticate', async () => {
      const s = await open();
      expectErrorFrame(await s.request({ type: 'ping' }), 'UNAUTHENTICATED');
      expectErrorFrame(await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('early') }), 'UNAUTHENTICATED');
      const ready = await s.request({ type: 'auth', token: ana.token });
      expect(ready.type).toBe('ready');
      await expectSocketWorks(s);
    });

    test('a second auth is answered with ALREADY_AUTHENTICATED and the socket stays signed in as before', async () => {
      const s = await connect(ana);
      const again = await s.request({ type: 'auth', token: ben.token });
      expectErrorFrame(again, 'ALREADY_AUTHENTICATED');
      const sent = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('still ana') });
      expect(sent.type).toBe('result');
      const echo = await s.next((f) => f.type === 'message.created' && f.message.id === sent.data.id, 5000, true);
      expect(echo.message.senderId).toBe(ana.me.id);
    });

    test('a second auth sent while the first is still being checked is answered with ALREADY_AUTHENTICATED', async () => {
      const s = await open();
      const first = s.next((f) => f.rid === 'a1');
      const second = s.next((f) => f.rid === 'a2');
      s.send({ type: 'auth', rid: 'a1', token: ana.token });
      s.send({ type: 'auth', rid: 'a2', token: ben.token });
      const [ready, refused] = await Promise.all([first, second]);
      expect(ready.type).toBe('ready');
      expect(ready.me.id).toBe(ana.me.id);
      expectErrorFrame(refused, 'ALREADY_AUTHENTICATED', 'a2');
      await expectSocketWorks(s);
      expect(s.frames.filter((f) => f.type === 'ready')).toHaveLength(1);
    });

    test.each([
      ['too long', 'r'.repeat(65)],
      ['empty', ''],
      ['a number', 7],
    ])('a rid that is %s is answered with VALIDATION_FAILED without a rid', async (_, rid) => {
      const s = await connect();
      const answer = nextError(s);
      s.send({ type: 'ping', rid });
      const error = await answer;
      expectErrorFrame(error, 'VALIDATION_FAILED');
      expect(error.rid).toBeUndefined();
      expect(issuePaths(error)).toEqual(['rid']);
      await expectSocketWorks(s);
    });

    test('unknown extra fields in a frame are ignored', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'ping', colour: 'blue', nested: { deep: [1, 2, 3] } });
      expect(answer.type).toBe('result');
    });

    test('an invalid token is answered with UNAUTHENTICATED, then the socket is closed with 4001', async () => {
      const s = await open();
      const answer = await s.request({ type: 'auth', token: 'not-a-real-token' });
      expectErrorFrame(answer, 'UNAUTHENTICATED');
      expect((await s.closed).code).toBe(4001);
      await expectSocketWorks(await connect());
    });

    test('a message text above maxTextBytes is refused with MESSAGE_TOO_LARGE and nothing is stored', async () => {
      const s = await connect();
      expect(s.ready.limits.maxTextBytes).toBe(MAX_TEXT_BYTES);
      const before = await call(t.url, 'history', { token: ana.token, params: { conversationId: dm } });
      const answer = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('x'.repeat(MAX_TEXT_BYTES + 1)) });
      expectErrorFrame(answer, 'MESSAGE_TOO_LARGE');
      expect(answer.details).toEqual({ maxBytes: MAX_TEXT_BYTES });
      const after = await call(t.url, 'history', { token: ana.token, params: { conversationId: dm } });
      expect(after.body.messages).toEqual(before.body.messages);
      const atLimit = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('x'.repeat(MAX_TEXT_BYTES)) });
      expect(atLimit.type).toBe('result');
    });

    test('the text limit counts UTF-8 bytes, not characters', async () => {
      const s = await connect();
      // 22 characters, 66 bytes.
      const answer = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('€'.repeat(22)) });
      expectErrorFrame(answer, 'MESSAGE_TOO_LARGE');
      await expectSocketWorks(s);
    });

    test('an edit above maxTextBytes is refused with MESSAGE_TOO_LARGE', async () => {
      const s = await connect();
      const answer = await s.request({ type: 'message.edit', conversationId: dm, messageId, content: text('y'.repeat(MAX_TEXT_BYTES + 1)) });
      expectErrorFrame(answer, 'MESSAGE_TOO_LARGE');
      const message = await call(t.url, 'getMessage', { token: ana.token, params: { conversationId: dm, messageId } });
      expect(message.body.editedAt).toBeNull();
      await expectSocketWorks(s);
    });

    test('an entity that lies outside the text is refused with VALIDATION_FAILED', async () => {
      const s = await connect();
      const content = text('hi @ben', [{ type: 'mention', offset: 3, length: 10, userId: ben.me.id }]);
      const answer = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(['content.entities.0']);
      expect(answer.message).toMatch(/outside the text/);
      await expectSocketWorks(s);
    });

    test.each([
      ['plain letters', 'ok'],
      ['two emoji', '👍👍'],
      ['an empty string', ''],
      ['an emoji with text', '👍 yes'],
    ])('a reaction that is %s, not a single emoji, is refused with VALIDATION_FAILED', async (_, emoji) => {
      const s = await connect();
      const answer = await s.request({ type: 'reaction.add', conversationId: dm, messageId, emoji });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(['emoji']);
      const ok = await s.request({ type: 'reaction.add', conversationId: dm, messageId, emoji: '👍🏽' });
      expect(ok.type).toBe('result');
    });

    test.each([
      ['spaces and newlines', ' \n\t '],
      ['empty', ''],
    ])('a text that is %s is refused with VALIDATION_FAILED', async (_, body) => {
      const s = await connect();
      const answer = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text(body) });
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(new Set(issuePaths(answer))).toEqual(new Set(['content.text']));
      await expectSocketWorks(s);
    });

    test.each([
      ['sent', (content: unknown) => ({ type: 'message.send', conversationId: dm, clientId: clientId(), content })],
      ['an edit', (content: unknown) => ({ type: 'message.edit', conversationId: dm, messageId, content })],
    ])('a system line as the content of a message %s is refused with VALIDATION_FAILED: only the server writes them', async (_, frame) => {
      const s = await connect();
      const answer = await s.request(frame({ type: 'system', event: 'member.joined', userIds: [ana.me.id], title: null, topic: null }));
      expectErrorFrame(answer, 'VALIDATION_FAILED');
      expect(issuePaths(answer)).toEqual(['content.type']);
      await expectSocketWorks(s);
    });

    test('a refused frame sends nothing to the other members', async () => {
      const s = await connect(ana);
      const peer = await connect(ben);
      await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text(' ') });
      await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('z'.repeat(MAX_TEXT_BYTES + 1)) });
      await s.request({ type: 'reaction.add', conversationId: dm, messageId, emoji: 'nope' });
      const good = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text('the good one') });
      const event = await peer.next((f) => f.type === 'message.created');
      expect(event.message.id).toBe(good.data.id);
      expect(peer.frames.filter((f) => f.conversationId === dm)).toEqual([event]);
    });
  });

  describe('over HTTP', () => {
    test('a body that is not valid JSON is answered 400 INVALID_JSON', async () => {
      const res = await http(t, 'POST', '/api/auth/signin', { headers: { 'content-type': 'application/json' }, body: '{"username": "ana",' });
      expectError(res, 400, 'INVALID_JSON');
      const ok = await call(t.url, 'signIn', { body: { username: ana.me.username, password: ana.password } });
      expect(ok.status).toBe(200);
    });

    test('an empty body declared as JSON is answered 400 INVALID_JSON', async () => {
      const res = await http(t, 'POST', '/api/sync', { headers: { 'content-type': 'application/json', authorization: `Bearer ${ana.token}` }, body: '' });
      expectError(res, 400, 'INVALID_JSON');
      await expectServerWorks(t, ana);
    });

    test.each([
      ['text/plain', JSON.stringify({ username: 'ana', password: 'whatever' })],
      ['application/x-www-form-urlencoded', 'username=ana&password=whatever'],
    ])('a body sent as %s is answered 400 VALIDATION_FAILED asking for JSON', async (contentType, body) => {
      const res = await http(t, 'POST', '/api/auth/signin', { headers: { 'content-type': contentType }, body });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect((res.body as any).message).toMatch(/application\/json/);
      await expectServerWorks(t, ana);
    });

    test.each([
      ['an array', '[1, 2]'],
      ['a number', '42'],
      ['a string', '"ana"'],
    ])('a JSON body that is %s is answered 400 VALIDATION_FAILED with a plain message', async (_, body) => {
      const res = await http(t, 'POST', '/api/auth/signin', { headers: { 'content-type': 'application/json' }, body });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body as any)).toEqual(['']);
      expect((res.body as any).message).toMatch(/^Invalid input: expected object/);
      await expectServerWorks(t, ana);
    });

    test.each([
      ['PATCH /api/me', 'updateMe'],
      ['PATCH …/settings', 'updateMySettings'],
    ] as const)('a JSON body of null on %s is answered 400 VALIDATION_FAILED and changes nothing', async (_, name) => {
      const s = await connect(ana);
      const path = name === 'updateMe' ? '/api/me' : `/api/conversations/${dm}/settings`;
      const res = await http(t, 'PATCH', path, { headers: { 'content-type': 'application/json', authorization: `Bearer ${ana.token}` }, body: 'null' });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect((res.body as any).message).toMatch(/expected object/);
      // Events are written before the HTTP answer; a ping answered after it proves none was sent.
      await expectSocketWorks(s);
      expect(s.frames.filter((f) => f.type === 'me.updated' || f.type === 'conversation.settings')).toEqual([]);
    });

    test.each([
      ['a malformed percent-encoding', '/api/users/%ZZ'],
      ['a path parameter longer than 200 characters', `/api/users/${'a'.repeat(201)}`],
    ])('%s is answered 400 VALIDATION_FAILED in the documented error shape', async (_, path) => {
      const res = await http(t, 'GET', path, { headers: { authorization: `Bearer ${ana.token}` } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message']);
      expect(JSON.stringify(res.body)).not.toMatch(/FST_/);
      await expectServerWorks(t, ana);
    });

    test('a request the HTTP parser refuses (a Content-Length that is not a number) is answered in the error shape', async () => {
      const raw = await rawHttp(t, 'POST /api/auth/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: lots\r\n\r\n{}');
      expect(raw.status).toBe(400);
      const body = JSON.parse(raw.body) as { code: string; message: string };
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(body).sort()).toEqual(['code', 'message']);
      await expectServerWorks(t, ana);
    });

    test('a body shorter than its Content-Length is answered in the error shape', async () => {
      const raw = await rawHttp(t, 'POST /api/auth/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{}', true);
      expect(raw.status).toBe(400);
      expect((JSON.parse(raw.body) as { code: string }).code).toBe('VALIDATION_FAILED');
    });

    test('a body above maxBodyBytes is answered 413 PAYLOAD_TOO_LARGE', async () => {
      const body = JSON.stringify({ conversations: [], padding: 'p'.repeat(MAX_BODY_BYTES) });
      const res = await http(t, 'POST', '/api/sync', { headers: { 'content-type': 'application/json', authorization: `Bearer ${ana.token}` }, body });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      const ok = await call(t.url, 'sync', { token: ana.token, body: { conversations: [] } });
      expect(ok.status).toBe(200);
    });

    test('a message text above maxTextBytes is answered 413 MESSAGE_TOO_LARGE', async () => {
      const res = await call(t.url, 'sendMessage', {
        token: ana.token,
        params: { conversationId: dm },
        body: { clientId: clientId(), content: text('x'.repeat(MAX_TEXT_BYTES + 1)) },
      });
      expectError(res, 413, 'MESSAGE_TOO_LARGE');
      expect(res.body.details).toEqual({ maxBytes: MAX_TEXT_BYTES });
      await send(t, ana, dm, 'short enough');
    });

    test('a system line as the content of a message sent over HTTP is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'sendMessage', {
        token: ana.token,
        params: { conversationId: dm },
        body: { clientId: clientId(), content: { type: 'system', event: 'member.left', userIds: [ana.me.id], title: null, topic: null } },
      });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['content.type']);
    });

    test.each([
      ['no target', { targets: [] }, 'targets'],
      ['eleven targets', { targets: Array.from({ length: 11 }, () => ({ type: 'user', userId: unknownId() })) }, 'targets'],
      ['a target of an unknown type', { targets: [{ type: 'channel', conversationId: unknownId() }] }, 'targets.0.type'],
      ['a comment with the copies’ clientId', { targets: [{ type: 'user', userId: unknownId() }], comment: { clientId: 'same', content: text('hi') } }, 'comment.clientId'],
      ['a blank comment', { targets: [{ type: 'user', userId: unknownId() }], comment: { clientId: 'other', content: text(' ') } }, 'comment.content.text'],
    ])('a forward with %s is answered 400 VALIDATION_FAILED, naming the field', async (_, fields, path) => {
      const res = await call(t.url, 'forwardMany', { token: ana.token, body: { clientId: 'same', from: { conversationId: dm, messageId }, ...fields } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual([path]);
    });

    test('a forward whose comment is above maxTextBytes is answered 413 MESSAGE_TOO_LARGE, and nothing is sent', async () => {
      const before = await call(t.url, 'history', { token: ana.token, params: { conversationId: dm } });
      const res = await call(t.url, 'forwardMany', {
        token: ana.token,
        body: { clientId: clientId(), from: { conversationId: dm, messageId }, targets: [{ type: 'conversation', conversationId: dm }], comment: { clientId: clientId(), content: text('z'.repeat(MAX_TEXT_BYTES + 1)) } },
      });
      expectError(res, 413, 'MESSAGE_TOO_LARGE');
      expect((await call(t.url, 'history', { token: ana.token, params: { conversationId: dm } })).body).toEqual(before.body);
    });

    test.each([
      ['getConversation', { conversationId: 'not-a-uuid' }, 'conversationId'],
      ['history', { conversationId: '123' }, 'conversationId'],
      ['previewChannel', { conversationId: 'general' }, 'conversationId'],
      ['getUser', { userId: 'ana' }, 'userId'],
      ['revokeSession', { sessionId: 'current' }, 'sessionId'],
    ] as const)('a malformed id in the path of %s is answered 400 VALIDATION_FAILED', async (endpoint, params, field) => {
      const res = await call(t.url, endpoint, { token: ana.token, params });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual([field]);
      await expectServerWorks(t, ana);
    });

    test('a malformed message id in a path is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'getMessage', { token: ana.token, params: { conversationId: dm, messageId: 'x' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['messageId']);
    });

    test('a reaction path that is not a single emoji is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'addReaction', { token: ana.token, params: { conversationId: dm, messageId, emoji: 'thumbsup' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['emoji']);
      const ok = await call(t.url, 'addReaction', { token: ana.token, params: { conversationId: dm, messageId, emoji: '🎉' } });
      expect(ok.status).toBe(200);
    });

    test('a malformed query is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'history', { token: ana.token, params: { conversationId: dm }, query: { limit: 'lots' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['limit']);
    });

    test('an unknown route is answered 404 ROUTE_NOT_FOUND', async () => {
      const res = await http(t, 'GET', '/api/no-such-thing?x=1', { headers: { authorization: `Bearer ${ana.token}` } });
      expectError(res, 404, 'ROUTE_NOT_FOUND');
      expect((res.body as any).message).toContain('/api/no-such-thing');
      expect((res.body as any).message).not.toContain('x=1');
      await expectServerWorks(t, ana);
    });

    test('a known path with a method it does not take is answered 404 ROUTE_NOT_FOUND', async () => {
      const res = await http(t, 'PUT', '/api/me', { headers: { authorization: `Bearer ${ana.token}` } });
      expectError(res, 404, 'ROUTE_NOT_FOUND');
    });

    test('a request without a bearer token is answered 401 UNAUTHENTICATED', async () => {
      const res = await call(t.url, 'getMe');
      expectError(res, 401, 'UNAUTHENTICATED');
    });

    test.each([
      ['an unknown token', 'Bearer not-a-token'],
      ['an empty bearer', 'Bearer '],
      ['another scheme', `Basic ${Buffer.from('ana:pw').toString('base64')}`],
      ['a token without its scheme', 'TOKEN'],
    ])('a request with %s is answered 401 UNAUTHENTICATED', async (_, authorization) => {
      const res = await http(t, 'GET', '/api/me', { headers: { authorization } });
      expectError(res, 401, 'UNAUTHENTICATED');
      await expectServerWorks(t, ana);
    });

    test('an authentication failure comes before any validation of the request', async () => {
      const res = await call(t.url, 'getConversation', { params: { conversationId: 'not-a-uuid' } });
      expectError(res, 401, 'UNAUTHENTICATED');
    });

    test.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(33)],
      ['with a forbidden character', 'ana!'],
      ['with a space inside', 'an a'],
      ['starting with a dot', '.ana'],
      ['empty', ''],
    ])('sign-up with a username %s is answered 400 VALIDATION_FAILED', async (_, username) => {
      const res = await call(t.url, 'signUp', { body: { username, displayName: 'Ana', password: 'long enough password' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['username']);
      expect(res.body.message).toMatch(/username/);
      await signUp(t.url);
    });

    test('sign-up with a short password is answered 400 VALIDATION_FAILED without echoing it', async () => {
      const res = await call(t.url, 'signUp', { body: { username: uniqueName(), displayName: 'Ana', password: 'sEcr3t' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['password']);
      expect(res.body.message).toMatch(/at least 8/);
      expect(JSON.stringify(res.body)).not.toContain('sEcr3t');
    });

    test('sign-up with a display name of control characters is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'signUp', { body: { username: uniqueName(), displayName: 'An\u0007a', password: 'long enough password' } });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['displayName']);
    });

    test('sign-up with a taken username is answered 409 USERNAME_TAKEN', async () => {
      const name = uniqueName('dup');
      await signUp(t.url, name);
      const res = await call(t.url, 'signUp', { body: { username: name, displayName: 'Other', password: 'long enough password' } });
      expectError(res, 409, 'USERNAME_TAKEN');
      await signUp(t.url);
    });

    test('a username differing only in case or surrounding spaces is taken too', async () => {
      const name = uniqueName('case');
      await signUp(t.url, name);
      const res = await call(t.url, 'signUp', { body: { username: `  ${name.toUpperCase()} `, displayName: 'Other', password: 'long enough password' } });
      expectError(res, 409, 'USERNAME_TAKEN');
    });

    test('a missing body on an endpoint that needs one is answered 400 VALIDATION_FAILED', async () => {
      const res = await call(t.url, 'createConversation', { token: ana.token });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual(['kind']);
    });

    test('an unknown user id is answered 404 USER_NOT_FOUND', async () => {
      const res = await call(t.url, 'getUser', { token: ana.token, params: { userId: unknownId() } });
      expectError(res, 404, 'USER_NOT_FOUND');
    });
  });

  describe('text fields (NUL, control characters, lone surrogates)', () => {
    const NUL = 'a\u0000b';
    const LONE = 'a\ud800b';
    const PASSWORD = 'long enough password';
    type Attempt = (bad: string) => Promise<HttpResult>;

    /** Every text field a request can carry to the database, with how to send a value in it. */
    const fields: Array<[string, string, Attempt]> = [
      ['sign-up deviceName', 'deviceName', (v) => call(t.url, 'signUp', { body: { username: uniqueName(), displayName: 'Ana', password: PASSWORD, deviceName: v } })],
      ['sign-up displayName', 'displayName', (v) => call(t.url, 'signUp', { body: { username: uniqueName(), displayName: v, password: PASSWORD } })],
      ['sign-up username', 'username', (v) => call(t.url, 'signUp', { body: { username: v, displayName: 'Ana', password: PASSWORD } })],
      ['sign-in username', 'username', (v) => call(t.url, 'signIn', { body: { username: v, password: PASSWORD } })],
      ['sign-in deviceName', 'deviceName', (v) => call(t.url, 'signIn', { body: { username: ana.me.username, password: ana.password, deviceName: v } })],
      ['user search q', 'q', (v) => call(t.url, 'searchUsers', { token: ana.token, query: { q: v } })],
      ['channel search q', 'q', (v) => call(t.url, 'browseChannels', { token: ana.token, query: { q: v } })],
      ['profile displayName', 'displayName', (v) => call(t.url, 'updateMe', { token: ana.token, body: { displayName: v } })],
      ['profile statusText', 'statusText', (v) => call(t.url, 'updateMe', { token: ana.token, body: { statusText: v } })],
      ['new channel title', 'title', (v) => call(t.url, 'createConversation', { token: ana.token, body: { kind: 'channel', title: v } })],
      ['new group topic', 'topic', (v) => call(t.url, 'createConversation', { token: ana.token, body: { kind: 'group', title: 'G', topic: v } })],
      ['renamed title', 'title', (v) => call(t.url, 'updateConversation', { token: ana.token, params: { conversationId: groupId }, body: { title: v } })],
      ['changed topic', 'topic', (v) => call(t.url, 'updateConversation', { token: ana.token, params: { conversationId: groupId }, body: { topic: v } })],
      ['message text', 'content.text', (v) => call(t.url, 'sendMessage', { token: ana.token, params: { conversationId: dm }, body: { clientId: clientId(), content: text(v) } })],
      ['edited text', 'content.text', (v) => call(t.url, 'editMessage', { token: ana.token, params: { conversationId: dm, messageId }, body: { content: text(v) } })],
    ];
    let groupId: string;
    beforeAll(async () => {
      groupId = (await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'group', title: 'text fields' } })).body.id;
    });

    test.each(fields)('a NUL character in the %s is answered 400 VALIDATION_FAILED', async (_, path, attempt) => {
      const res = await attempt(NUL);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual([path]);
      await expectServerWorks(t, ana);
    });

    // A query string is percent-encoded UTF-8, which cannot carry a lone surrogate (invalid bytes decode to U+FFFD).
    test.each(fields.filter(([, path]) => path !== 'q'))('a lone surrogate in the %s is answered 400 VALIDATION_FAILED', async (_, path, attempt) => {
      const res = await attempt(LONE);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(issuePaths(res.body)).toEqual([path]);
    });

    test.each(fields.filter(([, path]) => !['topic', 'content.text'].includes(path)))(
      'a control character in the one-line %s is answered 400 VALIDATION_FAILED',
      async (_, path, attempt) => {
        const res = await attempt('a\u001bb');
        expectError(res, 400, 'VALIDATION_FAILED');
        expect(issuePaths(res.body)).toEqual([path]);
      },
    );

    test('a refused sign-up leaves no account behind: the same username signs up afterwards', async () => {
      const username = uniqueName('nul');
      const refused = await call(t.url, 'signUp', { body: { username, displayName: 'Nul', password: PASSWORD, deviceName: NUL } });
      expectError(refused, 400, 'VALIDATION_FAILED');
      const found = await call(t.url, 'searchUsers', { token: ana.token, query: { q: username } });
      expect(found.body.users).toEqual([]);
      const again = await call(t.url, 'signUp', { body: { username, displayName: 'Nul', password: PASSWORD, deviceName: 'Laptop' } });
      expect(again.status).toBe(200);
    });

    test('a NUL or lone surrogate in a message.send frame is answered with VALIDATION_FAILED and nothing is stored', async () => {
      const s = await connect(ana);
      for (const bad of [NUL, LONE]) {
        const answer = await s.request({ type: 'message.send', conversationId: dm, clientId: clientId(), content: text(bad) });
        expectErrorFrame(answer, 'VALIDATION_FAILED');
        expect(issuePaths(answer)).toEqual(['content.text']);
      }
      const history = await call(t.url, 'history', { token: ana.token, params: { conversationId: dm } });
      expect(history.body.messages.map((m: any) => m.content?.text)).not.toContain(NUL);
    });

    test('tabs and line breaks stay allowed in a topic and a message; text outside the BMP round-trips exactly', async () => {
      const topic = 'line one\n\tline two 🔥';
      const updated = await call(t.url, 'updateConversation', { token: ana.token, params: { conversationId: groupId }, body: { title: 'Fire 🔥 𝔸', topic } });
      expect(updated.status).toBe(200);
      expect([updated.body.title, updated.body.topic]).toEqual(['Fire 🔥 𝔸', topic]);
      const me = await call(t.url, 'updateMe', { token: ana.token, body: { statusText: 'Away 🏖️ 𝄞' } });
      expect(me.body.statusText).toBe('Away 🏖️ 𝄞');
      const again = await call(t.url, 'getConversation', { token: ana.token, params: { conversationId: groupId } });
      expect([again.body.title, again.body.topic]).toEqual(['Fire 🔥 𝔸', topic]);
      const sent = await send(t, ana, dm, 'code:\n\tindented 𝄞');
      expect(sent.content.text).toBe('code:\n\tindented 𝄞');
    });
  });

  describe('auth deadline', () => {
    let short: TestServer;
    beforeAll(async () => {
      short = await startTestServer(backend, { ...MANY_SIGNUPS, authTimeoutMs: 500 });
    });
    afterAll(async () => short?.close());

    test('a socket that does not authenticate within authTimeoutMs is closed with 4002', async () => {
      const s = await RawSocket.open(short.wsUrl);
      sockets.push(s);
      const opened = Date.now();
      expect((await s.closed).code).toBe(4002);
      expect(Date.now() - opened).toBeGreaterThanOrEqual(450);
    });

    test('frames other than auth do not postpone the auth deadline', async () => {
      const s = await RawSocket.open(short.wsUrl);
      sockets.push(s);
      for (let i = 0; i < 5; i++) expectErrorFrame(await s.request({ type: 'ping' }), 'UNAUTHENTICATED');
      expect((await s.closed).code).toBe(4002);
    });

    test('a socket that authenticates in time stays open past the deadline', async () => {
      const [dan] = await users(short, 1);
      const s = await RawSocket.connect(short.wsUrl, dan.token);
      sockets.push(s);
      // A second socket left unauthenticated is closed at the deadline; the authenticated one is still open then.
      const idle = await RawSocket.open(short.wsUrl);
      sockets.push(idle);
      expect((await idle.closed).code).toBe(4002);
      await expectSocketWorks(s);
    });
  });
});

/**
 * Writes `request` as it is on a fresh TCP connection (for requests fetch refuses to send) and reads the answer
 * until the server closes or a whole body has arrived; `halfClose` ends the client's side after writing.
 */
async function rawHttp(t: TestServer, request: string, halfClose = false): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(t.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(request);
  if (halfClose) socket.end();
  let raw = '';
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(raw.slice(0, split))?.[1];
      if (split >= 0 && length !== undefined && Buffer.byteLength(raw.slice(split + 4)) >= Number(length)) done();
    });
    socket.once('close', done);
    socket.once('error', done);
    setTimeout(done, 5000).unref();
  });
  socket.destroy();
  const split = raw.indexOf('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1] ?? 0), headers: raw.slice(0, split), body: raw.slice(split + 4) };
}
