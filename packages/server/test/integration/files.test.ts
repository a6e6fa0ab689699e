import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { clientId, expectError, group, http, MANY_SIGNUPS, users, type Account } from '../support/fixtures.js';
import { call } from '../support/raw.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUpload, filesUnder, hasGps, headUpload, patchUpload, photoWithGps, png, pngBomb, s3Config, startS3, upload } from '../support/uploads.js';

const STORAGES = ['disk', 's3'] as const;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(BACKENDS.flatMap((b) => STORAGES.map((s) => [b, s] as const)))('files (%s, %s storage)', (backend, storage) => {
  let t: TestServer;
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  beforeAll(async () => {
    if (storage === 's3') s3 = await startS3();
    t = await startTestServer(backend, { ...MANY_SIGNUPS, ...(s3 ? s3Config(s3) : {}) });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  async function pair(): Promise<{ ana: Account; ben: Account; conversationId: string }> {
    const [ana, ben] = await users(t, 2);
    return { ana, ben, conversationId: await group(t, ana, [ben]) };
  }

  const media = (ids: string[], caption = '') => ({ type: 'media', text: caption, attachments: ids.map((id) => ({ id })) });
  const sendMedia = (who: Account, conversationId: string, ids: string[], caption = '') =>
    call(t.url, 'sendMessage', { token: who.token, params: { conversationId }, body: { clientId: clientId(), content: media(ids, caption) } });
  const download = (who: Account | undefined, urlPath: string, headers: Record<string, string> = {}) =>
    fetch(new URL(urlPath, t.url), { headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...headers } });
  const info = (who: Account, fileId: string) => call(t.url, 'fileInfo', { token: who.token, params: { fileId } });

  /** Every stored object whose key names the upload: none once it failed or was abandoned. */
  function storedObjectsOf(uploadId: string): string[] {
    const root = storage === 's3' ? s3!.directory : path.join(t.dataDir, 'files');
    return filesUnder(root).filter((f) => f.includes(uploadId));
  }

  test('a photo uploads, is measured, loses its EXIF and GPS, and is turned upright', async () => {
    const { ana, ben, conversationId } = await pair();
    const photo = await photoWithGps(64, 32);
    const original = await sharp(photo).metadata();
    expect([original.orientation, hasGps(original.exif)]).toEqual([6, true]);
    const res = await upload(t, ana, conversationId, photo, 'holiday.jpg', { filetype: 'image/jpeg' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'image', mimeType: 'image/jpeg', name: 'holiday.jpg', width: 32, height: 64, thumbnail: true, opaque: false, conversationId, uploaderId: ana.me.id });
    expect(res.body.placeholder).toEqual(expect.any(String));
    expect((await sendMedia(ana, conversationId, [res.body.id], 'the view')).status).toBe(200);
    const got = await download(ben, `/api/files/${res.body.id}`);
    expect(got.status).toBe(200);
    const bytes = Buffer.from(await got.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(hasGps(meta.exif)).toBe(false);
    expect(bytes.includes(Buffer.from('HearthCam'))).toBe(false);
    expect(meta.orientation ?? 1).toBe(1);
    expect([meta.width, meta.height]).toEqual([32, 64]);
    expect(sha256(bytes)).toBe(res.body.sha256);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toBe('sandbox');
    expect(got.headers.get('etag')).toBe(`"${res.body.sha256}"`);
    const thumb = await download(ben, `/api/files/${res.body.id}/thumbnail`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('webp');
  });

  test('an upload stopped part way resumes from the offset HEAD gives', async () => {
    const { ana, conversationId } = await pair();
    const bytes = Buffer.from('line of notes\n'.repeat(5000));
    const created = await createUpload(t, ana, bytes.length, { conversationId, filename: 'notes.txt' });
    expect(created.res.status).toBe(201);
    expect(created.path).toMatch(/^\/api\/uploads\/[0-9a-f-]{36}$/);
    const first = await patchUpload(t, ana, created.path, 0, bytes.subarray(0, 30_000));
    expect([first.status, first.headers.get('upload-offset')]).toEqual([204, '30000']);
    const head = await headUpload(t, ana, created.path);
    expect([head.status, head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual([200, '30000', String(bytes.length)]);
    const wrong = await patchUpload(t, ana, created.path, 10, bytes.subarray(10));
    expect(wrong.status).toBe(409);
    const last = await patchUpload(t, ana, created.path, 30_000, bytes.subarray(30_000));
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ kind: 'file', mimeType: 'text/plain', size: bytes.length, sha256: sha256(bytes), thumbnail: false });
    const got = await download(ana, `/api/files/${(last.body as { id: string }).id}`);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(storedObjectsOf(created.path.split('/').pop()!).filter((f) => f.includes('uploads'))).toEqual([]);
  });

  test("only the uploader may continue, inspect or abandon an upload", async () => {
    const { ana, ben, conversationId } = await pair();
    const created = await createUpload(t, ana, 10, { conversationId, filename: 'a.txt' });
    expectError(await patchUpload(t, ben, created.path, 0, Buffer.from('0123456789')), 404, 'FILE_NOT_FOUND');
    expect((await headUpload(t, ben, created.path)).status).toBe(404);
    expectError(await http(t, 'DELETE', created.path, { headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${ben.token}` } }), 404, 'FILE_NOT_FOUND');
    expect((await headUpload(t, ana, created.path)).headers.get('upload-offset')).toBe('0');
    expect((await http(t, 'DELETE', created.path, { headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${ana.token}` } })).status).toBe(204);
    expect((await headUpload(t, ana, created.path)).status).toBe(404);
    expect((await http(t, 'HEAD', created.path, { headers: { 'tus-resumable': '1.0.0' } })).status).toBe(401);
  });

  test.each([
    ['too large', () => Promise.resolve(Buffer.alloc(0)), 'big.bin', 413, 'FILE_TOO_LARGE'],
    ['empty', () => Promise.resolve(Buffer.alloc(0)), 'empty.txt', 422, 'FILE_INVALID'],
    ['outside the allowed types', () => Promise.resolve(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)])), 'tool', 415, 'FILE_TYPE_NOT_ALLOWED'],
    ['a .jpg that is not an image', () => Promise.resolve(Buffer.from('definitely not a picture')), 'cat.jpg', 422, 'FILE_INVALID'],
    ['a PNG declaring 10 billion pixels', () => pngBomb(), 'bomb.png', 422, 'FILE_INVALID'],
    ['a truncated PNG', async () => (await png(300, 300)).subarray(0, 200), 'cut.png', 422, 'FILE_INVALID'],
  ] as const)('a file %s is refused with its code and nothing of it stays', async (what, make, filename, status, code) => {
    const { ana, conversationId } = await pair();
    const bytes = await make();
    const size = what === 'too large' ? 100 * 1024 * 1024 + 1 : bytes.length;
    const created = await createUpload(t, ana, size, { conversationId, filename });
    if (created.res.status !== 201) {
      expectError(created.res, status, code);
      return;
    }
    const id = created.path.split('/').pop()!;
    expectError(await patchUpload(t, ana, created.path, 0, bytes), status, code);
    expectError(await info(ana, id), 404, 'FILE_NOT_FOUND');
    expect(storedObjectsOf(id)).toEqual([]);
    expect((await headUpload(t, ana, created.path)).status).toBe(404);
  });

  test('a media message carries its attachments; members download them, nobody else', async () => {
    const { ana, ben, conversationId } = await pair();
    const [eve] = await users(t, 1);
    const file = (await upload(t, ana, conversationId, await png(40, 20), 'chart.png')).body;
    const sent = await sendMedia(ana, conversationId, [file.id], 'see the chart');
    expect(sent.status).toBe(200);
    const attachment = Object.fromEntries(Object.entries(file).filter(([k]) => !['conversationId', 'uploaderId', 'createdAt'].includes(k)));
    expect(sent.body.content).toEqual({ type: 'media', text: 'see the chart', entities: [], attachments: [attachment] });
    expect((await download(ben, `/api/files/${file.id}`)).status).toBe(200);
    const outsider = await download(eve, `/api/files/${file.id}`);
    expect(outsider.status).toBe(404);
    expect(((await outsider.json()) as { code: string }).code).toBe('FILE_NOT_FOUND');
    expectError(await info(eve, file.id), 404, 'FILE_NOT_FOUND');
    expect((await info(ben, file.id)).body).toEqual(file);
    const history = await call(t.url, 'history', { token: ben.token, params: { conversationId } });
    expect(history.body.messages.at(-1).content.attachments[0].id).toBe(file.id);
  });

  test("a file may be sent only by its uploader, in its conversation, once finished", async () => {
    const { ana, ben, conversationId } = await pair();
    const other = await group(t, ana, [ben], 'elsewhere');
    const file = (await upload(t, ana, conversationId, Buffer.from('hello'), 'hi.txt')).body;
    expectError(await sendMedia(ben, conversationId, [file.id]), 404, 'FILE_NOT_FOUND');
    expectError(await sendMedia(ana, other, [file.id]), 404, 'FILE_NOT_FOUND');
    const pending = await createUpload(t, ana, 10, { conversationId, filename: 'later.txt' });
    expectError(await sendMedia(ana, conversationId, [pending.path.split('/').pop()!]), 409, 'UPLOAD_INCOMPLETE');
    expectError(await info(ana, pending.path.split('/').pop()!), 409, 'UPLOAD_INCOMPLETE');
  });

  test('an edit of a media message changes its caption only', async () => {
    const { ana, conversationId } = await pair();
    const a = (await upload(t, ana, conversationId, Buffer.from('one'), 'a.txt')).body;
    const b = (await upload(t, ana, conversationId, Buffer.from('two'), 'b.txt')).body;
    const sent = (await sendMedia(ana, conversationId, [a.id, b.id], 'first')).body;
    const edit = (content: unknown) => call(t.url, 'editMessage', { token: ana.token, params: { conversationId, messageId: sent.id }, body: { content } });
    const edited = await edit(media([a.id, b.id], 'second'));
    expect(edited.status).toBe(200);
    expect(edited.body.content).toEqual({ ...sent.content, text: 'second' });
    expectError(await edit(media([b.id, a.id], 'swapped')), 400, 'VALIDATION_FAILED');
    expectError(await edit(media([a.id], 'fewer')), 400, 'VALIDATION_FAILED');
    expectError(await edit({ type: 'text', text: 'plain now' }), 400, 'VALIDATION_FAILED');
  });

  test('a forwarded file reaches the members of the target conversation; the Files panel lists it until deleted', async () => {
    const { ana, ben, conversationId } = await pair();
    const [cleo] = await users(t, 1);
    const elsewhere = await group(t, ben, [cleo], 'with cleo');
    const file = (await upload(t, ana, conversationId, await png(8, 8), 'dot.png')).body;
    const sent = (await sendMedia(ana, conversationId, [file.id])).body;
    expect((await download(cleo, `/api/files/${file.id}`)).status).toBe(404);
    const forwarded = await call(t.url, 'forwardMessage', { token: ben.token, params: { conversationId: elsewhere }, body: { clientId: clientId(), from: { conversationId, messageId: sent.id } } });
    expect(forwarded.status).toBe(200);
    expect(forwarded.body.content.attachments).toEqual(sent.content.attachments);
    expect((await download(cleo, `/api/files/${file.id}`)).status).toBe(200);
    const listed = await call(t.url, 'conversationFiles', { token: cleo.token, params: { conversationId: elsewhere } });
    expect(listed.body).toEqual({ files: [{ attachment: sent.content.attachments[0], messageId: forwarded.body.id, seq: forwarded.body.seq, senderId: ben.me.id, createdAt: forwarded.body.createdAt }], hasMore: false });
    expect((await call(t.url, 'conversationFiles', { token: ana.token, params: { conversationId }, query: { kind: 'video' } })).body.files).toEqual([]);
    await call(t.url, 'deleteMessage', { token: ben.token, params: { conversationId: elsewhere, messageId: forwarded.body.id } });
    expect((await call(t.url, 'conversationFiles', { token: cleo.token, params: { conversationId: elsewhere } })).body.files).toEqual([]);
    expect((await download(cleo, `/api/files/${file.id}`)).status).toBe(404);
    expectError(await call(t.url, 'conversationFiles', { token: cleo.token, params: { conversationId } }), 404, 'CONVERSATION_NOT_FOUND');
  });

  test('a signed link works without a session; a changed one is refused', async () => {
    const { ana, conversationId } = await pair();
    const file = (await upload(t, ana, conversationId, await png(30, 30), 'sq.png')).body;
    const link = await call(t.url, 'fileLink', { token: ana.token, params: { fileId: file.id } });
    expect(link.status).toBe(200);
    expect(link.body.expiresAt).toBeGreaterThan(Date.now());
    const linked = await download(undefined, link.body.url);
    expect([linked.status, linked.headers.get('cross-origin-resource-policy')]).toEqual([200, 'cross-origin']);
    const thumbLink = await call(t.url, 'fileLink', { token: ana.token, params: { fileId: file.id }, query: { variant: 'thumbnail' } });
    expect((await download(undefined, thumbLink.body.url)).headers.get('content-type')).toBe('image/webp');
    const url = new URL(link.body.url, t.url);
    const tampered = [
      url.pathname + url.search.replace(/signature=./, 'signature=A'),
      url.pathname + url.search.replace(/expires=\d+/, `expires=${link.body.expiresAt + 1000}`),
      `${url.pathname}/thumbnail${url.search}`,
    ];
    for (const bad of tampered) {
      const res = await download(undefined, bad);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('LINK_INVALID');
    }
    expect((await download(undefined, `/api/files/${file.id}`)).status).toBe(401);
  });

  test('downloads honour Range, If-None-Match and ?download=1', async () => {
    const { ana, conversationId } = await pair();
    const bytes = Buffer.from('0123456789abcdefghij');
    const file = (await upload(t, ana, conversationId, bytes, 'digits.txt')).body;
    const part = await download(ana, `/api/files/${file.id}`, { range: 'bytes=2-5' });
    expect([part.status, part.headers.get('content-range'), await part.text()]).toEqual([206, 'bytes 2-5/20', '2345']);
    const tail = await download(ana, `/api/files/${file.id}`, { range: 'bytes=-3' });
    expect([tail.status, await tail.text()]).toEqual([206, 'hij']);
    const outside = await download(ana, `/api/files/${file.id}`, { range: 'bytes=50-60' });
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, 'bytes */20']);
    expect((await download(ana, `/api/files/${file.id}`, { 'if-none-match': `"${file.sha256}"` })).status).toBe(304);
    const image = (await upload(t, ana, conversationId, await png(4, 4), 'i.png')).body;
    expect((await download(ana, `/api/files/${image.id}?download=1`)).headers.get('content-disposition')).toMatch(/^attachment; filename="i.png"/);
  });

  test("the Files panel pages by message, newest first, never cutting a message's files in two", async () => {
    const { ana, ben, conversationId } = await pair();
    const sent: string[][] = [];
    for (let m = 0; m < 3; m++) {
      const ids = [];
      for (let f = 0; f < 2; f++) ids.push((await upload(t, ana, conversationId, Buffer.from(`m${m}f${f}`), `m${m}f${f}.txt`)).body.id as string);
      expect((await sendMedia(ana, conversationId, ids)).status).toBe(200);
      sent.push(ids);
    }
    const seen: string[] = [];
    let before: number | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await call(t.url, 'conversationFiles', { token: ben.token, params: { conversationId }, query: { limit: 3, ...(before ? { before } : {}) } });
      expect(res.status).toBe(200);
      seen.push(...res.body.files.map((f: { attachment: { id: string } }) => f.attachment.id));
      if (!res.body.hasMore) break;
      before = res.body.files.at(-1).seq;
    }
    expect(seen).toEqual([...sent[2]!, ...sent[1]!, ...sent[0]!]);
    const four = [];
    for (let f = 0; f < 4; f++) four.push((await upload(t, ana, conversationId, Buffer.from(`big${f}`), `big${f}.txt`)).body.id as string);
    expect((await sendMedia(ana, conversationId, four)).status).toBe(200);
    const first = await call(t.url, 'conversationFiles', { token: ben.token, params: { conversationId }, query: { limit: 3 } });
    expect([first.body.files.map((f: { attachment: { id: string } }) => f.attachment.id), first.body.hasMore]).toEqual([four, true]);
  });
});
