import { z } from 'zod';
import { Id, singleLine, Timestamp } from './common.js';

/**
 * What a file is, as the server found it from its bytes (or, for an opaque upload, as its uploader declared it):
 * `image` (JPEG, PNG, GIF, WebP, AVIF), `video`, `audio`, `voice` (a recorded voice message: audio with a
 * waveform) or any other `file`. Clients choose how to show an attachment from its kind alone.
 * @example FileKind.parse('image')
 */
export const FileKind = z.enum(['image', 'video', 'audio', 'voice', 'file']);
/**
 * A parsed {@link FileKind}.
 * @example const inline = (kind: FileKind) => kind === 'image' || kind === 'video';
 */
export type FileKind = z.infer<typeof FileKind>;

/** How many peaks a voice message's waveform holds at most. */
export const WAVEFORM_PEAKS_MAX = 128;
/** How many attachments one message may carry. */
export const ATTACHMENTS_MAX = 10;

/**
 * A voice message's waveform: up to {@link WAVEFORM_PEAKS_MAX} peaks between 0 and 1, oldest first.
 * @example Waveform.parse([0, 0.4, 1, 0.2])
 */
export const Waveform = z.array(z.number().min(0).max(1)).min(1).max(WAVEFORM_PEAKS_MAX);

/**
 * A stored file as a message carries it. The file's bytes are at `GET /api/files/:id` (with `Range`), its
 * thumbnail (an image's reduced copy, a video's poster frame, a JPEG or WebP no larger than 480 px) at
 * `GET /api/files/:id/thumbnail` when `thumbnail` is true; both need the session of a member of the conversation
 * the file was uploaded to, or a signed link ({@link FileLink}).
 *
 * `name` is the uploader's file name; `mimeType`, `size`, `sha256`, `width`, `height` and `durationMs` are what the
 * server measured from the bytes, except for an `opaque` file (stored without being read, for end-to-end
 * encryption), whose metadata its uploader declared and whose bytes only its recipients can read. `placeholder`
 * is a BlurHash of the image or poster to show while the thumbnail loads.
 *
 * @example
 * Attachment.parse({ id: fileId, kind: 'image', name: 'cat.jpg', mimeType: 'image/jpeg', size: 48213,
 *   sha256: 'e3b0…', width: 1024, height: 768, durationMs: null, thumbnail: true, placeholder: 'LEHV6nWB2y',
 *   waveform: null, opaque: false })
 */
export const Attachment = z.object({
  id: Id,
  kind: FileKind,
  name: singleLine(z.string().min(1).max(255)),
  mimeType: z.string().min(1).max(255),
  size: z.int().nonnegative(),
  /** Hex SHA-256 of the stored bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.int().positive().nullable(),
  height: z.int().positive().nullable(),
  durationMs: z.int().nonnegative().nullable(),
  thumbnail: z.boolean(),
  placeholder: z.string().max(100).nullable(),
  waveform: Waveform.nullable(),
  opaque: z.boolean(),
});
/**
 * A parsed {@link Attachment}.
 * @example const src = attachment.thumbnail ? `/api/files/${attachment.id}/thumbnail` : undefined;
 */
export type Attachment = z.infer<typeof Attachment>;

/**
 * A finished upload, as `GET /api/files/:fileId/info` returns it and as the last `PATCH` of a tus upload answers
 * it (JSON body): the {@link Attachment} a message will carry, the conversation it belongs to, who uploaded it and
 * when. Only its uploader may attach it to a message, only in that conversation.
 * @example UploadedFile.parse({ ...attachment, conversationId, uploaderId: userId, createdAt: 1718000000000 })
 */
export const UploadedFile = Attachment.extend({
  conversationId: Id,
  uploaderId: Id,
  createdAt: Timestamp,
});
/**
 * A parsed {@link UploadedFile}.
 * @example const ready: UploadedFile = await upload.finished;
 */
export type UploadedFile = z.infer<typeof UploadedFile>;

/**
 * The metadata of a tus upload (`Upload-Metadata` on the creating `POST /api/uploads`, each value base64 as tus
 * requires), decoded. `conversationId` is required: the file belongs to that conversation, and the uploader must
 * be a member who may write in it. `kind: 'voice'` with `durationMs` and `waveform` (a JSON array) marks a voice
 * message, measured by the recording client. `opaque: '1'` stores the bytes without reading them; the uploader
 * then declares `mimeType`, and may declare `width`, `height`, `durationMs` and `waveform` (the thumbnail of an
 * opaque file travels inside the encrypted message, not here).
 * @example UploadMetadata.parse({ conversationId, filename: 'cat.jpg', filetype: 'image/jpeg' })
 */
export const UploadMetadata = z.object({
  conversationId: Id,
  filename: singleLine(z.string().trim().min(1).max(255)),
  /** The type the uploader claims; the server ignores it except for an opaque file. */
  filetype: z.string().max(255).optional(),
  kind: z.enum(['voice']).optional(),
  opaque: z.enum(['1']).optional(),
  width: z.coerce.number().int().positive().max(65_535).optional(),
  height: z.coerce.number().int().positive().max(65_535).optional(),
  durationMs: z.coerce.number().int().nonnegative().max(86_400_000).optional(),
  /** JSON array of peaks, see {@link Waveform}. */
  waveform: z.string().max(4096).optional(),
});
/**
 * A parsed {@link UploadMetadata}.
 * @example const meta: UploadMetadata = { conversationId, filename: 'notes.pdf' };
 */
export type UploadMetadata = z.infer<typeof UploadMetadata>;

/**
 * A signed link to a file's bytes or thumbnail that works without a session until `expiresAt` (for a download
 * manager, a media player outside the app, or an embed on another origin). A link whose signature does not match,
 * or that has expired, is refused with LINK_INVALID.
 * @example FileLink.parse({ url: '/api/files/…?expires=…&signature=…', expiresAt: 1718000600000 })
 */
export const FileLink = z.object({ url: z.string(), expiresAt: Timestamp });
/**
 * A parsed {@link FileLink}.
 * @example window.open(link.url);
 */
export type FileLink = z.infer<typeof FileLink>;

/**
 * `GET /api/files/:fileId/link?variant=thumbnail`: which of the file's URLs to sign.
 * @example FileLinkQuery.parse({ variant: 'original' })
 */
export const FileLinkQuery = z.object({ variant: z.enum(['original', 'thumbnail']).default('original') });

/**
 * `GET /api/conversations/:conversationId/files`: one page of a conversation's files, newest first, each with the
 * message that carries it (the "Files" panel). `before` is the `seq` of the oldest message of the previous page.
 * @example FilesQuery.parse({ limit: '50', kind: 'image' })
 */
export const FilesQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  kind: FileKind.optional(),
});
/**
 * A parsed {@link FilesQuery}.
 * @example const query: FilesQuery = { limit: 50 };
 */
export type FilesQuery = z.infer<typeof FilesQuery>;

/**
 * One page of {@link FilesQuery}: the files, newest first, with the id, `seq`, sender and time of their message.
 * @example FilesPage.parse({ files: [], hasMore: false })
 */
export const FilesPage = z.object({
  files: z.array(
    z.object({
      attachment: Attachment,
      messageId: Id,
      seq: z.int().nonnegative(),
      senderId: Id,
      createdAt: Timestamp,
    }),
  ),
  hasMore: z.boolean(),
});
/**
 * A parsed {@link FilesPage}.
 * @example const images = page.files.filter((f) => f.attachment.kind === 'image');
 */
export type FilesPage = z.infer<typeof FilesPage>;
