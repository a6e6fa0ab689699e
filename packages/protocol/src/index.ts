/**
 * @hearth/protocol: the schemas and types of every REST body, WebSocket frame and error code of Hearth.
 * It imports only zod. The server validates what it receives with these schemas; the SDK validates what the
 * server sends with them too. docs/PROTOCOL.md describes the same protocol in prose.
 * Every schema's `parse` throws a `ZodError` on invalid input; `safeParse` returns the issues instead.
 *
 * @example
 * import { Message } from '@hearth/protocol';
 * const result = Message.safeParse(JSON.parse(body));
 */
export * from './common.js';
export * from './errors.js';
export * from './users.js';
export * from './files.js';
export * from './messages.js';
export * from './conversations.js';
export * from './events.js';
export * from './frames.js';
export * from './sync.js';
export * from './api.js';
