import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import S3rver from 's3rver';
import sharp from 'sharp';
import type { Account } from './fixtures.js';
import { http } from './fixtures.js';
import type { HttpResult } from './raw.js';
import type { TestServer } from './server.js';

const TUS = { 'tus-resumable': '1.0.0' };

/** The Upload-Metadata header of these pairs: each value base64, as tus wants. */
export function uploadMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

/** Creates a tus upload (POST); returns the answer and the upload's path. */
export async function createUpload(t: TestServer, who: Account, size: number, meta: Record<string, string>, headers: Record<string, string> = {}): Promise<{ res: HttpResult; path: string }> {
  const res = await http(t, 'POST', '/api/uploads', {
    headers: { ...TUS, authorization: `Bearer ${who.token}`, 'upload-length': String(size), 'upload-metadata': uploadMetadata(meta), ...headers },
  });
  return { res, path: res.headers.get('location') ?? '' };
}

/** Appends bytes at `offset` (PATCH). */
export async function patchUpload(t: TestServer, who: Account, uploadPath: string, offset: number, bytes: Buffer): Promise<HttpResult> {
  return http(t, 'PATCH', uploadPath, {
    headers: { ...TUS, authorization: `Bearer ${who.token}`, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  });
}

/** HEAD of an upload. */
export async function headUpload(t: TestServer, who: Account, uploadPath: string): Promise<HttpResult> {
  return http(t, 'HEAD', uploadPath, { headers: { ...TUS, authorization: `Bearer ${who.token}` } });
}

/** A whole upload in one PATCH; resolves with the last answer (the UploadedFile, or the error). */
export async function upload(t: TestServer, who: Account, conversationId: string, bytes: Buffer, filename: string, extra: Record<string, string> = {}): Promise<HttpResult<any>> {
  const created = await createUpload(t, who, bytes.length, { conversationId, filename, ...extra });
  if (created.res.status !== 201) return created.res;
  return patchUpload(t, who, created.path, 0, bytes);
}

/** A JPEG with EXIF (a camera make and GPS position) and an orientation tag that turns it upright (6: 90° clockwise). */
export async function photoWithGps(width = 64, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 20 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'HearthCam', Model: 'Leaky 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 792/100' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Whether EXIF bytes hold a GPS IFD (its pointer tag 0x8825, in either byte order). */
export function hasGps(exif: Buffer | undefined): boolean {
  return exif !== undefined && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));
}

export async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
}

/** A real S3-compatible server (s3rver) on an ephemeral loopback port, with an empty bucket in a temp directory. */
export async function startS3(bucket = 'hearth'): Promise<{ endpoint: string; bucket: string; directory: string; close(): Promise<void> }> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as { address: string; port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    directory,
    close: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** S3 settings for a test server against `startS3`. */
export function s3Config(s3: { endpoint: string; bucket: string }) {
  return { files: { storage: 's3' as const, s3: { endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true } } };
}

/** Every file under a directory, relative paths. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

/** A PNG that declares `width`×`height` pixels in a few bytes: a decompression bomb (its IHDR rewritten). */
export async function pngBomb(width = 100_000, height = 100_000): Promise<Buffer> {
  const bytes = Buffer.from(await png(1, 1));
  // Signature (8), IHDR length (4), "IHDR" (4), then width and height; the CRC covers type and data (17 bytes).
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(zlib.crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

/** Makes a media file with ffmpeg's test sources (`args` between the input and the output). */
export function ffmpegFixture(input: string[], output: string[], extension: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-media-'));
  const out = path.join(dir, `fixture.${extension}`);
  try {
    execFileSync('ffmpeg', ['-v', 'error', ...input, ...output, out]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Three seconds of a 160×120 test picture, H.264 in MP4, with a location and a title in its metadata. */
export const videoFixture = () =>
  ffmpegFixture(['-f', 'lavfi', '-i', 'testsrc=duration=3:size=160x120:rate=10'], ['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-metadata', `location=${VIDEO_LOCATION}`, '-metadata', 'title=HearthCam clip', '-movflags', 'use_metadata_tags'], 'mp4');
/** Where the video fixture says it was filmed (an ISO 6709 location, as phones write it). */
export const VIDEO_LOCATION = '+48.8584+002.2945/';
/** A second of a tone, Opus in WebM: what Chromium's MediaRecorder makes of a voice message. */
export const voiceFixture = () => ffmpegFixture(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'], ['-c:a', 'libopus'], 'webm');
