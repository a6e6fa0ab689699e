import { z } from 'zod';
import { Emoji, Id, Limits, RequestId, Seq, Timestamp } from './common.js';
import { ErrorCode } from './errors.js';
import { ServerEvent } from './events.js';
import { ForwardMessageBody, ReceiptBody, SendMessageBody, UserContent } from './messages.js';
import { Me } from './users.js';

/*
 * WebSocket frames. Every frame is one JSON object in one text message, with a `type`.
 * A client frame may carry `rid`; the server then answers it with exactly one frame with the same `rid`: `result`
 * (`ready` for `auth`) or `error`. Without `rid`, a success is silent and an error is still reported (without `rid`).
 */

const rid = { rid: RequestId.optional() };
const convRef = { conversationId: Id };

/**
 * First frame on a new socket. The server answers `ready`; for a refused token an `error` (UNAUTHENTICATED) and a
 * close with `CloseCode.UNAUTHENTICATED`; with no `auth` in time, a close with `AUTH_TIMEOUT`. A second `auth` on
 * the same socket gets ALREADY_AUTHENTICATED. `token` may be left out when the upgrade request carried the session
 * cookie (a browser app on the server's own origin): that session is used.
 * @example AuthFrame.parse({ type: 'auth', rid: '1', token })
 */
export const AuthFrame = z.object({ type: z.literal('auth'), ...rid, token: z.string().min(1).max(256).optional() });
/**
 * Keeps the connection warm through proxies; the result is a {@link PingResult} with the server's clock.
 * @example PingFrame.parse({ type: 'ping', rid: '2' })
 */
export const PingFrame = z.object({ type: z.literal('ping'), ...rid });
/**
 * Sends a message; the result is a {@link SendAck} (where it was stored; the message itself arrives as
 * `message.created`). Retrying with the same `clientId` stores nothing new and answers with the first message.
 * Errors: CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND (for `replyToId`), MESSAGE_TOO_LARGE, RATE_LIMITED.
 * @example
 * SendFrame.parse({ type: 'message.send', rid: '3', conversationId, clientId: 'c1',
 *   content: { type: 'text', text: 'hi' } })
 */
export const SendFrame = z.object({ type: z.literal('message.send'), ...rid, ...convRef, ...SendMessageBody.shape });
/**
 * Forwards a copy of a message into `conversationId`; the result is a {@link SendAck} carrying the new `Message`.
 * Errors: CONVERSATION_NOT_FOUND (either conversation), MESSAGE_NOT_FOUND, MESSAGE_DELETED, RATE_LIMITED.
 * @example
 * ForwardFrame.parse({ type: 'message.forward', rid: '4', conversationId, clientId: 'fwd-1',
 *   from: { conversationId: sourceConversationId, messageId } })
 */
export const ForwardFrame = z.object({ type: z.literal('message.forward'), ...rid, ...convRef, ...ForwardMessageBody.shape });
/**
 * Replaces a message's content; the result is the updated `Message`. Errors: CONVERSATION_NOT_FOUND,
 * MESSAGE_NOT_FOUND, PERMISSION_DENIED, MESSAGE_DELETED, OPERATION_NOT_ALLOWED (a forwarded copy), MESSAGE_TOO_LARGE,
 * RATE_LIMITED.
 * @example
 * EditFrame.parse({ type: 'message.edit', rid: '5', conversationId, messageId,
 *   content: { type: 'text', text: 'hi!' } })
 */
export const EditFrame = z.object({ type: z.literal('message.edit'), ...rid, ...convRef, messageId: Id, content: UserContent });
/**
 * Deletes a message for everyone, leaving a tombstone; the result is the tombstone `Message` (also when it was
 * already deleted). Errors: CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND, PERMISSION_DENIED, RATE_LIMITED.
 * @example DeleteFrame.parse({ type: 'message.delete', rid: '6', conversationId, messageId })
 */
export const DeleteFrame = z.object({ type: z.literal('message.delete'), ...rid, ...convRef, messageId: Id });
/**
 * Adds the caller's reaction (idempotent); the result is empty. Errors: CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND,
 * MESSAGE_DELETED, OPERATION_NOT_ALLOWED (the message has as many reactions as it may), RATE_LIMITED.
 * @example ReactionAddFrame.parse({ type: 'reaction.add', rid: '7', conversationId, messageId, emoji: '👍' })
 */
export const ReactionAddFrame = z.object({ type: z.literal('reaction.add'), ...rid, ...convRef, messageId: Id, emoji: Emoji });
/**
 * Removes the caller's reaction (idempotent); the result is empty. Errors: CONVERSATION_NOT_FOUND,
 * MESSAGE_NOT_FOUND, RATE_LIMITED.
 * @example ReactionRemoveFrame.parse({ type: 'reaction.remove', rid: '8', conversationId, messageId, emoji: '👍' })
 */
export const ReactionRemoveFrame = z.object({ type: z.literal('reaction.remove'), ...rid, ...convRef, messageId: Id, emoji: Emoji });
/**
 * Moves the caller's delivered and/or read pointer forward; the result is empty. Errors: CONVERSATION_NOT_FOUND,
 * RATE_LIMITED.
 * @example ReceiptFrame.parse({ type: 'receipt', conversationId, readSeq: 42 })
 */
