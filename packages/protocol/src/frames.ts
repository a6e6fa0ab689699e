import { z } from 'zod';
import { Emoji, Id, Limits, RequestId, Seq, Timestamp } from './common.js';
import { ErrorCode } from './errors.js';
import { ServerEvent } from './events.js';
import { Content, ForwardMessageBody, ReceiptBody, SendMessageBody } from './messages.js';
import { Me } from './users.js';

/*
 * WebSocket frames. Every frame is one JSON object in one text message, with a `type`.
 * A client frame may carry `rid`; the server then answers it with exactly one frame with the same `rid`: `result`
 * (`ready` for `auth`) or `error`. Without `rid`, a success is silent and an error is still reported (without `rid`).
 */

const rid = { rid: RequestId.optional() };
const convRef = { conversationId: Id };

/** First frame on a new socket. The server answers `ready`, or closes with `UNAUTHENTICATED`. */
export const AuthFrame = z.object({ type: z.literal('auth'), ...rid, token: z.string().min(1).max(256) });
/** Keeps the connection warm through proxies; the result carries the server's clock. */
export const PingFrame = z.object({ type: z.literal('ping'), ...rid });
/** Sends a message; the result is the stored `Message`. Retrying with the same `clientId` returns the same message. */
export const SendFrame = z.object({ type: z.literal('message.send'), ...rid, ...convRef, ...SendMessageBody.shape });
/** Forwards a copy of a message into `conversationId`; the result is the new `Message`. */
export const ForwardFrame = z.object({ type: z.literal('message.forward'), ...rid, ...convRef, ...ForwardMessageBody.shape });
/** Replaces a message's content; the result is the updated `Message`. */
export const EditFrame = z.object({ type: z.literal('message.edit'), ...rid, ...convRef, messageId: Id, content: Content });
/** Deletes a message for everyone, leaving a tombstone; the result is the tombstone `Message`. */
export const DeleteFrame = z.object({ type: z.literal('message.delete'), ...rid, ...convRef, messageId: Id });
/** Adds the caller's reaction (idempotent); the result is empty. */
export const ReactionAddFrame = z.object({ type: z.literal('reaction.add'), ...rid, ...convRef, messageId: Id, emoji: Emoji });
/** Removes the caller's reaction (idempotent); the result is empty. */
export const ReactionRemoveFrame = z.object({ type: z.literal('reaction.remove'), ...rid, ...convRef, messageId: Id, emoji: Emoji });
/** Moves the caller's delivered and/or read pointer forward; the result is empty. */
export const ReceiptFrame = z
  .object({ type: z.literal('receipt'), ...rid, ...convRef, deliveredSeq: Seq.optional(), readSeq: Seq.optional() })
  .refine((f) => ReceiptBody.safeParse(f).success, 'give deliveredSeq, readSeq or both');
/** Starts (renew every few seconds while typing) or stops the caller's typing indicator. */
export const TypingFrame = z.object({ type: z.literal('typing'), ...rid, ...convRef, active: z.boolean() });
/** Reports whether the person at this device is active; all devices idle makes the user `away`. */
export const PresenceFrame = z.object({ type: z.literal('presence'), ...rid, state: z.enum(['active', 'idle']) });

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
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = ClientFrame.options.map((o) => o.shape.type.value);

/** Sent once after a successful `auth`. Events for the user flow from this point on. */
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
export type ReadyFrame = z.infer<typeof ReadyFrame>;

/** The successful answer to a client frame that carried `rid`. */
export const ResultFrame = z.object({ type: z.literal('result'), rid: RequestId, data: z.unknown() });
export type ResultFrame = z.infer<typeof ResultFrame>;

/** An error; `rid` is present when it answers a frame that carried one. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  rid: RequestId.optional(),
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const ServerFrame = z.union([ReadyFrame, ResultFrame, ErrorFrame, ServerEvent]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Result of `ping`. */
export const PingResult = z.object({ serverTime: Timestamp });
export type PingResult = z.infer<typeof PingResult>;
