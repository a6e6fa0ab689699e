import type { EventOf, Message, ServerEventType } from '@hearth/protocol';
import type { HearthError } from './errors.js';
import type { OutgoingMessage } from './outbox.js';
import type { ConnectionState } from './socket.js';

/**
 * Events the client emits. Every server event is emitted under its own type after it has been applied, including
 * those replayed by a sync; events that changed nothing (duplicates, stale or unknown ones) are not.
 * `session.revoked` tells of any of the user's sessions ending (for a devices screen); when it is this device's,
 * `signedOut` follows: listen for that to leave the signed-in screens.
 * @example client.on('typers', ({ conversationId, userIds }) => showTyping(conversationId, userIds));
 */
export type ClientEvents = { [K in ServerEventType]: EventOf<K> } & {
  /** The connection state changed. */
  connection: ConnectionState;
  /** A catch-up finished: the local state matches the server's as of `serverTime`. */
  synced: { serverTime: number };
  /** An outgoing message changed state (queued, sending, failed) or was acknowledged (`message` set). */
  outbox: { item: OutgoingMessage; message?: Message };
  /**
   * Who is typing in a conversation may have changed (a typing event, an expiry, a message from a typist, or the
   * connection going down): the current list.
   */
  typers: { conversationId: string; userIds: string[] };
  /** The cached messages of a conversation were dropped because the gap was too large; reload them. */
  refetch: { conversationId: string };
  /**
   * The session ended: `signed-out` by `auth.signOut()` here; `revoked` when this session was revoked from another
   * device or by a password change or reset; `unauthenticated` when the server refused the token or there was none.
   */
  signedOut: { reason: 'signed-out' | 'revoked' | 'unauthenticated' };
  /**
   * Something went wrong in the background: a protocol violation, a failed sync (retried), a failed reload of
   * history, or the server refusing a frame sent without waiting (a receipt, typing, presence).
   */
  error: HearthError;
  /** Anything in `state` changed: a cue for UIs to re-render. */
  change: void;
};

/**
 * How the client's parts emit on the client (its `emit` is protected): one event of {@link ClientEvents}.
 * @example announce('refetch', { conversationId });
 */
export type Announce = <K extends keyof ClientEvents>(type: K, payload: ClientEvents[K]) => void;
