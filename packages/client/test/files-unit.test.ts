import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { HearthClient, typeAllowed, type Attachment, type UploadedFile } from '../src/index.js';
import { uploadError, uploadMetadata } from '../src/uploads.js';

/* Pure parts of uploads and media sends; the uploads themselves are tested against a real server in files.test.ts. */

const conversationId = '01936b30-1f2e-7d3c-b4a5-968778695a4b';

function response(status: number, body: string) {
  return { originalResponse: { getStatus: () => status, getBody: () => body, getHeader: () => undefined, getUnderlyingObject: () => null } };
}

describe('upload metadata', () => {
  test('a file carries its name and claimed type', () => {
    const file = new File(['x'], 'cat.jpg', { type: 'image/jpeg' });
    expect(uploadMetadata(conversationId, file, {})).toEqual({ conversationId, filename: 'cat.jpg', filetype: 'image/jpeg' });
  });

  test('a voice message carries its duration and its peaks, rounded and clamped to 1', () => {
    const meta = uploadMetadata(conversationId, new Blob(['x'], { type: 'audio/webm' }), { name: 'voice.webm', voice: { durationMs: 7012.4, waveform: [0.123, 1.5, 0] } });
    expect(meta).toMatchObject({ kind: 'voice', durationMs: '7012', waveform: '[0.12,1,0]', filename: 'voice.webm' });
  });

  test('a name on several lines becomes one line', () => {
    expect(uploadMetadata(conversationId, new Uint8Array([1]), { name: 'a\nb.txt' }).filename).toBe('a b.txt');
  });
});

describe('upload errors', () => {
  test("the server's error body gives the code", () => {
    const err = uploadError(response(415, JSON.stringify({ code: 'FILE_TYPE_NOT_ALLOWED', message: 'no' })));
    expect([err.code, err.status]).toEqual(['FILE_TYPE_NOT_ALLOWED', 415]);
  });

  test('a 413 without a body is FILE_TOO_LARGE', () => {
    expect(uploadError(response(413, '')).code).toBe('FILE_TOO_LARGE');
  });

  test('no response at all is a network error', () => {
    expect(uploadError(new Error('socket hang up')).code).toBe('NETWORK_ERROR');
  });
});

test('allowed types match exactly or by family, and everything when the server gives no list', () => {
  expect(typeAllowed('image/png', ['image/*'])).toBe(true);
  expect(typeAllowed('application/x-msdownload', ['image/*', 'application/pdf'])).toBe(false);
  expect(typeAllowed('application/pdf', undefined)).toBe(true);
  expect(typeAllowed('audio/webm;codecs=opus', ['audio/webm'])).toBe(true);
});

test('a media message waits in the outbox with its attachments, without the upload-only fields', () => {
  const client = new HearthClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: WebSocket as never, token: 't' });
  const attachment: Attachment = {
    id: '01936b31-5c6d-7e8f-9a0b-1c2d3e4f5a6b', kind: 'image', name: 'cat.jpg', mimeType: 'image/jpeg', size: 10, sha256: 'a'.repeat(64),
    width: 4, height: 3, durationMs: null, thumbnail: true, placeholder: null, waveform: null, opaque: false,
  };
  const uploaded: UploadedFile = { ...attachment, conversationId, uploaderId: conversationId, createdAt: 1 };
  void client.messages.send(conversationId, { type: 'media', text: 'the venue', attachments: [uploaded] }).catch(() => undefined);
  expect(client.messages.pending(conversationId)[0]?.content).toEqual({ type: 'media', text: 'the venue', entities: [], attachments: [attachment] });
  client.close();
});
