import type { SkinTone } from './data.js';

const RECENT_KEY = 'hearth.emoji.recent';
const TONE_KEY = 'hearth.emoji.tone';
const RECENT_MAX = 24;

/** The quick reactions offered first, as in every chat app. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Recently used emoji, most recent first (kept in localStorage). */
export function recentEmoji(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((e): e is string => typeof e === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(emoji: string): void {
  const next = [emoji, ...recentEmoji().filter((e) => e !== emoji)].slice(0, RECENT_MAX);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: recents are a nicety.
  }
}

export function skinTone(): SkinTone {
  const n = Number(localStorage.getItem(TONE_KEY) ?? 0);
  return (Number.isInteger(n) && n >= 0 && n <= 5 ? n : 0) as SkinTone;
}

export function setSkinTone(tone: SkinTone): void {
  localStorage.setItem(TONE_KEY, String(tone));
}
