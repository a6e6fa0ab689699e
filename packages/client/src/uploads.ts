/*
 * Uploads through tus (docs/PROTOCOL.md §3.11) with tus-js-client, loaded on the first upload so that an app that
 * never uploads (or has not yet) does not carry it in its first bundle.
 *
 * - Resumable: a dropped connection is retried after each of `RETRY_DELAYS_MS`; tus asks the server for the offset
 *   it holds (HEAD) and sends the rest from there.
 * - The server answers the PATCH that completes the upload with the UploadedFile (JSON), parsed with the protocol's
 *   schema; an error answer carries an ErrorBody, mapped to HearthError like REST errors.
 * - Aborting terminates the upload on the server (tus DELETE), so nothing partial stays stored.
 */
import { ErrorBody, SAME_ORIGIN_HEADER, UploadedFile } from '@hearth/protocol';
import type { DetailedError, Upload, UploadOptions } from 'tus-js-client';
import { HearthError } from './errors.js';
import type { HttpTransport } from './http.js';

/** Retries after a dropped connection or a server error (5xx, 409, 423): five, over about a minute. */
const RETRY_DELAYS_MS = [0, 1000, 3000, 10_000, 20_000, 30_000];
/** Node streams are read in chunks of this size (tus needs a finite one to bound memory). */
const STREAM_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * A Node readable stream (`fs.createReadStream`, a request body…). Declared structurally: the SDK does not depend
 * on Node's types.
 * @example const source: NodeReadable = fs.createReadStream('report.pdf');
 */
export interface NodeReadable {
  pipe: (...args: never[]) => unknown;
  on: (...args: never[]) => unknown;
}

/**
 * What `client.files.upload` uploads: a `Blob` or `File` (browsers, and Node 20's global `Blob`), a `Uint8Array`
 * (a Node `Buffer` is one), or a Node readable stream (with `size` in the options, unless it is a file stream).
 * @example const source: UploadSource = input.files[0];
 */
export type UploadSource = Blob | Uint8Array | NodeReadable;

/**
 * The options of `client.files.upload`.
 * @example const options: FileUploadOptions = { onProgress: (sent, total) => (bar.value = sent / total), signal: abort.signal };
 */
export interface FileUploadOptions {
  /** The file name the recipients see; defaults to a `File`'s name, else `file`. */
  name?: string;
  /** The type to claim (the server sniffs the real one); defaults to a `Blob`'s `type`. */
  type?: string;
  /** The size of a stream, in bytes (required for a stream that is not a file stream: tus needs the length first). */
  size?: number;
  /** Called as bytes reach the server. */
  onProgress?: (bytesSent: number, bytesTotal: number) => void;
  /** Aborting it stops the upload, deletes what the server received, and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Marks a recorded voice message, measured by the recording client: its length and up to 128 peaks from 0 to 1. */
  voice?: { durationMs: number; waveform: number[] };
}

type TusModule = typeof import('tus-js-client');

let tus: Promise<TusModule> | undefined;

function loadTus(): Promise<TusModule> {
  // Node loads tus-js-client's CommonJS build: its exports may sit under `default`.
  tus ??= import('tus-js-client').then((m) => ('Upload' in m && m.Upload ? m : (m as unknown as { default: TusModule }).default));
  return tus;
}

function isBlob(source: UploadSource): source is Blob {
  return typeof Blob !== 'undefined' && source instanceof Blob;
}

/** tus-js-client's Node build reads Buffers and streams only: a Blob or a plain Uint8Array becomes a Buffer there. */
async function forTus(source: UploadSource): Promise<UploadSource> {
  const NodeBuffer = (globalThis as { Buffer?: { from(data: ArrayBuffer | Uint8Array): Uint8Array; isBuffer(x: unknown): boolean } }).Buffer;
  const inBrowser = typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest !== 'undefined';
  if (inBrowser || !NodeBuffer) return source;
  if (isBlob(source)) return NodeBuffer.from(await source.arrayBuffer());
  if (source instanceof Uint8Array && !NodeBuffer.isBuffer(source)) return NodeBuffer.from(source);
  return source;
}

function sizeOf(source: UploadSource, options: FileUploadOptions): number | undefined {
  if (isBlob(source)) return source.size;
  if (source instanceof Uint8Array) return source.byteLength;
  return options.size;
}

/**
 * The tus `Upload-Metadata` of an upload (see `UploadMetadata` in the protocol). Never throws.
 * @example uploadMetadata(conversationId, file, {}) // { conversationId, filename: 'cat.jpg', filetype: 'image/jpeg' }
 */
