import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { group, MANY_SIGNUPS, users } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { upload, videoFixture, voiceFixture } from '../support/uploads.js';

/** A server whose ffmpeg cannot be found: it says so at start, and still takes videos and voice messages. */
describe('files without ffmpeg', () => {
  let t: TestServer;
  const lines: Array<{ msg: string; level: number }> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
        done();
      },
    });
    t = await startTestServer('sqlite', { ...MANY_SIGNUPS, files: { ffmpegPath: '/nonexistent/ffmpeg' } }, { logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(async () => t?.close());

  test('the server warns at start that ffmpeg is missing', () => {
    expect(lines.some((l) => l.level === 40 && l.msg.startsWith('ffmpeg not found'))).toBe(true);
  });

  test('a video is accepted without poster or duration, a voice message with what its client measured', async () => {
    const [ana] = await users(t, 1);
    const conversationId = await group(t, ana, []);
    const video = await upload(t, ana, conversationId, videoFixture(), 'clip.mp4');
    expect(video.status).toBe(200);
    expect(video.body).toMatchObject({ kind: 'video', mimeType: 'video/mp4', thumbnail: false, durationMs: null, width: null });
    const voice = await upload(t, ana, conversationId, voiceFixture(), 'note.webm', { kind: 'voice', durationMs: '1000', waveform: '[0.1,0.9]' });
    expect(voice.status).toBe(200);
    expect(voice.body).toMatchObject({ kind: 'voice', mimeType: 'audio/webm', name: 'note.webm', durationMs: 1000, waveform: [0.1, 0.9] });
  });
});
