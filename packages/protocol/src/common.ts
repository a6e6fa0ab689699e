import { z } from 'zod';

/**
 * Identifier of a server-created object (user, session, conversation, message): a UUID, version 7.
 * @example Id.parse('01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c')
 */
export const Id = z.uuid();
/**
 * A server-assigned UUID, as {@link Id} parses it.
 * @example const conversationId: Id = '01936b2a-7c1e-7b3a-9f00-4c2d8e9a1b2c';
 */
export type Id = z.infer<typeof Id>;

/**
 * A client-chosen message id that makes sends idempotent: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
 * Unique per sender and conversation; a retried send with the same value returns the first message.
 * @example ClientId.parse('c7f3a1d09b2e4c58a6d1e0f2')
 */
export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'clientId must be 1-64 characters of A-Z a-z 0-9 _ -');
/**
 * A {@link ClientId}: keep it with the unsent message and reuse it on every retry.
 * @example const clientId: ClientId = 'draft-42';
 */
export type ClientId = z.infer<typeof ClientId>;

/**
 * Milliseconds since the Unix epoch, as assigned by the server's clock.
 * @example Timestamp.parse(1718000000000)
 */
export const Timestamp = z.int().nonnegative();
/**
 * A server time in epoch milliseconds; compare it with the server's clock (`ready.serverTime`), not the device's.
 * @example const createdAt: Timestamp = 1718000000000;
 */
export type Timestamp = z.infer<typeof Timestamp>;

/**
 * Position in a conversation's event stream. Every persisted event of a conversation (a message, an edit,
 * a reaction, a membership change) takes the next value, so a client that holds `pts = n` has seen exactly
 * the events `1..n` and nothing else; a message's `seq` is the `pts` of its `message.created` event.
 * @example Seq.parse(42)
 */
export const Seq = z.int().nonnegative();
/**
 * A {@link Seq}: 0 means "nothing yet" (a new conversation's `pts`, a pointer before the first message).
 * @example const readUpTo: Seq = conversation.lastMessage?.seq ?? 0;
 */
export type Seq = z.infer<typeof Seq>;

// `u` regexes see a surrogate pair as one code point, so \p{Cs} matches only a surrogate standing alone.
const ONE_LINE = /^[^\p{Cc}\p{Cs}]*$/u;
// eslint-disable-next-line no-control-regex -- NUL is exactly the character this pattern exists to refuse
const ANY_TEXT = /^[^\u0000\p{Cs}]*$/u;

/**
 * Makes a string schema accept one line of text only: no control character (U+0000–U+001F, U+007F–U+009F, so no
 * NUL, tab or line break) and no lone surrogate (`'\uD800'` without its pair is not Unicode text). For names,
 * titles, status lines, device names and search queries. Apply it after `trim()`, which may remove a trailing
 * line break first. Text that passes is stored and returned unchanged by every database.
 * Never throws; the schema it returns throws a ZodError from `parse` like any other.
 * @example const Title = singleLine(z.string().trim().min(1).max(100)); // Title.parse('a\u0000b') throws
 */
export function singleLine(schema: z.ZodString): z.ZodString {
  return schema.regex(ONE_LINE, 'must be one line of text, without control characters or lone surrogates');
}

/**
 * Makes a string schema accept any text that every database stores as it is: line breaks, tabs and other
 * characters are allowed, NUL (U+0000, which PostgreSQL cannot store in text) and lone surrogates are not. For
 * message text and topics.
 * Never throws; the schema it returns throws a ZodError from `parse` like any other.
 * @example const Topic = multiLine(z.string().trim().max(500)); // Topic.parse('a\nb') is fine
 */
export function multiLine(schema: z.ZodString): z.ZodString {
  return schema.regex(ANY_TEXT, 'must not contain NUL characters or lone surrogates');
}

/**
 * Request id chosen by the client to match a WebSocket reply with its request: 1 to 64 characters.
 * The server echoes it unchanged; keep it unique among the socket's requests that await an answer.
 * @example RequestId.parse('17')
 */
export const RequestId = z.string().min(1).max(64);

/**
 * Matches exactly one RGI emoji, including skin-tone and ZWJ sequences.
 */
// Built with the constructor: the `v` flag (Unicode sets, needed for \p{RGI_Emoji}) postdates the ES2022 target.
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
/**
 * A single Unicode emoji: any RGI emoji, including skin-tone and ZWJ sequences.
 * @example Emoji.parse('👍🏽')
 */
export const Emoji = z.string().max(64).refine((s) => SINGLE_EMOJI.test(s), 'must be a single emoji');
/**
 * One emoji, as {@link Emoji} accepts it (a reaction, a status emoji).
 * @example const thumbsUp: Emoji = '👍';
 */
export type Emoji = z.infer<typeof Emoji>;

/**
 * Default limits; a server announces the ones it enforces in the `ready` frame, so prefer those once connected.
 * @example const maxBytes = ready?.limits.maxTextBytes ?? DEFAULT_LIMITS.maxTextBytes;
 */
export const DEFAULT_LIMITS = {
  /** Largest WebSocket frame a client may send, in bytes. */
  maxFrameBytes: 65_536,
  /** Largest message text, in UTF-8 bytes. */
  maxTextBytes: 16_384,
  /** Largest page of history or search results. */
  maxPageSize: 100,
  /** How long a typing indicator lasts unless renewed, in milliseconds. */
  typingTtlMs: 6_000,
} as const;

/**
 * The limits a server enforces, as announced in `ready.limits`; the fields and units are those of
 * {@link DEFAULT_LIMITS}.
 * @example Limits.parse({ maxFrameBytes: 65536, maxTextBytes: 16384, maxPageSize: 100, typingTtlMs: 6000 })
 */
export const Limits = z.object({
  maxFrameBytes: z.int().positive(),
  maxTextBytes: z.int().positive(),
  maxPageSize: z.int().positive(),
  typingTtlMs: z.int().positive(),
});
/**
 * A server's {@link Limits}.
 * @example const limits: Limits = { ...DEFAULT_LIMITS, maxTextBytes: 4096 };
 */
export type Limits = z.infer<typeof Limits>;

/**
 * An empty success result. Unknown keys are stripped, so a later server may add fields without breaking parsing.
 * @example Empty.parse({})
 */
export const Empty = z.object({});
/**
 * The result of a call that only succeeds or fails.
 * @example const ok: Empty = {};
 */
export type Empty = z.infer<typeof Empty>;
