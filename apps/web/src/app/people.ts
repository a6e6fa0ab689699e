import type { Conversation, HearthClient, User } from '@hearth/client';
import { useEffect } from 'react';
import { useClient } from './client.js';
import { useClientState } from './store.js';

const requested = new Set<string>();

/** A user's profile from the local cache, fetched once in the background when missing. */
export function useUser(userId: string | null | undefined): User | undefined {
  const client = useClient();
  const user = useClientState((c) => (userId ? (c.users.cached(userId) ?? (c.users.me?.id === userId ? c.users.me : undefined)) : undefined));
  useEffect(() => {
    if (!userId || user || requested.has(userId)) return;
    requested.add(userId);
    client.users.get(userId).then(
      () => client.changed(),
      () => requested.delete(userId),
    );
  }, [client, userId, user]);
  return user;
}

/** The name to show for a user: display name, or a placeholder while loading. */
export function displayName(user: User | undefined): string {
  return user?.displayName ?? '…';
}

/** The title of a conversation: its own, or the other person's name for a direct conversation. */
export function conversationTitle(client: HearthClient, conversation: Conversation): string {
  if (conversation.title) return conversation.title;
  const peer = conversation.peerId ? client.users.cached(conversation.peerId) : undefined;
  return peer?.displayName ?? '…';
}

/** Initials for an avatar: first letters of the first two words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? [words[0]!, words[1]!] : [name]).map((w) => [...w][0] ?? '').join('').toUpperCase().slice(0, 2) || '?';
}

/** A stable colour for an avatar, from the id. */
export function avatarHue(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
