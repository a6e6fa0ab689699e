import { requote, toggleReaction, type Content, type HearthClient, type Message } from '@hearth/client';
import { useCallback, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { useClientEvent } from '../../app/client.js';

/** Part of the history fetched with `page()` away from the window, with what lies beyond either end. */
export interface Slice {
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

function patchSlice(slice: Slice, messageId: string, patch: (m: Message) => Message): Slice {
  const i = slice.messages.findIndex((m) => m.id === messageId);
  if (i < 0) return slice;
  const messages = [...slice.messages];
  messages[i] = patch(messages[i]!);
  return { ...slice, messages };
}

/** The messages around `seq`: 40 up to it and 40 after it. */
export async function fetchAround(client: HearthClient, conversationId: string, seq: number): Promise<Slice> {
  const [before, after] = await Promise.all([
    client.messages.page(conversationId, { before: seq + 1, limit: 40 }),
    client.messages.page(conversationId, { after: seq, limit: 40 }),
  ]);
  return { messages: [...before.messages, ...after.messages], hasOlder: before.hasMore, hasNewer: after.hasMore };
}

/**
 * The detached slice of a conversation, or null while the list follows the window. The SDK patches only its
 * window, so the slice follows edits, deletes and reactions itself; `refetch` (the cache was dropped) drops it.
 * `current` is the slice as of now, for loaders that run across renders.
 */
export function useDetachedSlice(conversationId: string): {
  slice: Slice | null;
  current: RefObject<Slice | null>;
  setSlice: Dispatch<SetStateAction<Slice | null>>;
} {
  const [slice, setSlice] = useState<Slice | null>(null);
  const current = useRef(slice);
  current.current = slice;
  const patch = useCallback(
    (conversation: string, messageId: string, fn: (m: Message) => Message) => {
      if (conversation !== conversationId || !current.current) return;
      setSlice((s) => (s ? patchSlice(s, messageId, fn) : s));
    },
    [conversationId],
  );
  // Replies in the slice quote the original's new text (the SDK does the same in its window).
  const requoteAll = useCallback(
    (conversation: string, originalId: string, content: Content | null) => {
      if (conversation !== conversationId || !current.current) return;
      setSlice((s) => {
        const messages = s?.messages.map((m) => requote(m, originalId, content));
        return s && messages && messages.some((m, i) => m !== s.messages[i]) ? { ...s, messages } : s;
      });
    },
    [conversationId],
  );
  useClientEvent('message.edited', (e) => {
    patch(e.conversationId, e.messageId, (m) => ({ ...m, content: e.content, editedAt: e.editedAt }));
    requoteAll(e.conversationId, e.messageId, e.content);
  });
  useClientEvent('message.deleted', (e) => {
    patch(e.conversationId, e.messageId, (m) => ({ ...m, content: null, deletedAt: e.deletedAt, reactions: [], linkPreview: null }));
    requoteAll(e.conversationId, e.messageId, null);
  });
  useClientEvent('message.previewed', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, linkPreview: e.linkPreview })));
  useClientEvent('reaction.added', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, reactions: toggleReaction(m.reactions, e.emoji, e.userId, true) })));
  useClientEvent('reaction.removed', (e) => patch(e.conversationId, e.messageId, (m) => ({ ...m, reactions: toggleReaction(m.reactions, e.emoji, e.userId, false) })));
  useClientEvent('refetch', (e) => {
    if (e.conversationId === conversationId) setSlice(null);
  });
  return { slice, current, setSlice };
}