export const ReceiptFrame = z
  .object({ type: z.literal('receipt'), ...rid, ...convRef, deliveredSeq: Seq.optional(), readSeq: Seq.optional() })
  .refine((f) => ReceiptBody.safeParse(f).success, 'give deliveredSeq, readSeq or both');
/**
 * Starts (renew every few seconds while typing) or stops the caller's typing indicator. Renewals within a third of
 * `typingTtlMs` are absorbed by the server. Errors: CONVERSATION_NOT_FOUND, RATE_LIMITED.
 * @example TypingFrame.parse({ type: 'typing', conversationId, active: true })
 */
export const TypingFrame = z.object({ type: z.literal('typing'), ...rid, ...convRef, active: z.boolean() });
/**
 * Reports whether the person at this device is active; all devices idle makes the user `away`.
 * @example PresenceFrame.parse({ type: 'presence', state: 'idle' })
 */
export const PresenceFrame = z.object({ type: z.literal('presence'), ...rid, state: z.enum(['active', 'idle']) });

/**
 * Every frame a client may send. The server answers a frame it cannot read with INVALID_JSON, FRAME_TOO_LARGE
 * (over `limits.maxFrameBytes`), UNKNOWN_FRAME_TYPE or VALIDATION_FAILED, and any frame but `auth` sent before
 * the socket is authenticated with UNAUTHENTICATED.
 * @example ws.send(JSON.stringify(ClientFrame.parse({ type: 'typing', conversationId, active: false })));
 */
export const ClientFrame = z.discriminatedUnion('type', [
  AuthFrame,
  PingFrame,
  SendFrame,
  ForwardFrame,
  EditFrame,
  DeleteFrame,
  ReactionAddFrame,
  ReactionRemoveFrame,
  ReceiptFrame,
  TypingFrame,
  PresenceFrame,
]);
/**
 * A parsed {@link ClientFrame}; narrow it by `type`.
 * @example const frame: ClientFrame = { type: 'ping', rid: '9' };
 */
export type ClientFrame = z.infer<typeof ClientFrame>;
/**
 * The `type` of a {@link ClientFrame}.
 * @example const t: ClientFrameType = 'message.send';
 */
export type ClientFrameType = ClientFrame['type'];
/**
 * The `type` of every client frame, in the order of {@link ClientFrame}'s options.
 * @example CLIENT_FRAME_TYPES.includes('presence') // true
 */
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = ClientFrame.options.map((o) => o.shape.type.value);

/**
 * Sent once after a successful `auth`, with the `auth` frame's `rid` when it had one. Events for the user flow from
 * this point on; a client syncs next to catch up on what it missed.
 * @example
 * ReadyFrame.parse({ type: 'ready', me, sessionId, connectionId: 'c0f1', serverTime: 1718000000000,
 *   heartbeatMs: 30000, limits: DEFAULT_LIMITS })
 */
export const ReadyFrame = z.object({
  type: z.literal('ready'),
  rid: RequestId.optional(),
  me: Me,
  sessionId: Id,
  connectionId: z.string(),
  serverTime: Timestamp,
  /** How often the client should send `ping` when otherwise silent. */
  heartbeatMs: z.int().positive(),
  limits: Limits,
});
/**
 * A parsed {@link ReadyFrame}.
 * @example const maxTextBytes = ready.limits.maxTextBytes;
 */
export type ReadyFrame = z.infer<typeof ReadyFrame>;

/**
 * The successful answer to a client frame that carried `rid`. `data` depends on the request: a `Message` for the
 * message frames, a `PingResult` for `ping`, `{}` otherwise; parse it with the matching schema.
 * @example const message = Message.parse(ResultFrame.parse(frame).data);
 */
export const ResultFrame = z.object({ type: z.literal('result'), rid: RequestId, data: z.unknown() });
/**
 * A parsed {@link ResultFrame}.
 * @example const result: ResultFrame = { type: 'result', rid: '9', data: { serverTime: 1718000000000 } };
 */
export type ResultFrame = z.infer<typeof ResultFrame>;

/**
 * An error; `rid` is present when it answers a frame that carried one. A frame that could not be read at all (not
 * JSON, binary, too large) is answered without `rid`, even if it had one. Fields and `details` as in `ErrorBody`.
 * @example
 * ErrorFrame.parse({ type: 'error', rid: '3', code: 'CONVERSATION_NOT_FOUND', message: 'No such conversation.' })
 */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  rid: RequestId.optional(),
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
/**
 * A parsed {@link ErrorFrame}.
 * @example const frame: ErrorFrame = { type: 'error', code: 'INVALID_JSON', message: 'Not valid JSON.' };
 */
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/**
 * Every frame the server sends: the answers `ready`, `result` and `error`, and the pushed events.
 * @example const frame = ServerFrame.parse(JSON.parse(data));
 */
export const ServerFrame = z.union([ReadyFrame, ResultFrame, ErrorFrame, ServerEvent]);
/**
 * A parsed {@link ServerFrame}; narrow it by `type`.
 * @example if (frame.type === 'result') settle(frame.rid, frame.data);
 */
export type ServerFrame = z.infer<typeof ServerFrame>;

/**
 * Result of `ping`: the server's clock, in epoch milliseconds.
 * @example PingResult.parse({ serverTime: 1718000000000 })
 */
export const PingResult = z.object({ serverTime: Timestamp });
/**
 * A parsed {@link PingResult}.
 * @example const skewMs = pong.serverTime - Date.now();
 */
export type PingResult = z.infer<typeof PingResult>;
