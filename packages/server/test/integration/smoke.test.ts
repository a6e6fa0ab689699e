import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { call, RawSocket, signUp } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(BACKENDS)('smoke (%s)', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => t?.close());

  test('a direct message reaches the other person live and is stored before its ack', async () => {
    const ana = await signUp(t.url);
    const ben = await signUp(t.url);
    const created = await call(t.url, 'createConversation', { token: ana.token, body: { kind: 'direct', userId: ben.me.id } });
    expect(created.status).toBe(200);
    const conversationId = created.body.id;
    const anaWs = await RawSocket.connect(t.wsUrl, ana.token);
    const benWs = await RawSocket.connect(t.wsUrl, ben.token);
    const incoming = benWs.next((f) => f.type === 'message.created');
    const ack = await anaWs.request({ type: 'message.send', conversationId, clientId: 'c1', content: { type: 'text', text: 'hi ben' } });
    expect(ack.type).toBe('result');
    expect(ack.data.seq).toBe(1);
    const event = await incoming;
    expect(event.message.content.text).toBe('hi ben');
    const again = await anaWs.request({ type: 'message.send', conversationId, clientId: 'c1', content: { type: 'text', text: 'hi ben' } });
    expect(again.data.id).toBe(ack.data.id);
    const history = await call(t.url, 'history', { token: ben.token, params: { conversationId } });
    expect(history.body.messages.map((m: any) => m.id)).toEqual([ack.data.id]);
    const list = await call(t.url, 'listConversations', { token: ben.token });
    expect(list.body.conversations[0].me.unreadCount).toBe(1);
    const sync = await call(t.url, 'sync', { token: ben.token, body: { conversations: [{ id: conversationId, pts: 0 }] } });
    expect(sync.status).toBe(200);
    expect(sync.body.conversations[0].events.map((e: any) => e.type)).toEqual(['message.created']);
    anaWs.close();
    benWs.close();
  });
});
