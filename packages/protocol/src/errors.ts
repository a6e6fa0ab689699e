import { z } from 'zod';

/**
 * Every error the server returns, over HTTP or WebSocket, carries one of these stable codes.
 * Messages are for people and may change; codes never do.
 *
 * @example
 * if (err.code === 'RATE_LIMITED') await sleep(Number(err.details.retryAfterMs));
 */
export const ERROR_CODES = [
  // Input
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNKNOWN_FRAME_TYPE',
  'FRAME_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'MESSAGE_TOO_LARGE',
  'ROUTE_NOT_FOUND',
  // Authentication
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ALREADY_AUTHENTICATED',
  'USERNAME_TAKEN',
  'CSRF_CHECK_FAILED',
  // Access and state
  'PERMISSION_DENIED',
  'OPERATION_NOT_ALLOWED',
  'USER_NOT_FOUND',
  'SESSION_NOT_FOUND',
  'CONVERSATION_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  'MESSAGE_DELETED',
  'FILE_NOT_FOUND',
  'LINK_INVALID',
  // Files
  'FILE_TOO_LARGE',
  'FILE_TYPE_NOT_ALLOWED',
  'FILE_INVALID',
  'UPLOAD_INCOMPLETE',
  // Load
  'RATE_LIMITED',
  // Server
  'SERVER_SHUTTING_DOWN',
  'INTERNAL_ERROR',
] as const;

/**
 * One of {@link ERROR_CODES}. A code this version does not know fails to parse, so an outdated client
 * reports a protocol error instead of misreading it.
 * @example ErrorCode.parse('CONVERSATION_NOT_FOUND')
 */
export const ErrorCode = z.enum(ERROR_CODES);
/**
 * A server error code; switch on it, never on the message.
 * @example const code: ErrorCode = 'MESSAGE_DELETED';
 */
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The body of every error: an HTTP error response body, and the fields of a WebSocket `error` frame.
 * `details` depends on the code: `retryAfterMs` for `RATE_LIMITED`, `issues` for `VALIDATION_FAILED`,
 * `maxBytes` for the size errors.
 * @example
 * ErrorBody.parse({ code: 'RATE_LIMITED', message: 'Too many requests.', details: { retryAfterMs: 1200 } })
 */
export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
/**
 * A parsed {@link ErrorBody}.
 * @example const body: ErrorBody = { code: 'USERNAME_TAKEN', message: 'That username is taken.' };
 */
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * WebSocket close codes the server uses. A client reconnects and resumes after every code except
 * `UNAUTHENTICATED` and `SESSION_REVOKED`, which mean the token is no longer valid.
 * @example ws.onclose = (ev) => { if (ev.code === CloseCode.SESSION_REVOKED) showSignIn(); };
 */
export const CloseCode = {
  /**
   * The server is shutting down or restarting (or failed to set up the socket after `auth`); reconnect, possibly
   * to another node.
   */
  GOING_AWAY: 1001,
  /**
   * A text frame that is not valid UTF-8. RFC 6455 requires the connection to fail: the server closes it without an
   * error frame. A client bug; reconnect and sync.
   */
  INVALID_FRAME_PAYLOAD: 1007,
  /** A frame above the hard size cap; the connection cannot continue. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed while setting the connection up; the token is still good: reconnect with backoff. */
  INTERNAL_ERROR: 1011,
  /** The `auth` frame carried an invalid token. */
  UNAUTHENTICATED: 4001,
  /** No `auth` frame arrived in time after connecting. */
  AUTH_TIMEOUT: 4002,
  /** The session was signed out or revoked from another device. */
  SESSION_REVOKED: 4003,
  /** The client did not read fast enough and its send buffer passed the limit; resume to catch up. */
  SLOW_CONSUMER: 4008,
  /** The client stopped answering heartbeats. */
  HEARTBEAT_TIMEOUT: 4009,
  /**
   * The client kept sending frames far over its connection's frame budget (documented in PROTOCOL.md, "Frame
   * budget"); frames over the budget had been dropped. A client bug or abuse: reconnect with backoff, send less.
   */
  TOO_MANY_FRAMES: 4029,
} as const;
/**
 * Any of the numeric {@link CloseCode} values.
 * @example const code: CloseCode = CloseCode.SLOW_CONSUMER; // 4008
 */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
