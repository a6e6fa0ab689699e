import * as tus from 'tus-js-client';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { clientId, expectError, group, http, MANY_SIGNUPS, users, type Account } from '../support/fixtures.js';
import { call, RawSocket } from '../support/raw.js';
import { ShiftableClock } from '../support/scenario.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUpload, headUpload, patchUpload, png, upload, uploadMetadata, VIDEO_LOCATION, videoFixture, voiceFixture } from '../support/uploads.js';

const DAY = 24 * 3600 * 1000;

describe.each(BACKENDS)('file processing, messages and cleanup (%s)', (backend) => {
  let t: TestServer;
  const clock = new ShiftableClock();
  beforeAll(async () => {
    t = await startTestServer(backend, { ...MANY_SIGNUPS, files: { cleanupIntervalMs: 100 } }, { clock });
  });
  afterAll(async () => t?.close());

  async function pair(): Promise<{ ana: Account; ben: Account; conversationId: string }> {
    const [ana, ben] = await users(t, 2);
    return { ana, ben, conversationId: await group(t, ana, [ben]) };
  }
  const info = (who: Account, fileId: string) => call(t.url, 'fileInfo', { token: who.token, params: { fileId } });
  async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('the server says how large and which files it accepts', async () => {
    const res = await call(t.url, 'serverInfo');
    expect(res.body.files.maxUploadBytes).toBe(100 * 1024 * 1024);
    expect(res.body.files.allowedTypes).toContain('image/jpeg');
  });

  test('tus-js-client uploads in chunks and gets the UploadedFile from the last answer', async () => {
    const { ana, conversationId } = await pair();
    const bytes = await png(200, 100);
    const body = await new Promise<string>((resolve, reject) => {
      const client = new tus.Upload(bytes, {
        endpoint: new URL('/api/uploads', t.url).toString(),
        headers: { authorization: `Bearer ${ana.token}` },
        metadata: { conversationId, filename: 'wide.png', filetype: 'image/png' },
        chunkSize: 1000,
        retryDelays: [],
        onSuccess: ({ lastResponse }) => resolve(lastResponse.getBody()),
        onError: reject,
      });
      client.start();
    });
    expect(JSON.parse(body)).toMatchObject({ kind: 'image', name: 'wide.png', width: 200, height: 100, conversationId });
  });

  test('a video gets its duration, size and a poster frame, and loses its location', async () => {
    const { ana, conversationId } = await pair();
    const clip = videoFixture();
    expect(clip.includes(Buffer.from(VIDEO_LOCATION))).toBe(true);
    const res = await upload(t, ana, conversationId, clip, 'clip.mp4');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'video', mimeType: 'video/mp4', width: 160, height: 120, thumbnail: true });
    expect(res.body.durationMs).toBeGreaterThanOrEqual(2900);
    expect(res.body.placeholder).toEqual(expect.any(String));
    const poster = await fetch(new URL(`/api/files/${res.body.id}/thumbnail`, t.url), { headers: { authorization: `Bearer ${ana.token}` } });
    expect([poster.status, poster.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const stored = Buffer.from(await (await fetch(new URL(`/api/files/${res.body.id}`, t.url), { headers: { authorization: `Bearer ${ana.token}` } })).arrayBuffer());
    expect(stored.includes(Buffer.from(VIDEO_LOCATION))).toBe(false);
    expect(stored.includes(Buffer.from('HearthCam'))).toBe(false);
    expect(stored.length).toBe(res.body.size);
  });

  test('a voice message keeps its waveform and duration and is remuxed to Ogg/Opus', async () => {
    const { ana, conversationId } = await pair();
    const waveform = [0, 0.5, 1, 0.25];
    const res = await upload(t, ana, conversationId, voiceFixture(), 'voice.webm', { kind: 'voice', durationMs: '1000', waveform: JSON.stringify(waveform) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'voice', mimeType: 'audio/ogg', name: 'voice.ogg', durationMs: 1000, waveform, thumbnail: false });
    const bytes = Buffer.from(await (await fetch(new URL(`/api/files/${res.body.id}`, t.url), { headers: { authorization: `Bearer ${ana.token}` } })).arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('OggS');
  });

  test('a waveform that is not peaks from 0 to 1 is refused at creation', async () => {
    const { ana, conversationId } = await pair();
    for (const waveform of ['[2, 0.5]', 'not json', '[]']) {
      const created = await createUpload(t, ana, 100, { conversationId, filename: 'v.webm', kind: 'voice', waveform });
      expectError(created.res, 400, 'VALIDATION_FAILED');
    }
  });

  test('an opaque upload is stored unread with the metadata its uploader declared', async () => {
    const { ana, conversationId } = await pair();
    const ciphertext = Buffer.from('e2e ciphertext, not a png at all');
    const res = await upload(t, ana, conversationId, ciphertext, 'secret.png', { opaque: '1', filetype: 'image/png', width: '640', height: '480' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'image', mimeType: 'image/png', width: 640, height: 480, opaque: true, thumbnail: false, placeholder: null });
  });

  test('malformed Upload-Metadata, a missing conversation and a foreign one are refused', async () => {
    const { ana } = await pair();
    const [eve] = await users(t, 1);
    const theirs = await group(t, eve, []);
    const post = (metadata: string, length = '10') =>
      http(t, 'POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${ana.token}`, 'upload-length': length, 'upload-metadata': metadata } });
    expectError(await post('filename !!notbase64!!,,'), 400, 'VALIDATION_FAILED');
    expectError(await post(uploadMetadata({ filename: 'a.txt' })), 400, 'VALIDATION_FAILED');
    expectError(await post(uploadMetadata({ conversationId: 'nope', filename: 'a.txt' })), 400, 'VALIDATION_FAILED');
    expectError(await post(uploadMetadata({ conversationId: theirs, filename: 'a.txt' })), 404, 'CONVERSATION_NOT_FOUND');
    expectError(await post(uploadMetadata({ conversationId: theirs, filename: 'a.txt' }), 'ten'), 400, 'VALIDATION_FAILED');
  });

  test('a media message sent over the WebSocket is acknowledged with the stored message', async () => {
    const { ana, conversationId } = await pair();
    const file = (await upload(t, ana, conversationId, await png(12, 12), 'p.png')).body;
    const socket = await RawSocket.connect(t.wsUrl, ana.token);
    try {
      const ack = await socket.request({ type: 'message.send', conversationId, clientId: clientId(), content: { type: 'media', attachments: [{ id: file.id }] } });
      expect(ack.type).toBe('result');
      expect(ack.data.message.content).toMatchObject({ type: 'media', text: '', attachments: [{ id: file.id, kind: 'image', width: 12 }] });
      const refused = await socket.request({ type: 'message.send', conversationId, clientId: clientId(), content: { type: 'media', attachments: [{ id: crypto.randomUUID() }] } });
      expect([refused.type, refused.code]).toEqual(['error', 'FILE_NOT_FOUND']);
    } finally {
      socket.ws.close();
    }
  });

  test('a removed member keeps the files of the messages they saw, not those sent after', async () => {
    const { ana, ben, conversationId } = await pair();
    const before = (await upload(t, ana, conversationId, Buffer.from('seen'), 'seen.txt')).body;
    await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId }, body: { clientId: clientId(), content: { type: 'media', attachments: [{ id: before.id }] } } });
    expect((await call(t.url, 'removeMember', { token: ana.token, params: { conversationId, userId: ben.me.id } })).status).toBe(200);
    const after = (await upload(t, ana, conversationId, Buffer.from('unseen'), 'unseen.txt')).body;
    await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId }, body: { clientId: clientId(), content: { type: 'media', attachments: [{ id: after.id }] } } });
    expect((await info(ben, before.id)).status).toBe(200);
    expectError(await info(ben, after.id), 404, 'FILE_NOT_FOUND');
    const listed = await call(t.url, 'conversationFiles', { token: ben.token, params: { conversationId } });
    expect(listed.body.files.map((f: { attachment: { id: string } }) => f.attachment.id)).toEqual([before.id]);
  });

  test('an upload with the session cookie needs the same-origin header', async () => {
    const { ana, conversationId } = await pair();
    const signIn = await fetch(new URL('/api/auth/signin', t.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hearth-request': '1' },
      body: JSON.stringify({ username: ana.me.username, password: ana.password, cookie: true }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { 'tus-resumable': '1.0.0', cookie, 'upload-length': '5', 'upload-metadata': uploadMetadata({ conversationId, filename: 'c.txt' }) };
    expectError(await http(t, 'POST', '/api/uploads', { headers }), 403, 'CSRF_CHECK_FAILED');
    expect((await http(t, 'POST', '/api/uploads', { headers: { ...headers, 'x-hearth-request': '1' } })).status).toBe(201);
  });

  test('signed links stop working when they expire', async () => {
    const { ana, conversationId } = await pair();
    const file = (await upload(t, ana, conversationId, Buffer.from('soon gone'), 'x.txt')).body;
    const link = (await call(t.url, 'fileLink', { token: ana.token, params: { fileId: file.id } })).body;
    expect((await fetch(new URL(link.url, t.url))).status).toBe(200);
    clock.advance(2 * 3600 * 1000);
    const res = await fetch(new URL(link.url, t.url));
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'LINK_INVALID']);
  });

  test('an abandoned upload and a file never sent are deleted after their expiry; a sent file stays', async () => {
    const { ana, conversationId } = await pair();
    const abandoned = await createUpload(t, ana, 100, { conversationId, filename: 'half.txt' });
    expect((await patchUpload(t, ana, abandoned.path, 0, Buffer.alloc(40, 65))).status).toBe(204);
    const unsent = (await upload(t, ana, conversationId, Buffer.from('never sent'), 'u.txt')).body;
    const kept = (await upload(t, ana, conversationId, Buffer.from('sent'), 's.txt')).body;
    await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId }, body: { clientId: clientId(), content: { type: 'media', attachments: [{ id: kept.id }] } } });
    clock.advance(DAY + 60_000);
    await eventually(async () => (await headUpload(t, ana, abandoned.path)).status === 404);
    await eventually(async () => (await info(ana, unsent.id)).status === 404);
    expect((await info(ana, kept.id)).status).toBe(200);
  });

  test("a deleted message's files are deleted a day after the deletion, not before", async () => {
    const { ana, conversationId } = await pair();
    const file = (await upload(t, ana, conversationId, Buffer.from('kept a while'), 'k.txt')).body;
    const sent = await call(t.url, 'sendMessage', { token: ana.token, params: { conversationId }, body: { clientId: clientId(), content: { type: 'media', attachments: [{ id: file.id }] } } });
    clock.advance(2 * DAY);
    await call(t.url, 'deleteMessage', { token: ana.token, params: { conversationId, messageId: sent.body.id } });
    await new Promise((r) => setTimeout(r, 400));
    expect((await info(ana, file.id)).status).toBe(200);
    clock.advance(DAY + 60_000);
    await eventually(async () => (await info(ana, file.id)).status === 404);
  });

  test('a PATCH cut off mid-body keeps a consistent offset, and the upload resumes from it', async () => {
    const { ana, conversationId } = await pair();
    const bytes = Buffer.alloc(200_000, 'z');
    const created = await createUpload(t, ana, bytes.length, { conversationId, filename: 'cut.txt' });
    const { hostname, port } = new URL(t.url);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(
          `PATCH ${created.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${ana.token}\r\nTus-Resumable: 1.0.0\r\n` +
            `Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${bytes.length}\r\n\r\n`,
        );
        socket.write(bytes.subarray(0, 80_000), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    let offset = -1;
    await eventually(async () => {
      const head = await headUpload(t, ana, created.path);
      offset = Number(head.headers.get('upload-offset'));
      return head.status === 200 && (offset === 0 || offset === 80_000);
    });
    const rest = await patchUpload(t, ana, created.path, offset, bytes.subarray(offset));
    expect(rest.status).toBe(200);
    expect((rest.body as { sha256: string }).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('HTML goes out as a plain-text attachment, sandboxed, with a harmless file name', async () => {
    const { ana, conversationId } = await pair();
    const page = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const name = 'evil "page";\u00e9t\u00e9.html';
    const res = await upload(t, ana, conversationId, page, name);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'file', mimeType: 'text/plain', name });
    const got = await fetch(new URL(`/api/files/${res.body.id}`, t.url), { headers: { authorization: `Bearer ${ana.token}` } });
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="evil _page___t_.html"; filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(got.headers.get('content-security-policy')).toBe('sandbox');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('paths that try to leave the storage find nothing', async () => {
    const { ana } = await pair();
    for (const path of ['/api/files/..%2F..%2Fetc%2Fpasswd', '/api/files/%2e%2e/thumbnail']) {
      const res = await fetch(new URL(path, t.url), { headers: { authorization: `Bearer ${ana.token}` } });
      expect([400, 404]).toContain(res.status);
    }
    const head = await http(t, 'HEAD', '/api/uploads/..%2F..%2Fhearth.db', { headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${ana.token}` } });
    expect(head.status).toBe(404);
  });
});
