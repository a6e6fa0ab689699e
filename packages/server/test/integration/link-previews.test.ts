import type { LinkPreview, Message, SyncResponse } from '@hearth/protocol';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { startPageServer, type PageServer } from '../support/pages.js';
import { nextClientId, startScenario, text, until, type Person, type Scenario } from '../support/scenario.js';

/** The read of each page (and of its image) is cut off after this; the slow page must fail within it. */
const TIMEOUT_MS = 1500;

/** Waits until the server has made (or given up) every preview under way. */
const settled = (s: Scenario) => s.t.server.services.linkPreviews.idle();

/** Why the server has no preview of `url`, as its cache records it (undefined when it never tried). */
async function failureOf(s: Scenario, url: string): Promise<string | null | undefined> {
  const row = await s.t.server.services.database.db.selectFrom('link_preview_cache').select('failure').where('url', '=', url).executeTakeFirst();
  return row?.failure;
}

async function image(s: Scenario, p: Person, path: string): Promise<Response> {
  return fetch(new URL(path, s.url), { headers: { authorization: `Bearer ${p.token}` } });
}

describe.each(BACKENDS)('link previews (%s)', (backend) => {
  let pages: PageServer;
  let s: Scenario;
  beforeAll(async () => {
    pages = await startPageServer();
    // The page server is on loopback: allowed by name for these tests only, as an intranet would configure it.
    s = await startScenario(backend, { linkPreviews: { allowHosts: ['127.0.0.1'], ports: [pages.port], timeoutMs: TIMEOUT_MS } });
  });
  afterEach(async () => s.disconnectAll());
  afterAll(async () => {
    await s?.close();
    await pages?.close();
  });

  test('the page of the first link reaches every member as message.previewed, with its image served by Hearth to members only; history and sync carry it', async () => {
    const [ana, ben, cleo] = await s.people(3);
    const group = await s.group(ana!, [ben!]);
    const [anaWs, benWs] = [await s.connect(ana!), await s.connect(ben!)];
    const link = `${pages.url}/og`;
    const sent = await s.post(ana!, group.id, `read this: ${link} and ${pages.url}/plain`);
    expect(sent.linkPreview).toBeNull();
    const events = await Promise.all([anaWs, benWs].map((ws) => until(ws, (f) => f.type === 'message.previewed' && f.messageId === sent.id)));
    const preview = events[1]!.linkPreview as LinkPreview;
    expect(events[0]).toEqual(events[1]);
    expect(events[1]).toMatchObject({ conversationId: group.id, seq: sent.seq, pts: sent.seq + 1 });
    expect(preview).toMatchObject({ url: link, title: 'The & Hearth story', description: 'How a chat server reads a page, safely.', siteName: 'Example News' });
    expect(preview.image).toMatchObject({ width: 600, height: 315 });

    const res = await image(s, ben!, preview.image!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 600, 315]);
    // Someone outside the conversation learns nothing, not even that it exists.
    const outsider = await image(s, cleo!, preview.image!.url);
    expect([outsider.status, ((await outsider.json()) as { code: string }).code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
    expect((await fetch(new URL(preview.image!.url, s.url))).status).toBe(401);

    const history = await s.history(ben!, group.id);
    expect(history.find((m) => m.id === sent.id)?.linkPreview).toEqual(preview);
    // A client that held the conversation at the message catches up with the preview.
    const sync = await s.ok<SyncResponse>(ben!, 'sync', { body: { conversations: [{ id: group.id, pts: sent.seq }] } });
    expect(sync.conversations[0]!.events).toEqual([events[1]]);
  });

  test('a second message with the same link is previewed from the cache: the page is read once', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const link = `${pages.url}/og2`;
    const before = pages.hits('/image.png');
    const first = await s.post(ana!, group.id, link);
    const second = await s.post(ana!, group.id, `again ${link}`);
    const [a, b] = await Promise.all([first, second].map((m) => until(benWs, (f) => f.type === 'message.previewed' && f.messageId === m.id)));
    expect(b!.linkPreview).toMatchObject({ ...a!.linkPreview, image: { width: 600, height: 315 } });
    const third = await s.post(ben!, group.id, `and once more ${link}`);
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === third.id);
    expect(pages.hits('/og2')).toBe(1);
    expect(pages.hits('/image.png') - before).toBe(1);
    const metrics = await (await fetch(`${s.t.server.metricsUrl!}/metrics`)).text();
    expect(metrics).toMatch(/^hearth_link_preview_reads_total\{outcome="ok"\} [1-9]/m);
  });

  test('what a page gave is kept for a day: after that, the page is read again', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const link = `${pages.url}/plain?ttl`;
    const first = await s.post(ana!, group.id, link);
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === first.id);
    const read = pages.hits('/plain');
    s.clock.advance(25 * 3600_000);
    const second = await s.post(ana!, group.id, link);
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === second.id);
    expect(pages.hits('/plain')).toBe(read + 1);
  });

  test('an edit to another link replaces the preview, an edit without a link removes it, a delete drops it', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const sent = await s.post(ana!, group.id, `${pages.url}/plain`);
    const first = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id);
    expect(first.linkPreview).toMatchObject({ title: 'Plain & simple', description: 'Only a title and a description', siteName: null, image: null });

    const edit = (words: string) => s.ok<Message>(ana!, 'editMessage', { params: { conversationId: group.id, messageId: sent.id }, body: { content: text(words) } });
    await edit(`now ${pages.url}/other`);
    const cleared = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.linkPreview === null);
    const replaced = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.linkPreview?.title === 'Another page');
    expect(replaced.pts).toBeGreaterThan(cleared.pts);
    // Editing the words around the same link keeps the preview: no event, no read.
    const kept = await edit(`still ${pages.url}/other`);
    expect(kept.linkPreview).toEqual(replaced.linkPreview);

    await edit('no link any more');
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.pts > replaced.pts && f.linkPreview === null);
    await edit(`${pages.url}/plain`);
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.linkPreview?.title === 'Plain & simple');
    await s.ok(ana!, 'deleteMessage', { params: { conversationId: group.id, messageId: sent.id } });
    const history = await s.history(ben!, group.id);
    expect(history.find((m) => m.id === sent.id)).toMatchObject({ content: null, linkPreview: null });
    expect(pages.hits('/other')).toBe(1);
  });

  test('the author may remove a preview, for good while the link stays; other members may not', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const sent = await s.post(ana!, group.id, `${pages.url}/plain?remove`);
    const shown = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id);
    const params = { conversationId: group.id, messageId: sent.id };
    expect((await s.http(ben!, 'removeLinkPreview', { params })).body).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await s.ok<Message>(ana!, 'removeLinkPreview', { params })).toMatchObject({ id: sent.id, linkPreview: null });
    const removed = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.pts > shown.pts);
    expect(removed.linkPreview).toBeNull();
    // Again: nothing changes. An edit that keeps the link does not bring the preview back.
    await s.ok(ana!, 'removeLinkPreview', { params });
    const edited = await s.ok<Message>(ana!, 'editMessage', { params, body: { content: text(`the same ${pages.url}/plain?remove`) } });
    expect(edited.linkPreview).toBeNull();
    await settled(s);
    expect((await s.history(ben!, group.id)).find((m) => m.id === sent.id)?.linkPreview).toBeNull();
    expect(benWs.frames.filter((f) => f.type === 'message.previewed' && f.messageId === sent.id)).toHaveLength(2);
    // An edit to another link is previewed again.
    await s.ok<Message>(ana!, 'editMessage', { params, body: { content: text(`${pages.url}/other?remove`) } });
    await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id && f.linkPreview?.title === 'Another page');
  });

  test('links in code are not previewed; bad HTML in a legacy encoding still is', async () => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const sent = await s.post(ana!, group.id, `\`${pages.url}/empty\` then ${pages.url}/latin1`);
    const event = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id);
    expect(event.linkPreview).toMatchObject({ url: `${pages.url}/latin1`, title: 'Café crème', description: 'déjà vu', image: null });
    expect(pages.hits('/empty')).toBe(0);
  });

  test.each([
    ['a decompression bomb', '/with-bomb'],
    ['an SVG', '/with-svg'],
    ['HTML claiming to be a PNG', '/with-fake'],
  ])('an image that is %s is left out: the preview comes without it', async (_what, path) => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const sent = await s.post(ana!, group.id, `${pages.url}${path}`);
    const event = await until(benWs, (f) => f.type === 'message.previewed' && f.messageId === sent.id);
    expect(event.linkPreview).toMatchObject({ title: expect.stringMatching(/^Image /), image: null });
  });

  test.each([
    ['a page over the size cap', '/big', 'too-large'],
    ['a compressed page that inflates past the cap', '/gzip-bomb', 'too-large'],
    ['a page that never ends', '/slow', 'timeout'],
    ['something other than HTML', '/json', 'unsupported-type'],
    ['a redirect loop', '/loop', 'too-many-redirects'],
    ['a redirect from an allowed host to loopback by name', '/to-localhost', 'blocked-address'],
    ['a page with nothing to show', '/empty', 'empty'],
    ['a missing page', '/missing', 'bad-status'],
  ])('%s gives no preview, within the time cap, and the server carries on', async (_what, path, failure) => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const benWs = await s.connect(ben!);
    const started = Date.now();
    const sent = await s.post(ana!, group.id, `${pages.url}${path}`);
    await settled(s);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    expect(await failureOf(s, `${pages.url}${path}`)).toBe(failure);
    expect(benWs.frames.some((f) => f.type === 'message.previewed')).toBe(false);
    expect((await s.history(ben!, group.id)).find((m) => m.id === sent.id)?.linkPreview).toBeNull();
    if (path === '/to-localhost') expect(pages.hits('/og')).toBe(1);
    // Still serving.
    await s.ok(ana!, 'sendMessage', { params: { conversationId: group.id }, body: { clientId: nextClientId(), content: text('alive') } });
  });
});

