import type { Generated } from 'kysely';

/*
 * Row types of the database, shared by both dialects. Times are milliseconds since the epoch (bigint),
 * booleans are integers 0/1, and structured values (message content) are JSON text, so that the same
 * queries and the same migrations serve SQLite and PostgreSQL.
 */

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  status_text: string;
  status_emoji: string;
  /** An IANA zone name, or null when never set. */
  time_zone: string | null;
  read_receipts: number;
  is_admin: number;
  created_at: number;
  updated_at: number;
  /** The change number (`change_counter`) of the last profile update: sync returns profiles above its cursor. */
  profile_change: number;
  last_seen_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  device_name: string;
  user_agent: string;
  created_at: number;
  last_used_at: number;
}

export interface ConversationsTable {
  id: string;
  kind: 'direct' | 'group' | 'channel';
  title: string | null;
  topic: string;
  created_by: string;
  created_at: number;
  /** The conversation's event position: the pts of its latest event. */
  last_event_seq: number;
  /** The seq of its latest message (0 when none). */
  last_message_seq: number;
  member_count: number;
  /** For direct conversations, "<smaller user id>:<larger user id>": unique, so one per pair. */
  direct_key: string | null;
}

export interface MembershipsTable {
  conversation_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  joined_at: number;
  delivered_seq: number;
  read_seq: number;
  /** When either pointer last moved (wall clock, for people; sync goes by `receipts_change`). */
  receipts_updated_at: number;
  /** When the delivered pointer last moved (wall clock; sync goes by `delivered_change`). */
  delivered_updated_at: number;
  /** The change number (`change_counter`) of the last move of either pointer, or of the row's creation. */
  receipts_change: number;
  /** The change number of the last move of the delivered pointer, or of the row's creation. */
  delivered_change: number;
  muted: number;
}

/**
 * A member who was removed: what they may still read of the conversation (up to `removed_seq`, the system line of
 * their removal) and how it looked then. Deleted when they dismiss it, or join or are added again.
 */
export interface FormerMembershipsTable
  extends Pick<MembershipsTable, 'conversation_id' | 'user_id' | 'role' | 'joined_at' | 'delivered_seq' | 'read_seq' | 'muted'> {
  removed_by: string;
  removed_at: number;
  removed_seq: number;
  title: string | null;
  topic: string;
  member_count: number;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_id: string;
  /** JSON of the protocol's Content; null once deleted. */
  content: string | null;
  reply_to_id: string | null;
  /** JSON of the protocol's ForwardRef. */
  forwarded: string | null;
  mentions_all: number;
  /** 1 for a line the server wrote (content of type `system`): never unread, never changed. */
  is_system: number;
  created_at: number;
  edited_at: number | null;
  edited_by: string | null;
  deleted_at: number | null;
  deleted_by: string | null;
  /** JSON of the message's link preview as stored (`StoredLinkPreview`, messages.views.ts); null without one. */
  link_preview: string | null;
}

export interface MentionsTable {
  conversation_id: string;
  seq: number;
  user_id: string;
}

export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: number;
}

/** Conversation events other than message.created (which the messages table records), for resume. */
export interface ConversationEventsTable {
  conversation_id: string;
  pts: number;
  type: string;
  /** JSON of the event without its type, conversationId and pts. */
  payload: string;
  created_at: number;
}

/** One row (id 1): the last change number taken. See `change-counter.ts`. */
export interface ChangeCounterTable {
  id: number;
  value: number;
}

/** An upload (`uploading`, `processing`) or a finished file (`ready`); see migration 0007. */
export interface FilesTable {
  id: string;
  conversation_id: string;
  uploader_id: string;
  name: string;
  status: 'uploading' | 'processing' | 'ready';
  /** The upload's declared length; the stored size once ready (they are equal). */
  size: number;
  upload_offset: number;
  /** JSON array of the offsets where each stored part of the upload starts. */
  parts: string;
  /** JSON of the tus Upload-Metadata, decoded, as the uploader sent it. */
  metadata: string;
  mime_type: string | null;
  kind: 'image' | 'video' | 'audio' | 'voice' | 'file' | null;
  sha256: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  has_thumbnail: number;
  placeholder: string | null;
  /** JSON array of peaks. */
  waveform: string | null;
  opaque: number;
  storage_key: string | null;
  thumbnail_key: string | null;
  created_at: number;
  finished_at: number | null;
  /** When a deleted message last stopped carrying it: the grace before an orphan is deleted counts from here. */
  released_at: number | null;
}

/** Which message carries which file, at which place among its attachments. */
export interface MessageFilesTable {
  message_id: string;
  position: number;
  file_id: string;
  conversation_id: string;
  seq: number;
  kind: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

/** Pages read for link previews, by the SHA-256 of the URL: a result or why there is none, until `expires_at`. */
export interface LinkPreviewCacheTable {
  url_hash: string;
  url: string;
  /** JSON of the preview (`StoredLinkPreview` without its url); null when the page gave none. */
  preview: string | null;
  /** Why there is no preview (`FetchFailure`, or `empty`); null with a preview. */
  failure: string | null;
  fetched_at: number;
  expires_at: number;
}

/** Preview images as the server reduced them: WebP, base64. */
export interface LinkPreviewImagesTable {
  id: string;
  width: number;
  height: number;
  data: string;
  created_at: number;
}

export interface DB {
  change_counter: ChangeCounterTable;
  users: UsersTable;
  sessions: SessionsTable;
  conversations: ConversationsTable;
  memberships: MembershipsTable;
  former_memberships: FormerMembershipsTable;
  messages: MessagesTable;
  mentions: MentionsTable;
  reactions: ReactionsTable;
  conversation_events: ConversationEventsTable;
  files: FilesTable;
  message_files: MessageFilesTable;
  server_secrets: ServerSecretsTable;
  link_preview_cache: LinkPreviewCacheTable;
  link_preview_images: LinkPreviewImagesTable;
}

export type { Generated };
