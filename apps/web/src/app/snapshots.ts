import type { Conversation, HearthClient, Message, OutgoingMessage } from '@hearth/client';
import { shallowEqual } from './store.js';

/*
 * The SDK updates conversations, message windows, members and outbox items in place. A selector that returned
 * those live objects would return the same reference after every change, so the component would never re-render:
 * these return copies, with the equality that says when a copy shows something new.
 */

/** Equal arrays whose items are shallowly equal, pairwise. */
export function equalItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((item, i) => shallowEqual(item, b[i]));
}

/** A copy of a conversation as it is now (its `me` copied too). Select it with `sameConversation`. */
export function conversationSnapshot(client: HearthClient, id: string): Conversation | undefined {
  const c = client.conversations.get(id);
  return c && { ...c, me: { ...c.me } };
}

export function sameConversation(a: Conversation | undefined, b: Conversation | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return shallowEqual({ ...a, me: null }, { ...b, me: null }) && shallowEqual(a.me, b.me);
}

/** The unacknowledged messages of a conversation, copied. Select it with `equalItems`. */
export function pendingSnapshot(client: HearthClient, id: string): OutgoingMessage[] {
  return client.messages.pending(id).map((item) => ({ ...item }));
}

export interface WindowSnapshot {
  /** Ascending by seq; a new array whenever a message was added, removed or replaced (edited, reacted to …). */
  messages: readonly Message[];
  hasOlder: boolean;
}

const windowCopies = new WeakMap<object, WindowSnapshot>();

/**
 * The loaded messages of a conversation, as an array that keeps its identity until its content changes (messages
 * are replaced, never changed, when edited or reacted to: comparing them by reference finds every change).
 */
export function windowSnapshot(client: HearthClient, id: string): WindowSnapshot | undefined {
  const window = client.messages.window(id);
  if (!window) return undefined;
  const held = windowCopies.get(window);
  if (held && held.hasOlder === window.hasOlder && held.messages.length === window.messages.length && held.messages.every((m, i) => m === window.messages[i])) {
    return held;
  }
  const snapshot = { messages: [...window.messages], hasOlder: window.hasOlder };
  windowCopies.set(window, snapshot);
  return snapshot;
}
