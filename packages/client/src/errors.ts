import type { ErrorBody, ErrorCode } from '@hearth/protocol';

/** Failures that happen on the client's side of the wire. */
export type ClientErrorCode =
  /** The server could not be reached. */
  | 'NETWORK_ERROR'
  /** The socket closed before the answer came; the request may or may not have taken effect. */
  | 'DISCONNECTED'
  /** No answer in time. */
  | 'TIMEOUT'
  /** The server sent something that does not match the protocol's schemas. */
  | 'PROTOCOL_ERROR'
  /** The operation needs a signed-in client. */
  | 'NOT_SIGNED_IN';

/**
 * Every error the SDK throws or rejects with: a server error code from the protocol, or a client-side one.
 * @example
 * try { await client.messages.send(id, 'hi') } catch (e) { if (e instanceof HearthError && e.code === 'RATE_LIMITED') … }
 */
export class HearthError extends Error {
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

  static fromBody(body: ErrorBody, status?: number): HearthError {
    return new HearthError(body.code, body.message, body.details ?? {}, status);
  }

  /** Whether the same request may succeed if sent again later (after a reconnect or a wait). */
  get isTransient(): boolean {
    return ['NETWORK_ERROR', 'DISCONNECTED', 'TIMEOUT', 'RATE_LIMITED', 'SERVER_SHUTTING_DOWN', 'INTERNAL_ERROR'].includes(this.code);
  }
}
