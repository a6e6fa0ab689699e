import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { Waveform, type FileKind, type UploadMetadata } from '@hearth/protocol';
import { encode as blurhash } from 'blurhash';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { HearthError } from '../../platform/errors.js';

const run = promisify(execFile);

// Jobs are limited by the caller (a semaphore per node); libvips' own cache would only hold memory between them.
sharp.cache(false);

/** Longest side of a thumbnail or poster. */
const THUMBNAIL_PX = 480;
/** The types sharp reads and writes back in the same format (HEIC and BMP are not among them). */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);
const ANIMATED = new Set(['image/gif', 'image/webp']);

export interface ProcessOptions {
  allowedTypes: readonly string[];
  maxImagePixels: number;
  /** Set when ffmpeg and ffprobe run on this machine. */
  ffmpeg: { ffmpeg: string; ffprobe: string } | undefined;
}

/** What processing found, and the files to store: the (possibly rewritten) original and a thumbnail. */
export interface Processed {
  kind: FileKind;
  mimeType: string;
  name: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  placeholder: string | null;
  waveform: number[] | null;
  opaque: boolean;
  /** The path of the bytes to store as the file: the upload itself, or a cleaned copy of it. */
  original: string;
  thumbnail: Buffer | null;
}

/**
 * Whether a sniffed type is in the allow-list (`type/*` admits a whole family). Parameters are not part of the type:
 * `audio/ogg; codecs=opus` is `audio/ogg`.
 */
export function isAllowed(mimeType: string, allowed: readonly string[]): boolean {
  const essence = mimeType.split(';')[0]!.trim().toLowerCase();
  return allowed.some((a) => a === essence || (a.endsWith('/*') && essence.startsWith(a.slice(0, -1))));
}

/**
 * The voice message fields of upload metadata, checked: the waveform must be a JSON array of peaks. Throws
 * VALIDATION_FAILED.
 */
export function waveformOf(meta: UploadMetadata): number[] | null {
  if (meta.waveform === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(meta.waveform);
  } catch {
    throw new HearthError('VALIDATION_FAILED', { field: 'waveform' }, 'The waveform must be a JSON array of numbers from 0 to 1.');
  }
  const result = Waveform.safeParse(parsed);
  if (!result.success) throw new HearthError('VALIDATION_FAILED', { field: 'waveform' }, 'The waveform must be 1 to 128 numbers from 0 to 1.');
  return result.data;
}

/** Whether ffmpeg and ffprobe can be run; their paths when they can. */
export async function findFfmpeg(ffmpeg: string, ffprobe: string): Promise<{ ffmpeg: string; ffprobe: string } | undefined> {
  try {
    await run(ffmpeg, ['-version']);
    await run(ffprobe, ['-version']);
    return { ffmpeg, ffprobe };
  } catch {
    return undefined;
  }
}

/**
 * Reads an assembled upload at `path` (never trusting its name or claimed type), checks it and measures it.
 * `work` is a fresh path prefix for the files processing writes. Throws FILE_TYPE_NOT_ALLOWED or FILE_INVALID.
 */
export async function processUpload(path: string, work: string, meta: UploadMetadata, options: ProcessOptions): Promise<Processed> {
  if (meta.opaque === '1') return opaque(path, meta);
  const mimeType = await sniff(path);
  if (!isAllowed(mimeType, options.allowedTypes)) throw new HearthError('FILE_TYPE_NOT_ALLOWED', { mimeType });
  const claimed = claimedFamily(meta);
  const family = mimeType.split('/')[0]!;
  // A voice message recorded as WebM or MP4 sniffs as video: its container, not its content.
  const isVoice = meta.kind === 'voice' && (family === 'audio' || mimeType === 'video/webm' || mimeType === 'video/mp4');
  if (meta.kind === 'voice' && !isVoice) throw new HearthError('FILE_INVALID', { mimeType }, 'A voice message must be audio.');
  if (claimed !== undefined && claimed !== family && !isVoice) {
    throw new HearthError('FILE_INVALID', { mimeType }, `The file is named or declared as ${claimed} but its bytes are ${mimeType}.`);
  }
  const base = { name: meta.filename, mimeType, width: null, height: null, durationMs: null, placeholder: null, waveform: null, opaque: false, original: path, thumbnail: null };
  let found: Omit<Processed, 'size' | 'sha256'>;
  if (isVoice) found = await voice(path, work, meta, mimeType, base, options.ffmpeg);
  else if (IMAGE_TYPES.has(mimeType)) found = { ...base, kind: 'image', ...(await image(path, work, mimeType, options.maxImagePixels)) };
  else if (family === 'image') found = { ...base, kind: 'file' };
  else if (family === 'video') found = { ...base, kind: 'video', ...(await video(path, work, mimeType, options.ffmpeg)) };
  else if (family === 'audio') found = { ...base, kind: 'audio', durationMs: options.ffmpeg ? (await probe(path, options.ffmpeg.ffprobe)).durationMs : null };
  else found = { ...base, kind: 'file' };
  return { ...found, ...(await digest(found.original)) };
}

