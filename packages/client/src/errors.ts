import type { ErrorBody, ErrorCode } from '@hearth/protocol';

/**
 * Failures that happen on the client's side of the wire. They never come from the server, so they are not in the
 * protocol's `ERROR_CODES`.
 * @example const code: ClientErrorCode = 'DISCONNECTED';
 */
export type ClientErrorCode =
  /** The server could not be reached (a REST call's fetch failed). */
  | 'NETWORK_ERROR'
  /**
   * The socket was not connected, or closed before the answer came; in the latter case the request may or may not
   * have taken effect.
   */
  | 'DISCONNECTED'
  /** No answer in time to a WebSocket request (15 s by default); it may still take effect. */
  | 'TIMEOUT'
  /** The server sent something that does not match the protocol's schemas. */
  | 'PROTOCOL_ERROR'
  /** The operation needs a signed-in client. */
  | 'NOT_SIGNED_IN'
  /** The caller gave the operation up (a discarded outgoing message). */
  | 'CANCELLED';

/**
 * Every error the SDK throws or rejects with: a server error code from the protocol, or a client-side one.
 * (Setup mistakes, such as no `fetch` or `WebSocket` available, are plain `TypeError`s.)
 * @example
 * try {
 *   await client.messages.send(id, text);
 * } catch (e) {
 *   if (e instanceof HearthError && e.code === 'MESSAGE_TOO_LARGE') showTooLong(e.details.maxBytes);
 * }
 */
export class HearthError extends Error {
  /**
   * Made by the SDK; applications usually only catch it. `message` is for people (the server's text for server
   * codes); branch on `code`, and read code-specific fields from `details` (`retryAfterMs`, `issues`, `maxBytes`).
   * Never throws.
   * @example throw new HearthError('NOT_SIGNED_IN', 'Sign in before connecting.');
   */
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** HTTP status, for errors that came from a REST call. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HearthError';
  }

  /**
   * The error a server `ErrorBody` (an HTTP error response or a WebSocket `error` frame) describes. Never throws.
   * @example throw HearthError.fromBody({ code: 'MESSAGE_NOT_FOUND', message: 'No such message.' }, 404);
   */
  static fromBody(body: ErrorBody, status?: number): HearthError {
    return new HearthError(body.code, body.message, body.details ?? {}, status);
  }

  /**
   * Whether the same request may succeed if sent again later (after a reconnect or a wait): NETWORK_ERROR,
   * DISCONNECTED, TIMEOUT, RATE_LIMITED, SERVER_SHUTTING_DOWN and INTERNAL_ERROR. The outbox retries these itself.
   * @example if (err instanceof HearthError && err.isTransient) setTimeout(retry, 1000);
   */
  get isTransient(): boolean {
    return ['NETWORK_ERROR', 'DISCONNECTED', 'TIMEOUT', 'RATE_LIMITED', 'SERVER_SHUTTING_DOWN', 'INTERNAL_ERROR'].includes(this.code);
  }
}
