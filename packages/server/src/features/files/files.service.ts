import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ATTACHMENTS_MAX, type Attachment, type FileLink, type FilesPage, type FilesQuery, type MediaContent, type UploadedFile } from '@hearth/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { DB } from '../../platform/db/schema.js';
import { HearthError } from '../../platform/errors.js';
import type { BlobStore, ByteRange } from '../../platform/storage/blob-store.js';
import { requireReader } from '../conversations/access.js';
import * as store from './files.store.js';
import type { FileRow } from './files.store.js';
import { toAttachment, toUploadedFile } from './files.views.js';
import { LinkSigner, type FileVariant } from './link-signer.js';

/** How long a signed link works. */
const LINK_TTL_MS = 3600_000;

/** A file's bytes (or a range of them) with what an HTTP answer says about them. */
export interface Download {
  body: Readable;
  /** The whole object's size; the range's bounds when one was asked for. */
  totalSize: number;
  range: ByteRange | undefined;
  mimeType: string;
  name: string;
  etag: string;
}

/** A signed link's query parameters. */
export interface LinkProof {
  expires: number;
  signature: string;
}

/**
 * Finished files: who may download them, their bytes and signed links, a conversation's files, and the files a
 * media message carries. A file is visible to the members of its own conversation and to whoever may read a
 * message that carries it (a forward takes it to another conversation); anyone else is told FILE_NOT_FOUND, the
 * answer for an id that does not exist.
 */
export class FilesService {
  private constructor(
    private readonly db: Kysely<DB>,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly signer: LinkSigner,
  ) {}

  /** The service with the link-signing secret every node shares (made by the first node that starts). */
  static async open(db: Kysely<DB>, blobs: BlobStore, clock: Clock): Promise<FilesService> {
    const secret = await store.secret(db, 'file-links', randomBytes(32).toString('base64'));
    return new FilesService(db, blobs, clock, new LinkSigner(Buffer.from(secret, 'base64')));
  }

  async info(actor: Actor, fileId: string): Promise<UploadedFile> {
    return toUploadedFile(await this.requireDownloadable(actor, fileId));
  }

  async link(actor: Actor, fileId: string, variant: FileVariant): Promise<FileLink> {
    const row = await this.requireDownloadable(actor, fileId);
    if (variant === 'thumbnail' && row.thumbnail_key === null) throw new HearthError('FILE_NOT_FOUND', { fileId });
    const expiresAt = this.clock.now() + LINK_TTL_MS;
    const path = `/api/files/${fileId}${variant === 'thumbnail' ? '/thumbnail' : ''}`;
    return { url: `${path}?expires=${expiresAt}&signature=${this.signer.sign(fileId, variant, expiresAt)}`, expiresAt };
  }

  /**
   * The bytes of a file or its thumbnail for someone who may download it, or for a valid signed link (LINK_INVALID
   * otherwise). `range` must lie inside the object (the caller checks it against `size` first).
   */
  async open(who: Actor | LinkProof, fileId: string, variant: FileVariant, range?: (size: number) => ByteRange | undefined): Promise<Download> {
    let row: FileRow | undefined;
    if ('signature' in who) {
      if (!this.signer.verify(fileId, variant, who.expires, who.signature, this.clock.now())) throw new HearthError('LINK_INVALID');
      row = await store.findById(this.db, fileId);
      if (row?.status !== 'ready') throw new HearthError('FILE_NOT_FOUND', { fileId });
    } else {
      row = await this.requireDownloadable(who, fileId);
    }
    const key = variant === 'thumbnail' ? row.thumbnail_key : row.storage_key;
    const stat = key === null ? undefined : await this.blobs.stat(key);
    if (key === null || !stat) throw new HearthError('FILE_NOT_FOUND', { fileId });
    const wanted = range?.(stat.size);
    const body = await this.blobs.get(key, wanted);
    if (!body) throw new HearthError('FILE_NOT_FOUND', { fileId });
    const thumbnail = variant === 'thumbnail';
    return {
      body,
      totalSize: stat.size,
      range: wanted,
      mimeType: thumbnail ? 'image/webp' : (row.mime_type ?? 'application/octet-stream'),
      name: thumbnail ? `${row.name.replace(/\.[^.]*$/, '')}-thumbnail.webp` : row.name,
      etag: `"${row.sha256 ?? row.id}${thumbnail ? '-thumbnail' : ''}"`,
    };
  }

