/**
 * @hearth/client: the Hearth SDK for browsers and Node 20+. It depends only on @hearth/protocol.
 *
 * @example
 * import { HearthClient } from '@hearth/client';
 * import WebSocket from 'ws'; // Node 20 only; browsers have WebSocket built in
 * const client = new HearthClient({ baseUrl: 'http://127.0.0.1:8080', WebSocket });
 * await client.auth.signIn('ana', 'correct horse');
 * await client.connect();
 */
export { HearthClient, type HearthClientOptions } from './client.js';
export type { ClientEvents } from './client-events.js';
export { HearthError, type ClientErrorCode } from './errors.js';
export type { OutgoingMessage, OutgoingState, OutboxStorage } from './outbox.js';
export type { MessageWindow } from './state.js';
export type { ConnectionState, WebSocketConstructor, WebSocketLike } from './socket.js';
export type { MessageStatus, MediaDraft } from './api/messages.js';
export { FilesApi, typeAllowed, type UploadLimits } from './api/files.js';
export type { FileUploadOptions, NodeReadable, UploadSource } from './uploads.js';
export { backoffDelay } from './socket.js';
export { requote, toggleReaction } from './state.js';
export * from '@hearth/protocol';
