import { createHash } from 'node:crypto';
import net from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { HearthError } from '../src/index.js';
import { pdf, png, webmTone } from '../../../apps/web/test/support/media.js';
import { newClient, nextEvent, pair, useTestServer } from './support.js';

// The SDK's uploads (tus) and media messages against a real server, on SQLite (the files feature's own tests cover
// each backend and storage).
describe('files through the SDK', () => {
  const t = useTestServer('sqlite', { rateLimits: { signUpsPerHour: 100_000 } });

  test('an upload reports its progress and resolves with what the server found in the bytes', async () => {
    const { ana, id } = await pair(t);
    const sent: number[] = [];
    const uploaded = await ana.client.files.upload(id, await png(64, 48), { name: 'cat.png', type: 'image/png', onProgress: (s) => sent.push(s) });
    expect(uploaded).toMatchObject({ kind: 'image', name: 'cat.png', mimeType: 'image/png', width: 64, height: 48, conversationId: id });
    expect(sent.at(-1)).toBe(uploaded.size);
    expect(await ana.client.files.info(uploaded.id)).toEqual(uploaded);
  });

  test('a Blob uploads like a Buffer', async () => {
    const { ana, id } = await pair(t);
    const uploaded = await ana.client.files.upload(id, new Blob([new Uint8Array(pdf())], { type: 'application/pdf' }), { name: 'notes.pdf' });
    expect([uploaded.kind, uploaded.mimeType]).toEqual(['file', 'application/pdf']);
  });

  test('a media message is pending with its files at once, and reaches the peer with them', async () => {
    const { ana, ben, id } = await pair(t);
    const uploaded = await ana.client.files.upload(id, await png(), { name: 'venue.png' });
    const atBen = nextEvent(ben.client, 'message.created', ({ message }) => message.content?.type === 'media');
    const sending = ana.client.messages.send(id, { type: 'media', text: 'the venue', attachments: [uploaded] });
    expect(ana.client.messages.pending(id)[0]?.content).toMatchObject({ type: 'media', attachments: [{ id: uploaded.id, name: 'venue.png' }] });
    const stored = await sending;
    const { message } = await atBen;
    expect(message.id).toBe(stored.id);
    expect(message.content).toMatchObject({ type: 'media', text: 'the venue', attachments: [{ id: uploaded.id, kind: 'image' }] });
  });

  test('the recipient can fetch the file and its thumbnail, and a signed link works without a session', async () => {
    const { ana, ben, id } = await pair(t);
    const uploaded = await ana.client.files.upload(id, await png(), { name: 'venue.png' });
    await ana.client.messages.send(id, { type: 'media', attachments: [uploaded] });
    const headers = { authorization: `Bearer ${ben.client.token}` };
    expect((await fetch(ben.client.files.url(uploaded), { headers })).status).toBe(200);
    expect((await fetch(ben.client.files.thumbnailUrl(uploaded)!, { headers })).status).toBe(200);
    const link = await ben.client.files.link(uploaded.id);
    const res = await fetch(link.url);
    expect([res.status, Number(res.headers.get('content-length'))]).toEqual([200, uploaded.size]);
  });

  test('a voice message carries the duration and waveform the recorder measured', async () => {
    const { ana, id } = await pair(t);
    const uploaded = await ana.client.files.upload(id, webmTone(2), { name: 'voice.webm', voice: { durationMs: 2000, waveform: [0.1, 0.5, 1] } });
    expect(uploaded).toMatchObject({ kind: 'voice', waveform: [0.1, 0.5, 1] });
    expect(uploaded.durationMs).toBeGreaterThan(1500);
  });

  test('the Files list pages through a conversation’s files, newest first, by kind', async () => {
    const { ana, id } = await pair(t);
    for (const name of ['a.png', 'b.png', 'c.png']) await ana.client.messages.send(id, { type: 'media', attachments: [await ana.client.files.upload(id, await png(), { name })] });
    await ana.client.messages.send(id, { type: 'media', attachments: [await ana.client.files.upload(id, pdf(), { name: 'd.pdf' })] });
    const first = await ana.client.files.list(id, { kind: 'image', limit: 2 });
    expect([first.files.map((f) => f.attachment.name), first.hasMore]).toEqual([['c.png', 'b.png'], true]);
    const next = await ana.client.files.list(id, { kind: 'image', limit: 2, before: first.files.at(-1)!.seq });
    expect([next.files.map((f) => f.attachment.name), next.hasMore]).toEqual([['a.png'], false]);
  });

  test('an upload whose connection drops half way resumes and completes', async () => {
    const { ana, id } = await pair(t);
    // A proxy in front of the server that cuts the first upload connection after 1 MB of its body.
    const target = new URL(t.url);
    let cut = false;
    let patches = 0;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      let sent = 0;
      client.on('data', (chunk: Buffer) => {
        if (chunk.includes('PATCH ')) patches++;
        sent += chunk.length;
        if (!cut && sent > 1024 * 1024) {
          cut = true;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = t.track(newClient(`http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, { token: ana.client.token! }));
    try {
      const bytes = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
      const uploaded = await viaProxy.files.upload(id, bytes, { name: 'big.bin' });
      expect(cut).toBe(true);
      expect(patches).toBeGreaterThan(1);
      expect([uploaded.size, uploaded.sha256]).toEqual([bytes.length, createHash('sha256').update(bytes).digest('hex')]);
    } finally {
      proxy.close();
    }
  });

  test('an upload aborted half way rejects with CANCELLED, and a Node stream uploads', async () => {
    const { ana, id } = await pair(t);
    const chunk = Buffer.alloc(256 * 1024, 1);
    // A slow stream: the upload is still going when the first bytes are reported.
    const slow = () =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < 8; i++) {
            await new Promise((resolve) => setTimeout(resolve, 30));
            yield chunk;
          }
        })(),
      );
    const abort = new AbortController();
    const upload = ana.client.files.upload(id, slow(), { name: 'big.bin', size: 8 * chunk.length, signal: abort.signal, onProgress: () => abort.abort() });
    await expect(upload).rejects.toMatchObject({ code: 'CANCELLED' });
    const whole = await ana.client.files.upload(id, slow(), { name: 'whole.bin', size: 8 * chunk.length });
    expect([whole.kind, whole.size]).toEqual(['file', 8 * chunk.length]);
  });

  test('an upload to a conversation the uploader is not in is refused with CONVERSATION_NOT_FOUND', async () => {
    const { id } = await pair(t);
    const { ana: outsider } = await pair(t);
    const err = await outsider.client.files.upload(id, pdf(), { name: 'x.pdf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).code).toBe('CONVERSATION_NOT_FOUND');
  });

  test('an image that does not decode is refused with FILE_INVALID', async () => {
    const { ana, id } = await pair(t);
    const broken = Buffer.concat([(await png()).subarray(0, 200), Buffer.alloc(2000, 7)]);
    await expect(ana.client.files.upload(id, broken, { name: 'broken.png', type: 'image/png' })).rejects.toMatchObject({ code: 'FILE_INVALID' });
  });
});
