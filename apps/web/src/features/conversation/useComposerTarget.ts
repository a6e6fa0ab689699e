import type { Message } from '@hearth/client';
import { useCallback, useEffect, useState, type RefObject } from 'react';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';
import type { MessageListHandle } from './MessageList.js';

export interface ComposerTarget {
  /** The message being replied to, if any. */
  replyTo: Message | null;
  /** The message being edited, if any (never both). */
  editing: Message | null;
  reply: (message: Message) => void;
  edit: (message: Message) => void;
  /** Back to a plain new message. */
  cancel: () => void;
  /** After sending: the reply is done, and the list goes to the latest. */
  sent: () => void;
  /** ↑ in an empty composer: edit my latest text message, scrolled into view. */
  editLast: () => void;
}

/** What the composer writes: a new message, a reply, or an edit; every callback keeps its identity. */
export function useComposerTarget(conversationId: string, meId: string | undefined, list: RefObject<MessageListHandle | null>): ComposerTarget {
  const client = useClient();
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const reply = useCallback((m: Message) => {
    setEditing(null);
    setReplyTo(m);
  }, []);
  const edit = useCallback((m: Message) => {
    setReplyTo(null);
    setEditing(m);
  }, []);
  const cancel = useCallback(() => {
    setReplyTo(null);
    setEditing(null);
  }, []);
  const sent = useCallback(() => {
    setReplyTo(null);
    list.current?.toLatest();
  }, [list]);
  const editLast = useCallback(() => {
    const messages = client.messages.window(conversationId)?.messages ?? [];
    const last = messages.findLast((m) => m.senderId === meId && m.deletedAt === null && m.content?.type === 'text');
    if (!last) return;
    edit(last);
    list.current?.jumpTo(last.seq, last.id, false);
  }, [client, conversationId, meId, edit, list]);

  // A message deleted while being edited (here or elsewhere) ends the edit.
  const editedDeleted = useClientState((c) => (editing ? Boolean(c.messages.window(conversationId)?.messages.find((m) => m.id === editing.id)?.deletedAt) : false));
  useEffect(() => {
    if (editedDeleted) setEditing(null);
  }, [editedDeleted]);

  return { replyTo, editing, reply, edit, cancel, sent, editLast };
}
