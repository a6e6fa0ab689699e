import type { User } from '@hearth/client';
import { createContext, useContext } from 'react';

/**
 * Opens a person's profile card (the conversation screen hosts it). Outside that screen there is nothing to open,
 * and names stay plain text.
 */
export const ProfileContext = createContext<((userId: string) => void) | null>(null);

export function useOpenProfile(): ((userId: string) => void) | null {
  return useContext(ProfileContext);
}

/** "🌴 On vacation", or the empty string without a status. */
export function statusLine(user: User | undefined): string {
  return [user?.statusEmoji, user?.statusText].filter(Boolean).join(' ');
}
