import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadMetadata, type UploadedFile } from '@hearth/protocol';
import type { Kysely } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { requireMember } from '../conversations/access.js';
import * as store from './files.store.js';
import type { FileRow } from './files.store.js';
import { storageKeys, toUploadedFile } from './files.views.js';
import { processUpload, waveformOf, type ProcessOptions } from './processing.js';
import { Semaphore } from './semaphore.js';

export interface UploadSettings {
  maxUploadBytes: number;
  allowedTypes: string[];
  uploadExpiryMs: number;
  orphanExpiryMs: number;
  processingConcurrency: number;
  maxImagePixels: number;
}

/** An upload as the tus protocol sees it. */
export interface UploadState {
  id: string;
  size: number;
  offset: number;
  metadata: Record<string, string>;
  createdAt: number;
}

/** Rows looked at per cleanup round: a backlog drains over several rounds instead of one long one. */
const CLEANUP_BATCH = 100;

/**
 * Uploads from creation to a finished file. An upload's bytes are stored as one object per `PATCH` (a part) in the
 * BlobStore, its offset and parts in the database, so that the next `PATCH` may land on any node; the database's
 * compare-and-set on the offset keeps two writers from both counting their bytes. The last part triggers
 * processing: the parts are joined into a work file on this node, checked and measured, and the result stored.
 */
