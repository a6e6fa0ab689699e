import { z } from 'zod';

/**
 * Identifier of a server-created object (user, session, conversation, message): a UUID, version 7.
 * @example Id.parse('01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c')
 */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/**
 * A client-chosen message id that makes sends idempotent: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
 * Unique per sender and conversation; a retried send with the same value returns the first message.
 */
export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'clientId must be 1-64 characters of A-Z a-z 0-9 _ -');
export type ClientId = z.infer<typeof ClientId>;

/** Milliseconds since the Unix epoch, as assigned by the server's clock. */
export const Timestamp = z.int().nonnegative();
export type Timestamp = z.infer<typeof Timestamp>;

/**
 * Position in a conversation's event stream. Every persisted event of a conversation (a message, an edit,
 * a reaction, a membership change) takes the next value, so a client that holds `pts = n` has seen exactly
 * the events `1..n` and nothing else; a message's `seq` is the `pts` of its `message.created` event.
 */
export const Seq = z.int().nonnegative();
export type Seq = z.infer<typeof Seq>;

/** Request id chosen by the client to match a WebSocket reply with its request: 1 to 64 characters. */
export const RequestId = z.string().min(1).max(64);

/**
 * A single Unicode emoji: any RGI emoji, including skin-tone and ZWJ sequences.
 * @example Emoji.parse('👍🏽')
 */
// Built with the constructor: the `v` flag (Unicode sets, needed for \p{RGI_Emoji}) postdates the ES2022 target.
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
export const Emoji = z.string().max(64).refine((s) => SINGLE_EMOJI.test(s), 'must be a single emoji');
export type Emoji = z.infer<typeof Emoji>;

/** Default limits; a server announces the ones it enforces in the `ready` frame. */
export const DEFAULT_LIMITS = {
  /** Largest WebSocket frame a client may send, in bytes. */
  maxFrameBytes: 65_536,
  /** Largest message text, in UTF-8 bytes. */
  maxTextBytes: 16_384,
  /** Largest page of history or search results. */
  maxPageSize: 100,
  /** How long a typing indicator lasts unless renewed. */
  typingTtlMs: 6_000,
} as const;

export const Limits = z.object({
  maxFrameBytes: z.int().positive(),
  maxTextBytes: z.int().positive(),
  maxPageSize: z.int().positive(),
  typingTtlMs: z.int().positive(),
});
export type Limits = z.infer<typeof Limits>;

/** An empty success result. */
export const Empty = z.object({});
export type Empty = z.infer<typeof Empty>;