async function opaque(path: string, meta: UploadMetadata): Promise<Processed> {
  const declared = meta.filetype && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(meta.filetype) ? meta.filetype.toLowerCase() : 'application/octet-stream';
  const family = declared.split('/')[0];
  const kind: FileKind = meta.kind === 'voice' ? 'voice' : family === 'image' || family === 'video' || family === 'audio' ? family : 'file';
  return {
    kind,
    mimeType: declared,
    name: meta.filename,
    ...(await digest(path)),
    width: meta.width ?? null,
    height: meta.height ?? null,
    durationMs: meta.durationMs ?? null,
    placeholder: null,
    waveform: waveformOf(meta),
    opaque: true,
    original: path,
    thumbnail: null,
  };
}

/** The family (`image`, `video`, `audio`) the uploader's name or claimed type promise, if any. */
function claimedFamily(meta: UploadMetadata): string | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(meta.filename)?.[1]?.toLowerCase();
  const byName: Record<string, string> = {
    jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', webp: 'image', avif: 'image',
    mp4: 'video', mov: 'video', mkv: 'video', mp3: 'audio', m4a: 'audio', oga: 'audio', opus: 'audio', wav: 'audio', flac: 'audio',
  };
  const fromType = meta.filetype?.split('/')[0];
  if (fromType === 'image' || fromType === 'video' || fromType === 'audio') return fromType;
  return extension ? byName[extension] : undefined;
}

/** The type read from the bytes; text that file-type does not know is text/plain when it is valid UTF-8. */
async function sniff(path: string): Promise<string> {
  const type = await fileTypeFromFile(path);
  if (type) return type.mime;
  const handle = await fs.promises.open(path, 'r');
  try {
    const buffer = Buffer.alloc(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    // A multi-byte character may be cut at the end of the sample: look at whole characters only.
    const sample = head.subarray(0, bytesRead === buffer.length ? lastBoundary(head) : bytesRead);
    const isText = !sample.includes(0) && isUtf8(sample);
    return isText ? 'text/plain' : 'application/octet-stream';
  } finally {
    await handle.close();
  }
}

function lastBoundary(buffer: Buffer): number {
  let end = buffer.length;
  while (end > 0 && (buffer[end - 1]! & 0xc0) === 0x80) end--;
  return end > 0 && buffer[end - 1]! >= 0xc0 ? end - 1 : buffer.length;
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

async function digest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Rewrites the image without any metadata (EXIF with GPS, XMP, IPTC; the colour profile stays), turned upright by
 * its orientation tag, and makes its thumbnail and placeholder. More pixels than `maxPixels` is a decompression
 * bomb: FILE_INVALID, before anything is decoded.
 */
async function image(path: string, work: string, mimeType: string, maxPixels: number) {
  const animated = ANIMATED.has(mimeType);
  const open = () => sharp(path, { limitInputPixels: maxPixels, animated, failOn: 'error' });
  try {
    const cleaned = `${work}.clean`;
    let pipeline = open();
    if (!animated) pipeline = pipeline.rotate();
    const info = await pipeline.keepIccProfile().toFile(cleaned);
    const height = animated ? (await sharp(cleaned, { limitInputPixels: maxPixels }).metadata()).pageHeight ?? info.height : info.height;
    const thumb = sharp(cleaned, { limitInputPixels: maxPixels }).resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true });
    const thumbnail = await thumb.clone().webp({ quality: 75 }).toBuffer();
    return { original: cleaned, width: info.width, height, thumbnail, placeholder: await placeholderOf(thumbnail) };
  } catch (err) {
    throw new HearthError('FILE_INVALID', { mimeType }, 'The image cannot be decoded, or has more pixels than the server accepts.', { cause: err });
  }
}

