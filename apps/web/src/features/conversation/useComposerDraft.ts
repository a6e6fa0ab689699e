import type { Message } from '@hearth/client';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { mentionsFromEntities, type DraftMention } from './composerText.js';

interface Draft {
  text: string;
  mentions: DraftMention[];
}

/** Unsent drafts per conversation, kept while the app is open. */
const drafts = new Map<string, Draft>();

export interface ComposerDraft extends Draft {
  setText: (text: string) => void;
  addMention: (mention: DraftMention) => void;
  /** Back to the draft that was there before an edit began (or to nothing). */
  restore: () => void;
  /** Empties the composer and forgets the conversation's draft (the message went out). */
  clear: () => void;
}

/**
 * The composer's text and the mentions inserted into it. A draft survives switching conversations; editing a
 * message puts its text (and mentions) in the composer and keeps the draft to restore afterwards.
 */
export function useComposerDraft(conversationId: string, editing: Message | null, area: RefObject<HTMLTextAreaElement | null>): ComposerDraft {
  const [text, setText] = useState(() => drafts.get(conversationId)?.text ?? '');
  const [mentions, setMentions] = useState<DraftMention[]>(() => drafts.get(conversationId)?.mentions ?? []);
  const saved = useRef<Draft | null>(null);
  const latest = useRef<Draft>({ text, mentions });
  latest.current = { text, mentions };

  useEffect(
    () => () => {
      if (saved.current) drafts.set(conversationId, saved.current);
      else if (latest.current.text.trim()) drafts.set(conversationId, latest.current);
      else drafts.delete(conversationId);
    },
    [conversationId],
  );

  useEffect(() => {
    // A text, or a media message's caption.
    if (!editing || (editing.content?.type !== 'text' && editing.content?.type !== 'media')) return;
    saved.current ??= latest.current;
    setText(editing.content.text);
    setMentions(mentionsFromEntities(editing.content.text, editing.content.entities));
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }, [editing, area]);

  const addMention = useCallback((mention: DraftMention) => setMentions((m) => [...m, mention]), []);
  const restore = useCallback(() => {
    setText(saved.current?.text ?? '');
    setMentions(saved.current?.mentions ?? []);
    saved.current = null;
  }, []);
  const clear = useCallback(() => {
    setText('');
    setMentions([]);
    drafts.delete(conversationId);
  }, [conversationId]);
  return { text, mentions, setText, addMention, restore, clear };
}