describe.each(BACKENDS)('link previews with the default address rules (%s)', (backend) => {
  let pages: PageServer;
  let s: Scenario;
  beforeAll(async () => {
    pages = await startPageServer();
    // No allow-list: the page server's port is allowed, so that the address rules alone refuse.
    s = await startScenario(backend, { linkPreviews: { ports: [pages.port], timeoutMs: TIMEOUT_MS } });
  });
  afterAll(async () => {
    await s?.close();
    await pages?.close();
  });

  test.each([
    ['loopback', (p: number) => `http://127.0.0.1:${p}/og`],
    ['loopback, another address', (p: number) => `http://127.0.0.2:${p}/og`],
    ['a private network', () => 'http://10.0.0.1/og'],
    ['link-local (cloud metadata)', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/og`],
    ['IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:127.0.0.1]:${p}/og`],
    ['carrier-grade NAT', () => 'http://100.64.0.1/og'],
    ['a name resolving to loopback', (p: number) => `http://localhost:${p}/og`],
  ])('%s is refused before anything is sent', async (_what, link) => {
    const [ana, ben] = await s.people(2);
    const group = await s.group(ana!, [ben!]);
    const url = link(pages.port);
    const sent = await s.post(ana!, group.id, `see ${url}`);
    await settled(s);
    expect(await failureOf(s, url)).toBe('blocked-address');
    expect((await s.history(ben!, group.id)).find((m) => m.id === sent.id)?.linkPreview).toBeNull();
    expect(pages.hits('/og')).toBe(0);
  });

  test('ports outside the allowed list and other schemes are refused', async () => {
    const [ana] = await s.people(1);
    const group = await s.group(ana!, []);
    await s.post(ana!, group.id, 'http://example.invalid:22/');
    await settled(s);
    expect(await failureOf(s, 'http://example.invalid:22/')).toBe('blocked-port');
  });
});

describe.each(BACKENDS)('link previews turned off (%s)', (backend) => {
  test('no page is read', async () => {
    const pages = await startPageServer();
    const s = await startScenario(backend, { linkPreviews: { enabled: false, allowHosts: ['127.0.0.1'], ports: [pages.port] } });
    try {
      const [ana] = await s.people(1);
      const group = await s.group(ana!, []);
      await s.post(ana!, group.id, `${pages.url}/og`);
      await settled(s);
      expect(pages.hits('/og')).toBe(0);
      expect(await failureOf(s, `${pages.url}/og`)).toBeUndefined();
    } finally {
      await s.close();
      await pages.close();
    }
  });
});