export class UploadsService {
  private readonly jobs: Semaphore;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly blobs: BlobStore,
    private readonly settings: UploadSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Local scratch space for joining and processing uploads. */
    private readonly workDir: string,
    private readonly ffmpeg: ProcessOptions['ffmpeg'],
  ) {
    this.jobs = new Semaphore(settings.processingConcurrency);
    // What a previous run of this node left mid-processing (a crash): its uploads are cleaned up by expiry.
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
  }

  /**
   * Starts an upload of `size` bytes. Throws VALIDATION_FAILED (metadata), FILE_TOO_LARGE, FILE_INVALID (empty),
   * CONVERSATION_NOT_FOUND (not a member).
   */
  async create(actor: Actor, id: string, size: number | undefined, metadata: Record<string, string | null> | undefined): Promise<UploadState> {
    const parsed = UploadMetadata.safeParse(metadata ?? {});
    if (!parsed.success) {
      throw new HearthError('VALIDATION_FAILED', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }, 'Upload-Metadata is not valid.');
    }
    const meta = parsed.data;
    if (size === undefined) throw new HearthError('VALIDATION_FAILED', {}, 'Upload-Length is required.');
    if (size > this.settings.maxUploadBytes) throw new HearthError('FILE_TOO_LARGE', { maxBytes: this.settings.maxUploadBytes });
    if (size === 0) throw new HearthError('FILE_INVALID', {}, 'The file is empty.');
    waveformOf(meta);
    await requireMember(this.db, meta.conversationId, actor.userId);
    const createdAt = this.clock.now();
    const clean = Object.fromEntries(Object.entries(metadata ?? {}).filter((e): e is [string, string] => e[1] !== null));
    await store.insert(this.db, {
      id,
      conversation_id: meta.conversationId,
      uploader_id: actor.userId,
      name: meta.filename,
      status: 'uploading',
      size,
      upload_offset: 0,
      parts: '[]',
      has_thumbnail: 0,
      metadata: JSON.stringify(clean),
      opaque: meta.opaque === '1' ? 1 : 0,
      created_at: createdAt,
    });
    return { id, size, offset: 0, metadata: clean, createdAt };
  }

  /** Throws FILE_NOT_FOUND unless the upload exists and the actor began it. */
  async requireUploader(actor: Actor, id: string): Promise<void> {
    const row = await store.findById(this.db, id);
    if (row?.uploader_id !== actor.userId) throw new HearthError('FILE_NOT_FOUND', { fileId: id });
  }

  /** The upload's state (a finished one at its full length), or undefined. */
  async find(id: string): Promise<UploadState | undefined> {
    const row = await store.findById(this.db, id);
    if (!row) return undefined;
    const size = Number(row.size);
    return { id, size, offset: row.status === 'uploading' ? Number(row.upload_offset) : size, metadata: JSON.parse(row.metadata) as Record<string, string>, createdAt: Number(row.created_at) };
  }

  /** Stores the body as the part starting at `offset`; resolves with the new offset. */
  async writePart(id: string, offset: number, body: Readable): Promise<number> {
    const row = await store.findById(this.db, id);
    if (row?.status !== 'uploading') throw new HearthError('FILE_NOT_FOUND', { fileId: id });
    if (Number(row.upload_offset) !== offset) throw new HearthError('VALIDATION_FAILED', { expectedOffset: Number(row.upload_offset) }, 'Upload-Offset does not match the upload.');
    const key = storageKeys.part(id, offset, randomBytes(4).toString('hex'));
    let written: number;
    try {
      written = await this.blobs.put(key, body);
    } catch (err) {
      await this.blobs.delete(key).catch(() => undefined);
      throw err;
    }
    if (written === 0) {
      await this.blobs.delete(key);
      return offset;
    }
    const parts = [...(JSON.parse(row.parts) as string[]), key];
    // Another request (on any node) that moved the offset first wins; this part was never counted.
    if (!(await store.advance(this.db, id, offset, offset + written, JSON.stringify(parts)))) {
      await this.blobs.delete(key);
      const now = await store.findById(this.db, id);
      throw new HearthError('VALIDATION_FAILED', { expectedOffset: Number(now?.upload_offset ?? 0) }, 'The upload moved on meanwhile; ask for its offset again.');
    }
    return offset + written;
  }

  /** Deletes an unfinished upload and its parts (tus termination); a finished file is not an upload any more. */
  async abandon(id: string): Promise<void> {
    const row = await store.findById(this.db, id);
    if (row?.status !== 'uploading') throw new HearthError('FILE_NOT_FOUND', { fileId: id });
    await this.discard(row);
  }

  /**
   * Turns a complete upload into a file: joins its parts, processes them, stores the result and answers the
   * UploadedFile. A failure deletes everything of it and throws FILE_TYPE_NOT_ALLOWED or FILE_INVALID. Asking again
   * for a file already finished answers it again (a client retrying the last PATCH).
   */
  async finish(id: string): Promise<UploadedFile> {
    const row = await store.findById(this.db, id);
    if (row?.status === 'ready') return toUploadedFile(row);
    if (!row || !(await store.transition(this.db, id, 'uploading', { status: 'processing' }))) throw new HearthError('FILE_NOT_FOUND', { fileId: id });
    const work = path.join(this.workDir, `${id}-${randomBytes(4).toString('hex')}`);
    try {
      await this.join(row, work);
      const meta = UploadMetadata.parse(JSON.parse(row.metadata));
      const found = await this.jobs.run(() => processUpload(work, work, meta, { allowedTypes: this.settings.allowedTypes, maxImagePixels: this.settings.maxImagePixels, ffmpeg: this.ffmpeg }));
      await this.blobs.put(storageKeys.original(id), fs.createReadStream(found.original));
      if (found.thumbnail) await this.blobs.put(storageKeys.thumbnail(id), PassThrough.from(found.thumbnail));
      const finishedAt = this.clock.now();
      const fields = {
        status: 'ready' as const,
        name: found.name,
        size: found.size,
        mime_type: found.mimeType,
        kind: found.kind,
        sha256: found.sha256,
        width: found.width,
        height: found.height,
        duration_ms: found.durationMs,
        has_thumbnail: found.thumbnail ? 1 : 0,
        placeholder: found.placeholder,
        waveform: found.waveform ? JSON.stringify(found.waveform) : null,
        storage_key: storageKeys.original(id),
        thumbnail_key: found.thumbnail ? storageKeys.thumbnail(id) : null,
        finished_at: finishedAt,
      };
      if (!(await store.transition(this.db, id, 'processing', fields))) throw new HearthError('FILE_NOT_FOUND', { fileId: id });
      await this.deleteParts((await store.findById(this.db, id)) ?? row);
      return toUploadedFile({ ...row, ...fields });
    } catch (err) {
      await this.discard(row);
      if (err instanceof HearthError) throw err;
      this.log.error({ err, fileId: id }, 'file processing failed');
      throw new HearthError('FILE_INVALID', {}, undefined, { cause: err });
    } finally {
      await removeWorkFiles(work);
    }
  }

  /**
   * One round of cleanup: uploads begun more than `uploadExpiryMs` ago and never finished, and finished files no
   * message carries (never sent, or whose messages were all deleted) older than `orphanExpiryMs`. Resolves with how
   * many of each went.
   */
  async cleanup(): Promise<{ uploads: number; orphans: number }> {
    const now = this.clock.now();
    const expired = await store.listUnfinishedBefore(this.db, now - this.settings.uploadExpiryMs, CLEANUP_BATCH);
    for (const row of expired) await this.discard(row);
    const orphans = await store.listOrphansBefore(this.db, now - this.settings.orphanExpiryMs, CLEANUP_BATCH);
    for (const row of orphans) await this.discard(row);
    if (expired.length + orphans.length > 0) this.log.info({ uploads: expired.length, orphans: orphans.length }, 'files cleaned up');
    return { uploads: expired.length, orphans: orphans.length };
  }

  /** The row first (nothing can find the file any more), then its bytes. */
  private async discard(row: FileRow): Promise<void> {
    const current = (await store.findById(this.db, row.id)) ?? row;
    await store.remove(this.db, row.id);
    await this.deleteParts(current);
    await this.blobs.delete(storageKeys.original(row.id));
    await this.blobs.delete(storageKeys.thumbnail(row.id));
  }

  private async deleteParts(row: FileRow): Promise<void> {
    for (const key of JSON.parse(row.parts) as string[]) await this.blobs.delete(key);
  }

  /** The parts, in order, into one local file; FILE_INVALID if they do not add up to the declared size. */
  private async join(row: FileRow, target: string): Promise<void> {
    const current = await store.findById(this.db, row.id);
    const out = fs.createWriteStream(target);
    try {
      for (const key of JSON.parse(current?.parts ?? row.parts) as string[]) {
        const part = await this.blobs.get(key);
        if (!part) throw new HearthError('FILE_INVALID', {}, 'A part of the upload is missing.');
        await pipeline(part, out, { end: false });
      }
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    if ((await fs.promises.stat(target)).size !== Number(row.size)) throw new HearthError('FILE_INVALID', {}, 'The upload is not complete.');
  }
}

async function removeWorkFiles(work: string): Promise<void> {
  await Promise.all(['', '.clean', '.ogg'].map((suffix) => fs.promises.rm(`${work}${suffix}`, { force: true })));
}
