import type { ConversationKind, Message, OutgoingMessage, ReplyRef } from '@hearth/client';
import { createContext, useContext } from 'react';

/** What a message row can ask the conversation screen to do. */
export interface MessageActions {
  reply: (message: Message) => void;
  edit: (message: Message) => void;
  remove: (message: Message) => void;
  forward: (message: Message) => void;
  copy: (message: Message) => void;
  toggleReaction: (message: Message, emoji: string) => void;
  /** Opens the reaction picker for a message, anchored to an element. */
  openReactionPicker: (message: Message, anchor: HTMLElement) => void;
  jumpToReply: (ref: ReplyRef) => void;
  /** Removes the link preview of a message (its author's, or a moderator's, choice). */
  removeLinkPreview: (message: Message) => void;
  retry: (item: OutgoingMessage) => void;
  discard: (item: OutgoingMessage) => void;
}

/** What every part of the screen needs to know of the conversation; a message arriving leaves it unchanged. */
export interface ConversationInfo {
  conversationId: string;
  kind: ConversationKind;
  memberCount: number;
  meId: string | undefined;
  /** Owner or admin of a group or channel: may delete others' messages. */
  moderator: boolean;
  /** Removed from it: the history is there to read (copy, forward), not to react to, reply to, edit or delete in. */
  readOnly: boolean;
}

export const ActionsContext = createContext<MessageActions | null>(null);
export const InfoContext = createContext<ConversationInfo | null>(null);

export function useActions(): MessageActions {
  const a = useContext(ActionsContext);
  if (!a) throw new Error('useActions outside the conversation screen');
  return a;
}

export function useInfo(): ConversationInfo {
  const i = useContext(InfoContext);
  if (!i) throw new Error('useInfo outside the conversation screen');
  return i;
}
