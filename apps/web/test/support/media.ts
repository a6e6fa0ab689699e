import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { HearthClient, type UploadedFile } from '@hearth/client';
import { call } from '../../../../packages/server/test/support/raw.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';

/** A PNG of `width` × `height` in one colour, with a stripe so that its thumbnail is not flat. */
export async function png(width = 640, height = 480, colour = '#c2410c'): Promise<Buffer> {
  const stripe = await sharp({ create: { width, height: Math.max(1, Math.round(height / 4)), channels: 3, background: '#2563eb' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .composite([{ input: stripe, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

function ffmpeg(args: string[], extension: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-media-'));
  const out = path.join(dir, `out.${extension}`);
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, out]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A WebM (VP8) video of `seconds` of a test pattern, 320 × 240, made with ffmpeg. */
export function webmVideo(seconds = 3): Buffer {
  return ffmpeg(['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=320x240:rate=10`, '-c:v', 'libvpx', '-b:v', '200k'], 'webm');
}

/** A tone of `seconds` as Opus in WebM, the way Chromium records a voice message. */
export function webmTone(seconds = 2): Buffer {
  return ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'libopus', '-vn'], 'webm');
}

/** A small, valid PDF. */
export function pdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
}

/** Uploads bytes to a conversation as the token's user, through the SDK (tus). */
export async function uploadAs(server: TestServer, token: string, conversationId: string, bytes: Buffer, name: string, options: { type?: string; voice?: { durationMs: number; waveform: number[] } } = {}): Promise<UploadedFile> {
  const client = new HearthClient({ baseUrl: server.url, token, WebSocket: WebSocket as never });
  try {
    return await client.files.upload(conversationId, bytes, { name, ...options });
  } finally {
    client.close();
  }
}

let sends = 0;
/** Sends a media message over HTTP as the token's user; resolves with its id. */
export async function sendMedia(server: TestServer, token: string, conversationId: string, files: UploadedFile[], text = ''): Promise<string> {
  const res = await call<{ id: string }>(server.url, 'sendMessage', {
    token,
    params: { conversationId },
    body: { clientId: `media${Date.now().toString(36)}${(sends++).toString(36)}`, content: { type: 'media', text, entities: [], attachments: files.map((f) => ({ id: f.id })) } },
  });
  if (res.status !== 200) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