  /** A page of the conversation's files, newest first, for someone who may read it. */
  async list(actor: Actor, conversationId: string, query: FilesQuery): Promise<FilesPage> {
    const { upToSeq } = await requireReader(this.db, conversationId, actor.userId);
    // Enough rows for `limit` files plus the rest of a message cut by the limit, and one to tell whether more remain.
    const rows = await store.listForConversation(this.db, conversationId, {
      before: query.before,
      upToSeq: Number.isFinite(upToSeq) ? upToSeq : undefined,
      kind: query.kind,
      limit: query.limit + ATTACHMENTS_MAX + 1,
    });
    // Whole messages only (the next page starts before the last one's seq): as many as fit in `limit`, and at least
    // one, even when its files alone are more.
    let end = 0;
    while (end < rows.length) {
      let next = end;
      while (next < rows.length && rows[next]!.seq === rows[end]!.seq) next++;
      if (end > 0 && next > query.limit) break;
      end = next;
      if (end >= query.limit) break;
    }
    const page = rows.slice(0, end);
    const hasMore = rows.length > end;
    const files = new Map((await store.findByIds(this.db, [...new Set(page.map((r) => r.file_id))])).map((f) => [f.id, f]));
    return {
      files: page.flatMap((r) => {
        const file = files.get(r.file_id);
        return file ? [{ attachment: toAttachment(file), messageId: r.message_id, seq: Number(r.seq), senderId: r.sender_id, createdAt: Number(r.created_at) }] : [];
      }),
      hasMore,
    };
  }

  /**
   * The Attachments of the files a media message sends, in order: each must be a finished upload of the sender's to
   * this conversation. Throws FILE_NOT_FOUND or UPLOAD_INCOMPLETE naming the first that is not.
   */
  async attachmentsFor(userId: string, conversationId: string, fileIds: readonly string[]): Promise<Attachment[]> {
    const rows = new Map((await store.findByIds(this.db, fileIds)).map((r) => [r.id, r]));
    return fileIds.map((fileId) => {
      const row = rows.get(fileId);
      if (row?.uploader_id !== userId || row.conversation_id !== conversationId) throw new HearthError('FILE_NOT_FOUND', { fileId });
      if (row.status !== 'ready') throw new HearthError('UPLOAD_INCOMPLETE', { fileId });
      return toAttachment(row);
    });
  }

  /** Records, in the open transaction, that these messages carry their attachments. */
  async recordCarriers(trx: Transaction<DB>, messages: ReadonlyArray<{ id: string; conversationId: string; seq: number; content: MediaContent }>): Promise<void> {
    await store.insertMessageFiles(
      trx,
      messages.flatMap((m) =>
        m.content.attachments.map((a, position) => ({ message_id: m.id, position, file_id: a.id, conversation_id: m.conversationId, seq: m.seq, kind: a.kind })),
      ),
    );
  }

  /**
   * A deleted message carries its files no more; a file nothing carries any more is deleted `orphanExpiryMs` after
   * this (the grace period: another message may still be sent with it meanwhile).
   */
  async forgetCarriers(trx: Transaction<DB>, messageId: string, now: number): Promise<void> {
    await store.deleteMessageFiles(trx, messageId, now);
  }

  /**
   * A finished file the user may download: a reader of its conversation, or of a message that carries it (a member
   * removed since: of what they saw). FILE_NOT_FOUND otherwise; UPLOAD_INCOMPLETE for its uploader while it uploads.
   */
  private async requireDownloadable(actor: Actor, fileId: string): Promise<FileRow & { storage_key: string }> {
    const row = await store.findById(this.db, fileId);
    if (!row) throw new HearthError('FILE_NOT_FOUND', { fileId });
    if (row.status !== 'ready' || row.storage_key === null) {
      throw new HearthError(row.uploader_id === actor.userId ? 'UPLOAD_INCOMPLETE' : 'FILE_NOT_FOUND', { fileId });
    }
    const places = [{ conversation_id: row.conversation_id, seq: Infinity }, ...(await store.carriersOf(this.db, fileId))];
    for (const place of places) {
      const reach = await requireReader(this.db, place.conversation_id, actor.userId).catch((err: unknown) => {
        if (err instanceof HearthError && err.code === 'CONVERSATION_NOT_FOUND') return undefined;
        throw err;
      });
      if (reach && reach.upToSeq >= Number(place.seq)) return { ...row, storage_key: row.storage_key };
    }
    throw new HearthError('FILE_NOT_FOUND', { fileId });
  }
}
