import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../../server/test/support/backends.js';
import { startPageServer, type PageServer } from '../../server/test/support/pages.js';
import { nextEvent, pair, until, useTestServer } from './support.js';

describe.each(BACKENDS)('link previews through the SDK (%s)', (backend) => {
  let pages: PageServer;
  beforeAll(async () => {
    pages = await startPageServer();
  });
  afterAll(async () => pages?.close());
  // The page server is on loopback: allowed by name, for tests only (any port, then).
  const t = useTestServer(backend, { linkPreviews: { allowHosts: ['127.0.0.1'] }, rateLimits: { signUpsPerHour: 100_000 } });

  test('a preview reaches the other member’s loaded window as message.previewed, and its removal too', async () => {
    const { ana, ben, id } = await pair(t);
    const first = await ana.client.messages.send(id, 'hello');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === first.id);
    await ben.client.messages.loadLatest(id);
    const previewed = nextEvent(ben.client, 'message.previewed');
    const sent = await ana.client.messages.send(id, `look: ${pages.url}/og`);
    expect((await previewed).messageId).toBe(sent.id);
    const held = () => ben.client.messages.window(id)?.messages.find((m) => m.id === sent.id);
    expect(held()?.linkPreview).toMatchObject({ url: `${pages.url}/og`, title: 'The & Hearth story', siteName: 'Example News' });
    expect(ben.client.conversations.get(id)?.lastMessage?.linkPreview?.title).toBe('The & Hearth story');
    await until(ana.client, () => ana.client.conversations.get(id)?.lastMessage?.linkPreview !== null);

    await ana.client.messages.removeLinkPreview(id, sent.id);
    await until(ben.client, () => held()?.linkPreview === null);
  });

  test('a preview made while a member was offline arrives with the catch-up', async () => {
    const { ana, ben, id } = await pair(t);
    const first = await ana.client.messages.send(id, 'hello');
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.id === first.id);
    ben.client.disconnect();
    const sent = await ana.client.messages.send(id, `${pages.url}/plain?offline`);
    await until(ana.client, () => ana.client.conversations.get(id)?.lastMessage?.linkPreview !== null);
    await ben.client.connect();
    await until(ben.client, () => ben.client.conversations.get(id)?.lastMessage?.linkPreview?.title === 'Plain & simple');
    expect(ben.client.conversations.get(id)?.lastMessage?.id).toBe(sent.id);
  });
});
