import type { ErrorBody, ErrorCode } from '@hearth/protocol';

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid.',
  INVALID_JSON: 'The payload is not valid JSON.',
  UNKNOWN_FRAME_TYPE: 'Unknown frame type.',
  FRAME_TOO_LARGE: 'The frame is larger than the server accepts.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the server accepts.',
  MESSAGE_TOO_LARGE: 'The message text is longer than the server accepts.',
  ROUTE_NOT_FOUND: 'No such endpoint.',
  UNAUTHENTICATED: 'Sign in first: the session token is missing, invalid or revoked.',
  INVALID_CREDENTIALS: 'Wrong username or password.',
  ALREADY_AUTHENTICATED: 'This connection is already authenticated.',
  USERNAME_TAKEN: 'That username is taken.',
  CSRF_CHECK_FAILED: 'The request did not come from this server’s own pages.',
  PERMISSION_DENIED: 'You do not have permission to do that.',
  OPERATION_NOT_ALLOWED: 'That operation is not allowed here.',
  USER_NOT_FOUND: 'No such user.',
  SESSION_NOT_FOUND: 'No such session.',
  CONVERSATION_NOT_FOUND: 'No such conversation, or you are not a member of it.',
  MESSAGE_NOT_FOUND: 'No such message.',
  MESSAGE_DELETED: 'The message was deleted.',
  FILE_NOT_FOUND: 'No such file, or it belongs to a conversation you are not in.',
  LINK_INVALID: 'The link has expired or its signature does not match.',
  FILE_TOO_LARGE: 'The file is larger than the server accepts.',
  FILE_TYPE_NOT_ALLOWED: 'Files of this type are not accepted here.',
  FILE_INVALID: 'The file is damaged or is not what it claims to be.',
  UPLOAD_INCOMPLETE: 'The upload has not finished.',
  RATE_LIMITED: 'Too many requests; retry later.',
  SERVER_SHUTTING_DOWN: 'The server is shutting down; retry shortly.',
  INTERNAL_ERROR: 'Something went wrong on the server.',
};

/**
 * An expected failure with a stable code. Services throw it; each transport maps it to its wire form
 * (HTTP status + ErrorBody, or an `error` frame) in one place.
 */
export class HearthError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: Record<string, unknown> = {},
    message?: string,
    options?: ErrorOptions,
  ) {
    super(message ?? DEFAULT_MESSAGES[code], options);
    this.name = 'HearthError';
  }

  toBody(): ErrorBody {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** The wire body of any thrown value: HearthErrors as they are, anything else as INTERNAL_ERROR (details hidden). */
export function toErrorBody(err: unknown): ErrorBody {
  return err instanceof HearthError ? err.toBody() : new HearthError('INTERNAL_ERROR').toBody();
}
