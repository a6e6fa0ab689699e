import type { Attachment, FileLink, FilesPage, FilesQuery, UploadedFile } from '@hearth/protocol';
import { HearthError } from '../errors.js';
import { uploadFile, type FileUploadOptions, type UploadSource } from '../uploads.js';
import type { ClientContext } from './context.js';

/**
 * What the server accepts as uploads (`ServerInfo.files`): the largest file and the allowed types (MIME types, or
 * `image/*`-style families). Undefined fields mean the server did not say (an older server): any size, any type.
 * @example const { maxUploadBytes } = await client.files.limits();
 */
export interface UploadLimits {
  maxUploadBytes?: number;
  allowedTypes?: string[];
}

/**
 * Whether a type is among `allowedTypes` (exact, or a `family/*` entry), parameters aside; true when the server gave
 * no list.
 * The server decides from the bytes: this only saves uploading what it would refuse by its claimed type.
 * Never throws.
 * @example if (!typeAllowed(file.type, limits.allowedTypes)) showRefused(file.name);
 */
export function typeAllowed(type: string, allowedTypes: readonly string[] | undefined): boolean {
  if (!allowedTypes || allowedTypes.length === 0 || allowedTypes.includes('*/*')) return true;
  // `audio/webm;codecs=opus` (a recording's type) is `audio/webm` for the list.
  const essence = type.split(';')[0]!.trim().toLowerCase();
  const family = essence.split('/')[0];
  return allowedTypes.some((t) => t === essence || t === `${family}/*`);
}

/**
 * Files: uploads (tus, resumable), their URLs and signed links, and a conversation's files, as `client.files`.
 * A file is uploaded to one conversation, then sent in a media message with `client.messages.send`.
 * @example
 * const uploaded = await client.files.upload(conversationId, file, { onProgress: (sent, total) => show(sent / total) });
 * await client.messages.send(conversationId, { type: 'media', text: 'the venue', attachments: [uploaded] });
 */
export class FilesApi {
  private limitsCache: Promise<UploadLimits> | undefined;

  /**
   * Made by `HearthClient`; use `client.files`. Never throws.
   * @example const files = new FilesApi(client);
   */
  constructor(private readonly client: ClientContext) {}

  /**
   * Uploads a file to a conversation with the tus resumable-upload protocol (retrying and resuming after a dropped
   * connection), and resolves with what the server found (kind, type, size, dimensions, thumbnail, placeholder).
   * Pass `voice` with the duration and waveform measured while recording to upload a voice message.
   * @example
   * const abort = new AbortController();
   * const uploaded = await client.files.upload(conversationId, file, { signal: abort.signal, onProgress: (s, t) => bar(s / t) });
   * @throws HearthError FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED, FILE_INVALID, CONVERSATION_NOT_FOUND, RATE_LIMITED,
   * UNAUTHENTICATED; NETWORK_ERROR once the retries are spent; CANCELLED when `signal` aborts; NOT_SIGNED_IN
   * without a session; PROTOCOL_ERROR for an answer that is not an UploadedFile
   */
  async upload(conversationId: string, file: UploadSource, options: FileUploadOptions = {}): Promise<UploadedFile> {
    if (!this.client.http.hasSession) throw new HearthError('NOT_SIGNED_IN', 'Sign in before uploading.');
    return uploadFile(this.client.http, conversationId, file, options);
  }

  /**
   * The URL of a file's bytes on the server. It needs the session: it works as `<img src>` or `<video src>` in a
   * browser app whose session is the server's cookie; other apps fetch it with the bearer token, or use `link()`.
   * With `download`, the server answers it as an attachment (a download, not a view). Never throws.
   * @example img.src = client.files.url(attachment);
   */
  url(file: Pick<Attachment, 'id'>, options: { download?: boolean } = {}): string {
    return `${this.base()}/api/files/${encodeURIComponent(file.id)}${options.download ? '?download=1' : ''}`;
  }

  /**
   * The URL of a file's thumbnail (an image's reduced copy, a video's poster frame), or undefined when it has none.
   * Same authentication as `url`. Never throws.
   * @example const poster = client.files.thumbnailUrl(attachment);
   */
  thumbnailUrl(file: Pick<Attachment, 'id' | 'thumbnail'>): string | undefined {
    return file.thumbnail ? `${this.base()}/api/files/${encodeURIComponent(file.id)}/thumbnail` : undefined;
  }

  /**
   * A signed link to a file's bytes or thumbnail that works without a session for an hour (a download manager, a
   * player outside the app); `url` is absolute.
   * @example window.open((await client.files.link(attachment.id)).url);
   * @throws HearthError FILE_NOT_FOUND, and the transport's errors
   */
  async link(fileId: string, variant: 'original' | 'thumbnail' = 'original'): Promise<FileLink> {
    const link = await this.client.http.call('fileLink', { params: { fileId }, query: { variant } });
    return { ...link, url: /^https?:/.test(link.url) ? link.url : `${this.base()}${link.url}` };
  }

  /**
   * A file's metadata, as its upload answered it.
   * @example const { kind, size } = await client.files.info(fileId);
   * @throws HearthError FILE_NOT_FOUND, UPLOAD_INCOMPLETE, and the transport's errors
   */
  info(fileId: string): Promise<UploadedFile> {
    return this.client.http.call('fileInfo', { params: { fileId } });
  }

  /**
   * One page of a conversation's files, newest first, each with its message (a "Files" panel). For the next page,
   * pass `before` the `seq` of the last file of this one.
   * @example
   * const page = await client.files.list(conversationId, { kind: 'image', limit: 30 });
   * const more = page.hasMore ? await client.files.list(conversationId, { kind: 'image', before: page.files.at(-1)!.seq }) : null;
   * @throws HearthError CONVERSATION_NOT_FOUND, RATE_LIMITED, VALIDATION_FAILED, and the transport's errors
   */
  list(conversationId: string, query: Partial<FilesQuery> = {}): Promise<FilesPage> {
    return this.client.http.call('conversationFiles', { params: { conversationId }, query: { limit: 50, ...query } });
  }

  /**
   * What the server accepts as uploads, from its ServerInfo (fetched once, then cached; an older server's answer
   * has no limits, and a failed fetch is retried next time). Never rejects: on failure it resolves with no limits.
   * @example const { maxUploadBytes = Infinity } = await client.files.limits();
   */
  limits(): Promise<UploadLimits> {
    this.limitsCache ??= this.client.http.call('serverInfo').then(
      (info) => {
        const files = (info as { files?: UploadLimits }).files;
        return files ? { ...(files.maxUploadBytes !== undefined ? { maxUploadBytes: files.maxUploadBytes } : {}), ...(files.allowedTypes ? { allowedTypes: files.allowedTypes } : {}) } : {};
      },
      () => {
        this.limitsCache = undefined;
        return {};
      },
    );
    return this.limitsCache;
  }

  private base(): string {
    return this.client.http.baseUrl.replace(/\/$/, '');
  }
}
