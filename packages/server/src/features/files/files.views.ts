import type { Attachment, UploadedFile } from '@hearth/protocol';
import type { FileRow } from './files.store.js';

/** Where a file's bytes and thumbnail are stored, and where each part of an upload is stored meanwhile. */
export const storageKeys = {
  original: (id: string) => `files/${id}/original`,
  thumbnail: (id: string) => `files/${id}/thumbnail`,
  part: (id: string, offset: number, nonce: string) => `uploads/${id}/${offset}-${nonce}`,
};

/** The Attachment of a finished file. */
export function toAttachment(row: FileRow): Attachment {
  return {
    id: row.id,
    kind: row.kind ?? 'file',
    name: row.name,
    mimeType: row.mime_type ?? 'application/octet-stream',
    size: Number(row.size),
    sha256: row.sha256 ?? '',
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    thumbnail: row.has_thumbnail === 1,
    placeholder: row.placeholder,
    waveform: row.waveform === null ? null : (JSON.parse(row.waveform) as number[]),
    opaque: row.opaque === 1,
  };
}

/** The UploadedFile of a finished file. */
export function toUploadedFile(row: FileRow): UploadedFile {
  return { ...toAttachment(row), conversationId: row.conversation_id, uploaderId: row.uploader_id, createdAt: Number(row.finished_at ?? row.created_at) };
}
