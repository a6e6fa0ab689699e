import type { ConversationKind, User } from '@hearth/client';
import { useEffect, useMemo, useState } from 'react';
import { useClient } from '../../app/client.js';
import { shallowEqual, useClientState } from '../../app/store.js';
import { emojiDataIfLoaded, loadEmojiData, shortcodeSuggestions, withTone, type EmojiData } from '../emoji/data.js';
import { skinTone } from '../emoji/prefs.js';
import { fold } from '../sidebar/format.js';
import type { Option } from './Autocomplete.js';
import { findTrigger, type Trigger } from './composerText.js';

/** The members' profiles (fetching the missing ones once), for mentions. */
function useMemberUsers(conversationId: string): User[] {
  const client = useClient();
  const memberIds = useClientState((c) => c.conversations.cachedMembers(conversationId)?.map((m) => m.userId), shallowEqual);
  const users = useClientState((c) => (memberIds ?? []).map((userId) => c.users.cached(userId)).filter((u): u is User => Boolean(u)), shallowEqual);
  useEffect(() => {
    if (memberIds && users.length < memberIds.length) void client.users.getMany(memberIds).then(() => client.changed(), () => undefined);
  }, [client, memberIds, users.length]);
  return users;
}

/** The emoji data, loaded once `wanted` (the data is a large chunk of its own). */
export function useEmojiData(wanted: boolean): EmojiData | undefined {
  const [emoji, setEmoji] = useState<EmojiData | undefined>(emojiDataIfLoaded);
  useEffect(() => {
    if (wanted && !emoji) loadEmojiData().then(setEmoji, () => undefined);
  }, [wanted, emoji]);
  return emoji;
}

function mentionOptions(users: User[], query: string, meId: string | undefined, kind: ConversationKind): Option[] {
  const q = fold(query);
  const matches = users
    .filter((u) => u.id !== meId)
    .map((u) => ({ u, name: fold(u.displayName), user: fold(u.username) }))
    .filter(({ name, user }) => !q || name.startsWith(q) || user.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 8)
    .map(({ u }): Option => ({ kind: 'user', user: u }));
  return kind !== 'direct' && 'all'.startsWith(q) ? [...matches, { kind: 'all' }] : matches;
}

export interface Suggestions {
  /** The `@que` or `:qu` the caret is in, unless dismissed (Esc, leaving the textarea). */
  trigger: Trigger | null;
  options: Option[];
  /** The option Enter or Tab picks. */
  active: number;
  setActive: (index: number) => void;
  dismiss: () => void;
  undismiss: () => void;
  emoji: EmojiData | undefined;
}

/** Mention and emoji suggestions for the text before the caret. */
export function useAutocomplete(text: string, caret: number, { conversationId, kind, meId }: { conversationId: string; kind: ConversationKind; meId: string | undefined }): Suggestions {
  const users = useMemberUsers(conversationId);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const trigger = useMemo(() => {
    const found = findTrigger(text, caret);
    return found && found.start !== dismissed ? found : null;
  }, [text, caret, dismissed]);
  const emoji = useEmojiData(trigger?.kind === 'emoji');
  const options = useMemo((): Option[] => {
    if (!trigger) return [];
    if (trigger.kind === 'mention') return mentionOptions(users, trigger.query, meId, kind);
    if (!emoji) return [];
    const tone = skinTone();
    return shortcodeSuggestions(emoji, trigger.query).map(([code, entry]) => ({ kind: 'emoji', code, emoji: withTone(entry, tone) }));
  }, [trigger, emoji, users, meId, kind]);
  useEffect(() => setActive(0), [trigger?.kind, trigger?.query]);
  return {
    trigger,
    options,
    active,
    setActive,
    dismiss: () => setDismissed(trigger?.start ?? null),
    undismiss: () => setDismissed(null),
    emoji,
  };
}