export function uploadMetadata(conversationId: string, source: UploadSource, options: FileUploadOptions): Record<string, string> {
  const fileName = typeof File !== 'undefined' && source instanceof File ? source.name : undefined;
  const type = options.type ?? (isBlob(source) ? source.type : '');
  const meta: Record<string, string> = { conversationId, filename: (options.name ?? fileName ?? 'file').replace(/[\r\n]+/g, ' ').slice(0, 255) || 'file' };
  if (type) meta.filetype = type;
  if (options.voice) {
    meta.kind = 'voice';
    meta.durationMs = String(Math.round(options.voice.durationMs));
    meta.waveform = JSON.stringify(options.voice.waveform.map((p) => Math.round(Math.min(1, Math.max(0, p)) * 100) / 100));
  }
  return meta;
}

/**
 * The HearthError for a failed upload: the server's ErrorBody when it answered one (FILE_TOO_LARGE,
 * FILE_TYPE_NOT_ALLOWED, FILE_INVALID, CONVERSATION_NOT_FOUND …), else by status, else NETWORK_ERROR. Never throws.
 * @example onError: (err) => reject(uploadError(err))
 */
export function uploadError(err: unknown): HearthError {
  const res = (err as Partial<DetailedError>).originalResponse;
  if (!res) return new HearthError('NETWORK_ERROR', `The upload could not reach the server: ${(err as Error).message}`);
  const status = res.getStatus();
  let body: unknown;
  try {
    body = JSON.parse(res.getBody() || 'null');
  } catch {
    body = null;
  }
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) return HearthError.fromBody(parsed.data, status);
  if (status === 413) return new HearthError('FILE_TOO_LARGE', 'The file is larger than the server accepts.', {}, status);
  if (status === 415) return new HearthError('FILE_TYPE_NOT_ALLOWED', 'The server does not accept this type of file.', {}, status);
  return new HearthError(status >= 500 ? 'INTERNAL_ERROR' : 'PROTOCOL_ERROR', `The upload failed with ${status}.`, {}, status);
}

/** The UploadedFile the last response carries, or, from a server that answered without a body, its info. */
async function finishedFile(http: HttpTransport, body: string, uploadUrl: string | null): Promise<UploadedFile> {
  if (body.trim() === '') {
    const fileId = uploadUrl?.split('/').pop()?.split('?')[0];
    if (!fileId) throw new HearthError('PROTOCOL_ERROR', 'The upload finished without saying which file it made.');
    return http.call('fileInfo', { params: { fileId } });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new HearthError('PROTOCOL_ERROR', 'The upload finished with a body that is not JSON.');
  }
  const parsed = UploadedFile.safeParse(json);
  if (!parsed.success) throw new HearthError('PROTOCOL_ERROR', `Unexpected answer to the upload: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Uploads one file to a conversation through tus and resolves with the server's UploadedFile.
 * @example const uploaded = await uploadFile(http, conversationId, file, { onProgress });
 * @throws HearthError FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED, FILE_INVALID, CONVERSATION_NOT_FOUND, RATE_LIMITED,
 * UNAUTHENTICATED; NETWORK_ERROR once the retries are spent; CANCELLED when `signal` aborts; PROTOCOL_ERROR for an
 * answer that is not an UploadedFile
 */
export async function uploadFile(http: HttpTransport, conversationId: string, source: UploadSource, options: FileUploadOptions = {}): Promise<UploadedFile> {
  const cancelled = () => new HearthError('CANCELLED', 'The upload was cancelled.');
  if (options.signal?.aborted) throw cancelled();
  const [{ Upload: TusUpload }, input] = await Promise.all([loadTus(), forTus(source)]);
  if (options.signal?.aborted) throw cancelled();
  const size = sizeOf(source, options);
  const headers: Record<string, string> = {};
  if (http.token) headers.authorization = `Bearer ${http.token}`;
  if (http.cookieSession) headers[SAME_ORIGIN_HEADER] = '1';

  const body = await new Promise<{ text: string; url: string | null }>((resolve, reject) => {
    const tusOptions: UploadOptions = {
      endpoint: `${http.baseUrl.replace(/\/$/, '')}/api/uploads`,
      metadata: uploadMetadata(conversationId, source, options),
      headers,
      retryDelays: RETRY_DELAYS_MS,
      // Resuming after a reload would need the same bytes again, which the SDK does not keep: no URL storage.
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: true,
      ...(size !== undefined ? { uploadSize: size } : {}),
      ...(isBlob(source) || source instanceof Uint8Array ? {} : { chunkSize: STREAM_CHUNK_BYTES }),
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onSuccess: ({ lastResponse }) => resolve({ text: lastResponse.getBody() ?? '', url: upload.url }),
      onError: (err) => reject(options.signal?.aborted ? cancelled() : uploadError(err)),
    };
    const upload: Upload = new TusUpload(input as Blob, tusOptions);
    options.signal?.addEventListener(
      'abort',
      () => {
        reject(cancelled());
        void upload.abort(true).catch(() => undefined);
      },
      { once: true },
    );
    upload.start();
  });
  return finishedFile(http, body.text, body.url);
}