/** A BlurHash of a (small) image: 4×3 components of a 32-pixel copy. */
async function placeholderOf(image: Buffer): Promise<string> {
  const { data, info } = await sharp(image).resize(32, 32, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return blurhash(new Uint8ClampedArray(data), info.width, info.height, 4, 3);
}

interface Probe {
  durationMs: number | null;
  width: number | null;
  height: number | null;
}

async function probe(path: string, ffprobe: string): Promise<Probe> {
  let out: string;
  try {
    out = (await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], { maxBuffer: 4 * 1024 * 1024 })).stdout;
  } catch (err) {
    throw new HearthError('FILE_INVALID', {}, 'The media file cannot be read.', { cause: err });
  }
  const parsed = JSON.parse(out) as { format?: { duration?: string }; streams?: Array<{ codec_type?: string; width?: number; height?: number }> };
  const seconds = Number(parsed.format?.duration);
  const video = parsed.streams?.find((s) => s.codec_type === 'video');
  return {
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
    width: video?.width && video.width > 0 ? video.width : null,
    height: video?.height && video.height > 0 ? video.height : null,
  };
}

/** ffmpeg's muxer for each video type whose metadata it can drop by remuxing. */
const VIDEO_MUXERS: Record<string, { format: string; extra: string[] }> = {
  'video/mp4': { format: 'mp4', extra: ['-movflags', '+faststart'] },
  'video/quicktime': { format: 'mov', extra: ['-movflags', '+faststart'] },
  'video/webm': { format: 'webm', extra: [] },
  'video/x-matroska': { format: 'matroska', extra: [] },
};

/**
 * Duration and size from ffprobe, a poster frame (a second in, or the first frame of a short clip), and a copy
 * without the container's metadata (a phone's MP4 carries where it was filmed), remuxed without re-encoding; MP4
 * gets its index first so that playback starts before the whole file has arrived.
 */
async function video(path: string, work: string, mimeType: string, ffmpeg: ProcessOptions['ffmpeg']) {
  if (!ffmpeg) return {};
  const found = await probe(path, ffmpeg.ffprobe);
  const muxer = VIDEO_MUXERS[mimeType];
  let original = path;
  if (muxer) {
    const cleaned = `${work}.clean`;
    try {
      await run(ffmpeg.ffmpeg, ['-v', 'error', '-i', path, '-map', '0', '-map_metadata', '-1', '-c', 'copy', ...muxer.extra, '-f', muxer.format, cleaned]);
      original = cleaned;
    } catch (err) {
      throw new HearthError('FILE_INVALID', { mimeType }, 'The video cannot be read.', { cause: err });
    }
  }
  const at = found.durationMs !== null && found.durationMs > 2000 ? 1 : 0;
  try {
    const { stdout } = await run(
      ffmpeg.ffmpeg,
      ['-v', 'error', '-ss', String(at), '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    const thumbnail = await sharp(stdout).resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
    return { ...found, original, thumbnail, placeholder: await placeholderOf(thumbnail) };
  } catch {
    // A video without a decodable frame (audio only in a video container) still goes out, without a poster.
    return { ...found, original };
  }
}

/**
 * A voice message: the recording client's duration and waveform; WebM is remuxed to Ogg/Opus (`-c:a copy`, no
 * re-encoding) where ffmpeg runs, since browsers' WebM recordings carry no duration.
 */
async function voice(
  path: string,
  work: string,
  meta: UploadMetadata,
  mimeType: string,
  base: Omit<Processed, 'size' | 'sha256' | 'kind'>,
  ffmpeg: ProcessOptions['ffmpeg'],
): Promise<Omit<Processed, 'size' | 'sha256'>> {
  const waveform = waveformOf(meta);
  const measured = ffmpeg ? await probe(path, ffmpeg.ffprobe) : undefined;
  const voiceBase = { ...base, kind: 'voice' as const, waveform, durationMs: meta.durationMs ?? measured?.durationMs ?? null };
  if (!ffmpeg || !mimeType.endsWith('/webm')) return { ...voiceBase, mimeType: mimeType.replace(/^video\//, 'audio/') };
  const ogg = `${work}.ogg`;
  try {
    await run(ffmpeg.ffmpeg, ['-v', 'error', '-i', path, '-vn', '-map_metadata', '-1', '-c:a', 'copy', '-f', 'ogg', ogg]);
  } catch (err) {
    throw new HearthError('FILE_INVALID', { mimeType }, 'The voice message cannot be read.', { cause: err });
  }
  return { ...voiceBase, mimeType: 'audio/ogg', name: meta.filename.replace(/\.webm$/i, '.ogg'), original: ogg };
}
